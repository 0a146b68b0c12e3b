// A minimal reader of a .wasm binary, for the build's checks of the module
// (low-memory-check.mjs, no-fmt-check.mjs): LEB128 numbers, names and the sections.
import { readFileSync } from 'node:fs';

export class WasmReader {
  constructor(path) {
    this.bytes = readFileSync(path);
    this.at = 8; // after the magic number and the version
  }

  byte() {
    return this.bytes[this.at++];
  }

  /** An unsigned LEB128 number. */
  u32() {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.bytes[this.at++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return result;
    }
  }

  /** A signed LEB128 number (32-bit). */
  s32() {
    let result = 0;
    let shift = 0;
    let b;
    do {
      b = this.bytes[this.at++];
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return shift < 32 && b & 0x40 ? result | (-1 << shift) : result;
  }

  /** A length-prefixed UTF-8 name. */
  name() {
    const length = this.u32();
    const text = this.bytes.toString('utf8', this.at, this.at + length);
    this.at += length;
    return text;
  }

  /**
   * Calls `visit(id, end)` for each section with the reader at the section's contents;
   * reading goes on from `end` whatever `visit` read.
   */
  eachSection(visit) {
    while (this.at < this.bytes.length) {
      const id = this.byte();
      const size = this.u32();
      const end = this.at + size;
      visit(id, end);
      this.at = end;
    }
  }
}
