// newTraceId / newSpanId. The bytes come from the wasm module's secure source
// (crypto.getRandomValues underneath, never Math.random) a block at a time: one wasm
// call fills a 16 KiB block and returns its address, and ids are taken from it in
// order through a view of the wasm memory, each byte used once, then formatted with a
// lookup table. No string crosses the boundary. Nothing is drawn at import time
// (Cloudflare Workers forbid it): the first id fills the first block.
import { __idPoolBytes, __memory, __randomErrorMessage, __refillIdPool } from './spanwire.js';

const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

let pool = new Uint8Array(0); // view of the block; empty until the first id
let pos = 0;                  // next unused byte in it

/**
 * Refills the block. Also taken when wasm memory grew, which detaches the view (its
 * length drops to 0): the unused rest of the old block is then simply not used.
 */
function refill() {
  const at = __refillIdPool();
  if (at === 0) throw new Error(__randomErrorMessage());
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
  return HEX[b[p]] + HEX[b[p + 1]] + HEX[b[p + 2]] + HEX[b[p + 3]] +
    HEX[b[p + 4]] + HEX[b[p + 5]] + HEX[b[p + 6]] + HEX[b[p + 7]] +
    HEX[b[p + 8]] + HEX[b[p + 9]] + HEX[b[p + 10]] + HEX[b[p + 11]] +
    HEX[b[p + 12]] + HEX[b[p + 13]] + HEX[b[p + 14]] + HEX[b[p + 15]];
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
  return HEX[b[p]] + HEX[b[p + 1]] + HEX[b[p + 2]] + HEX[b[p + 3]] +
    HEX[b[p + 4]] + HEX[b[p + 5]] + HEX[b[p + 6]] + HEX[b[p + 7]];
}
