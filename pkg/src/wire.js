// Internal: the byte channels of the hot wasm calls (src/js/wire.rs has the layout).
//
// A string passed the ordinary wasm-bindgen way costs a malloc crossing and an encode,
// and a string returned costs a TextDecoder call; each is 200-300 ns in Node 20, more
// than the work behind most calls. Here a call's strings are joined and written to
// TEXT with one encodeInto, their byte lengths and any numbers go to META (f64 slots),
// and an answer is read from OUT: copied as bytes, or decoded once.
//
// The views are renewed after the wasm memory grows (the old ones detach: their
// length drops to 0) and after a restart (instance.js). Every write starts at TEXT's
// start: a call's input is written just before the call, and nothing else runs in
// between.
import { __memory, __wire, onRestart, snapshot_stage } from './instance.js';

/** Bytes of TEXT (src/js/wire.rs TEXT_LEN). */
export const TEXT_LEN = 32 * 1024;
/** Slots of META (src/js/wire.rs META_LEN). */
export const META_LEN = 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Short ASCII text is copied with a charCodeAt loop where that beats encodeInto's call:
// in workerd the loop took extract from 0.58x to 0.77x OpenTelemetry's speed (peer
// harness, one run), and browsers bind TextEncoder the same way. Node's encodeInto is a
// fast builtin (the loop made extract 0.95x -> 0.65x there), so Node keeps it.
const IN_NODE = globalThis.process?.versions?.node !== undefined &&
  globalThis.navigator?.userAgent !== 'Cloudflare-Workers';
const LOOP_MAX = IN_NODE ? 0 : 160;

let addresses;                 // [TEXT, META, OUT pointer slot]
let memory = new Uint8Array(0); // the whole wasm memory
let memory32 = new Uint32Array(0);
let text = new Uint8Array(0);
let text32 = new Uint32Array(0);
/** The META slots, renewed by `views()`. */
export let meta = new Float64Array(0);
let outPtr = new Uint32Array(0);
// In Node, a Buffer over the same memory: its utf8Slice decodes a short answer in about
// two thirds of TextDecoder's time (no typed-array view made per call).
let nodeBytes;

// A restarted module (instance.js) has a memory of its own: the views are made again.
onRestart(() => {
  addresses = undefined;
  memory = new Uint8Array(0);
  memory32 = new Uint32Array(0);
  text = new Uint8Array(0);
  text32 = new Uint32Array(0);
  meta = new Float64Array(0);
  outPtr = new Uint32Array(0);
  nodeBytes = undefined;
});

/** Renews the views when the memory grew (or at first use). */
function views() {
  if (memory.length !== 0) return;
  addresses ??= __wire();
  const buffer = __memory().buffer;
  memory = new Uint8Array(buffer);
  memory32 = new Uint32Array(buffer);
  text = new Uint8Array(buffer, addresses[0], TEXT_LEN);
  text32 = new Uint32Array(buffer, addresses[0], TEXT_LEN / 4);
  meta = new Float64Array(buffer, addresses[1], META_LEN);
  outPtr = new Uint32Array(buffer, addresses[2], 1);
  if (IN_NODE && typeof globalThis.Buffer?.prototype?.utf8Slice === 'function') nodeBytes = globalThis.Buffer.from(buffer);
}

/** Makes `meta` current; call before writing slots. */
export function metaView() {
  views();
  return meta;
}

/**
 * Writes `joined` to TEXT and returns its byte length when it is all ASCII and fits
 * (then every part's byte length is its `.length`), or -1: the caller then writes its
 * parts one by one with `writeParts`.
 */
export function writeAscii(joined) {
  views();
  const n = joined.length;
  if (n <= LOOP_MAX) return copyCodes(joined, 0) > 0x7f ? -1 : n;
  if (n > TEXT_LEN) return -1;
  const done = encoder.encodeInto(joined, text);
  return done.read === joined.length && done.written === joined.length ? done.written : -1;
}

/**
 * Copies the character codes of `s` to TEXT at `at`, as bytes; returns the OR of the
 * codes, above 0x7f when one is not ASCII (the bytes written are then of no use).
 */
function copyCodes(s, at) {
  const t = text;
  let all = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    all |= c;
    t[at + i] = c;
  }
  return all;
}

/**
 * `writeAscii(first + second)`, without building the joined string where the
 * character loop copies (workerd, browsers): reading a joined string first flattens
 * it, a copy of both parts made only to be read once.
 */
export function writeAsciiPair(first, second) {
  const n = first.length;
  const m = second.length;
  if (n + m > LOOP_MAX) return writeAscii(first + second);
  views();
  return (copyCodes(first, 0) | copyCodes(second, n)) > 0x7f ? -1 : n + m;
}

/**
 * Writes `parts` (strings) one after another to TEXT, storing each one's byte length
 * in META at `slots[i]`. Returns the total byte length, or -1 when they do not fit.
 */
export function writeParts(parts, slots) {
  views();
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const done = encoder.encodeInto(part, text.subarray(at));
    if (done.read !== part.length) return -1;
    meta[slots[i]] = done.written;
    at += done.written;
  }
  return at;
}

/**
 * A copy of the `len` bytes a call left in OUT, as a plain array: `[len, word, ...]`
 * (u32 words). A typed-array copy over 64 bytes costs an off-heap allocation, about
 * 1 µs in Node 20; an array of numbers a tenth of that.
 */
export function outWords(len) {
  views();
  const at = outPtr[0] >>> 2;
  const n = (len + 3) >>> 2;
  const words = new Array(n + 1);
  words[0] = len;
  for (let i = 0; i < n; i++) words[i + 1] = memory32[at + i];
  return words;
}

/** What `writeWords` returns for a copy staged outside TEXT (src/js/span.rs STAGED). */
const STAGED = 0xffffffff;

/**
 * Writes `outWords`' copy back to TEXT; returns its byte length. One longer than TEXT
 * (possible with a slug parent's large propagated event) is staged by a separate call
 * instead, and the answer says so.
 */
export function writeWords(words) {
  views();
  const n = words.length - 1;
  const len = words[0];
  if (len > TEXT_LEN) {
    snapshot_stage(new Uint8Array(Uint32Array.from(words.slice(1)).buffer, 0, len));
    return STAGED;
  }
  for (let i = 0; i < n; i++) text32[i] = words[i + 1];
  return len;
}

/** The `len` bytes a call left in OUT, as text. */
export function outText(len) {
  views();
  const at = outPtr[0];
  if (nodeBytes !== undefined) return nodeBytes.utf8Slice(at, at + len);
  return decoder.decode(memory.subarray(at, at + len));
}
