// Checks that the module links none of core::fmt's formatting code: no message, panic
// path or `to_string` in the wasm build goes through it (src/message.rs says why, and
// how messages are written instead). One `write!`, `format!` or `{}` of a number or a
// string brings back `core::fmt::write`, `Formatter::pad` and the integer `Display`
// code, about 2.4 KB of gzip wasm; this fails the build then, naming what came in.
// It reads the function names of the module as the build optimizes it, kept by `-g`
// in a copy (`SPANWIRE_NAMED_WASM=file scripts/build`; scripts/test makes one): before
// wasm-opt, code that nothing can call is still there, and the shipped module has no
// names.
//   node scripts/no-fmt-check.mjs file.wasm
import { WasmReader } from './wasm-reader.mjs';

const FORMATTING = [/core::fmt::write$/, /core::fmt::Formatter>::pad/, /alloc::fmt::format/];

const wasm = new WasmReader(process.argv[2]);
let names;
wasm.eachSection((id, end) => {
  if (id !== 0 || wasm.name() !== 'name') return;
  while (wasm.at < end) {
    const kind = wasm.byte();
    const size = wasm.u32();
    const next = wasm.at + size;
    if (kind === 1) {
      // function names: (index, name) pairs
      names = [];
      for (let n = wasm.u32(), i = 0; i < n; i++) {
        wasm.u32();
        names.push(wasm.name());
      }
    }
    wasm.at = next;
  }
});
if (names === undefined) {
  console.error(`${process.argv[2]}: no function names to check (was the name section stripped before this check?)`);
  process.exit(1);
}
// Rust's v0 names carry a crate hash, `core[c5930c85a12de822]::fmt`; legacy names end
// in `::h<hash>`.
const plain = (name) => name.replace(/\[[0-9a-f]+\]/g, '').replace(/::h[0-9a-f]{16}$/, '');
const linked = names.map(plain).filter((name) => FORMATTING.some((re) => re.test(name)));
if (linked.length) {
  console.error(`${process.argv[2]}: core::fmt's formatting code is linked (${linked.join(', ')}); ` +
    'write messages with src/message.rs instead of write!/format!/to_string');
  process.exit(1);
}
