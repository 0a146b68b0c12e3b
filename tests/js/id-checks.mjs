// Statistical checks on generated ids, shared by every runtime's test (Node, the
// browser page, the Worker): format, uniqueness, never all zero, and uniform hex
// digits by a chi-square test.
//
// Thresholds are the chi-square critical values at p = 1e-6 (computed once with the
// regularised incomplete gamma function; a correct generator fails one check in a
// million runs):
//   all digits pooled, 16 categories:          df = 15              -> 56.49
//   digit counts per position, span ids (16):  df = 16 * 15 = 240   -> 358.88
//   digit counts per position, trace ids (32): df = 32 * 15 = 480   -> 641.93
// The per-position test catches a stuck or biased nibble that pooling would hide.
export const CHI2_POOLED_CRITICAL = 56.49;
export const CHI2_PER_POSITION_CRITICAL = { 16: 358.88, 32: 641.93 };

const HEX_DIGIT = new Map([...'0123456789abcdef'].map((c, i) => [c.charCodeAt(0), i]));

/**
 * Draws `n` ids with `draw()` and checks them; returns a summary, throws on failure.
 * @param {string} label
 * @param {() => string} draw
 * @param {16 | 32} length
 * @param {number} n
 */
export function checkIds(label, draw, length, n = 100_000) {
  const seen = new Set();
  const perPosition = Array.from({ length }, () => new Array(16).fill(0));
  for (let i = 0; i < n; i++) {
    const id = draw();
    if (typeof id !== 'string' || id.length !== length) {
      throw new Error(`${label}: draw ${i} is ${JSON.stringify(id)}, not ${length} hex chars`);
    }
    let nonZero = false;
    for (let p = 0; p < length; p++) {
      const digit = HEX_DIGIT.get(id.charCodeAt(p));
      if (digit === undefined) throw new Error(`${label}: ${JSON.stringify(id)} is not lowercase hex`);
      if (digit !== 0) nonZero = true;
      perPosition[p][digit]++;
    }
    if (!nonZero) throw new Error(`${label}: all-zero id drawn`);
    if (seen.has(id)) throw new Error(`${label}: duplicate id ${id} after ${i} draws`);
    seen.add(id);
  }
  const expectedPerCell = n / 16;
  const pooled = new Array(16).fill(0);
  let chi2PerPosition = 0;
  for (const counts of perPosition) {
    counts.forEach((c, d) => {
      pooled[d] += c;
      chi2PerPosition += (c - expectedPerCell) ** 2 / expectedPerCell;
    });
  }
  const expectedPooled = (n * length) / 16;
  const chi2Pooled = pooled.reduce((s, c) => s + (c - expectedPooled) ** 2 / expectedPooled, 0);
  const summary = { label, n, length, chi2Pooled, chi2PerPosition };
  if (!(chi2Pooled < CHI2_POOLED_CRITICAL)) {
    throw new Error(`${label}: pooled chi-square ${chi2Pooled.toFixed(2)} >= ${CHI2_POOLED_CRITICAL} (df 15)`);
  }
  const critical = CHI2_PER_POSITION_CRITICAL[length];
  if (!(chi2PerPosition < critical)) {
    throw new Error(`${label}: per-position chi-square ${chi2PerPosition.toFixed(2)} >= ${critical} (df ${length * 15})`);
  }
  return summary;
}

/** Runs the checks on both id kinds; returns the two summaries. */
export function checkBothIdKinds(newTraceId, newSpanId, n = 100_000) {
  return [checkIds('newTraceId', newTraceId, 32, n), checkIds('newSpanId', newSpanId, 16, n)];
}
