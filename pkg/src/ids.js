// newTraceId / newSpanId: one wasm call draws the bytes from the core's secure pool
// (crypto.getRandomValues underneath, never Math.random); they are read through a view
// of the wasm memory and formatted with a lookup table, with no string crossing the
// boundary.
import { __idBytes, __memory, __randomErrorMessage } from './spanwire.js';

const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? '0' : '') + i.toString(16));

let bytes = new Uint8Array(0);

/** A view of the wasm memory; renewed when the memory grows (the old one detaches). */
function memoryBytes() {
  if (bytes.byteLength === 0) bytes = new Uint8Array(__memory().buffer);
  return bytes;
}

function draw(n) {
  const at = __idBytes(n);
  if (at === 0) throw new Error(__randomErrorMessage());
  return at;
}

export function newTraceId() {
  const p = draw(16);
  const b = memoryBytes();
  return HEX[b[p]] + HEX[b[p + 1]] + HEX[b[p + 2]] + HEX[b[p + 3]] +
    HEX[b[p + 4]] + HEX[b[p + 5]] + HEX[b[p + 6]] + HEX[b[p + 7]] +
    HEX[b[p + 8]] + HEX[b[p + 9]] + HEX[b[p + 10]] + HEX[b[p + 11]] +
    HEX[b[p + 12]] + HEX[b[p + 13]] + HEX[b[p + 14]] + HEX[b[p + 15]];
}

export function newSpanId() {
  const p = draw(8);
  const b = memoryBytes();
  return HEX[b[p]] + HEX[b[p + 1]] + HEX[b[p + 2]] + HEX[b[p + 3]] +
    HEX[b[p + 4]] + HEX[b[p + 5]] + HEX[b[p + 6]] + HEX[b[p + 7]];
}
