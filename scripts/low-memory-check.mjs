// Checks what `wasm-opt --low-memory-unused` (scripts/build) assumes: nothing the
// module places in memory lies in its first 1,024 bytes. The flag lets wasm-opt fold
// `load(x + C)` (C < 1024) into `load offset=C (x)`, which differs only when x + C
// would wrap past 2^32 into that low kilobyte. Rust's wasm32 layout puts the stack
// first, growing down from 1 MiB, and the data after it; this fails the build if a
// data segment ever starts below 1,024 or the stack pointer starts there.
//   node scripts/low-memory-check.mjs file.wasm
import { WasmReader } from './wasm-reader.mjs';

const LOW = 1024;
const wasm = new WasmReader(process.argv[2]);

// A constant expression: `i32.const N end` is all this module kind uses.
const constExpr = (what) => {
  if (wasm.byte() !== 0x41) throw new Error(`${what}: not an i32.const expression`);
  const value = wasm.s32();
  if (wasm.byte() !== 0x0b) throw new Error(`${what}: expression does not end after i32.const`);
  return value;
};

const problems = [];
wasm.eachSection((id) => {
  if (id === 6) {
    // globals: the first mutable i32 is the stack pointer
    for (let n = wasm.u32(), i = 0; i < n; i++) {
      const type = wasm.byte();
      const mutable = wasm.byte();
      if (type !== 0x7f) break;
      const value = constExpr(`global ${i}`);
      if (mutable && i === 0 && value < LOW) problems.push(`the stack pointer starts at ${value}`);
    }
  } else if (id === 11) {
    for (let n = wasm.u32(), i = 0; i < n; i++) {
      const flags = wasm.u32();
      if (flags === 2) wasm.u32(); // memory index
      if (flags !== 1) {
        const offset = constExpr(`data segment ${i}`);
        if (offset < LOW) problems.push(`data segment ${i} starts at ${offset}`);
      }
      const length = wasm.u32();
      wasm.at += length;
    }
  }
});
if (problems.length) {
  console.error(`${process.argv[2]}: low memory is used, so --low-memory-unused is wrong here: ${problems.join('; ')}`);
  process.exit(1);
}
