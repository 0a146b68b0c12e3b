// newTraceId / newSpanId. The bytes come from the wasm module's secure source
// (crypto.getRandomValues underneath, never Math.random) a block at a time: one wasm
// call fills a 16 KiB block and returns its address, and ids are taken from it in
// order through a view of the wasm memory, each byte used once, then formatted with
// one String.fromCharCode call over a nibble table: that makes the string flat in one
// step, about twice as fast as joining 16 two-character strings. No string crosses
// the boundary. Nothing is drawn at import time (Cloudflare Workers forbid it): the
// first id fills the first block.
import { __idPoolBytes, __memory, __randomErrorMessage, __refillIdPool, onRestart, withRandomCause } from './instance.js';

const DIGITS = '0123456789abcdef';
/** The character codes of a byte's two hex digits: HI[b] then LO[b]. */
const HI = new Uint8Array(256);
const LO = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  HI[b] = DIGITS.charCodeAt(b >> 4);
  LO[b] = DIGITS.charCodeAt(b & 15);
}

let pool = new Uint8Array(0); // view of the block; empty until the first id
let pos = 0;                  // next unused byte in it

// After a restart (instance.js) the next id fills a block in the new instance's memory.
onRestart(() => {
  pool = new Uint8Array(0);
  pos = 0;
});

/**
 * Refills the block. Also taken when wasm memory grew, which detaches the view (its
 * length drops to 0): the unused rest of the old block is then simply not used.
 */
function refill() {
  const at = __refillIdPool();
  if (at === 0) throw withRandomCause(new Error(__randomErrorMessage()));
  pool = new Uint8Array(__memory().buffer, at, __idPoolBytes());
  pos = 0;
}

function isZero(b, p, n) {
  for (let i = 0; i < n; i++) if (b[p + i] !== 0) return false;
  return true;
}

/**
 * A new random trace id: 32 lowercase hex characters, never all zero.
 * @returns {string}
 */
export function newTraceId() {
  let p;
  do {
    if (pos + 16 > pool.length) refill();
    p = pos;
    pos += 16;
  } while (isZero(pool, p, 16)); // W3C: all zero is invalid; draw again
  const b = pool;
  const b0 = b[p], b1 = b[p + 1], b2 = b[p + 2], b3 = b[p + 3], b4 = b[p + 4], b5 = b[p + 5], b6 = b[p + 6], b7 = b[p + 7];
  const b8 = b[p + 8], b9 = b[p + 9], b10 = b[p + 10], b11 = b[p + 11], b12 = b[p + 12], b13 = b[p + 13], b14 = b[p + 14], b15 = b[p + 15];
  return String.fromCharCode(
    HI[b0], LO[b0], HI[b1], LO[b1], HI[b2], LO[b2], HI[b3], LO[b3],
    HI[b4], LO[b4], HI[b5], LO[b5], HI[b6], LO[b6], HI[b7], LO[b7],
    HI[b8], LO[b8], HI[b9], LO[b9], HI[b10], LO[b10], HI[b11], LO[b11],
    HI[b12], LO[b12], HI[b13], LO[b13], HI[b14], LO[b14], HI[b15], LO[b15],
  );
}

/**
 * A new random span id: 16 lowercase hex characters, never all zero.
 * @returns {string}
 */
export function newSpanId() {
  let p;
  do {
    if (pos + 8 > pool.length) refill();
    p = pos;
    pos += 8;
  } while (isZero(pool, p, 8));
  const b = pool;
  const b0 = b[p], b1 = b[p + 1], b2 = b[p + 2], b3 = b[p + 3], b4 = b[p + 4], b5 = b[p + 5], b6 = b[p + 6], b7 = b[p + 7];
  return String.fromCharCode(
    HI[b0], LO[b0], HI[b1], LO[b1], HI[b2], LO[b2], HI[b3], LO[b3],
    HI[b4], LO[b4], HI[b5], LO[b5], HI[b6], LO[b6], HI[b7], LO[b7],
  );
}
