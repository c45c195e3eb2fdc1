/**
 * Hamming distances between one binary code and many, in WebAssembly: V8 compiles `i64.popcnt` to the
 * processor's popcount instruction, which JavaScript has no way to reach, so 100,000 codes of 384 bits take well
 * under a millisecond instead of several. The module is a few dozen bytes written out below (no toolchain, no
 * download); its one function reads and writes a memory the caller owns.
 *
 * Memory layout, all offsets in bytes and chosen by the caller:
 *   hamming(codes, rows, words, query, out): for each of `rows` codes of `words` 64-bit words starting at
 *   `codes`, writes popcount(code XOR query) as a uint16 at out + 2 * row.
 */

// prettier-ignore
const moduleBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  // type section: one type, (i32 x 5) -> ()
  0x01, 0x09, 0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00,
  // import section: env.memory, a memory of at least 1 page
  0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01,
  // function section: one function of type 0
  0x03, 0x02, 0x01, 0x00,
  // export section: "hamming" = function 0
  0x07, 0x0b, 0x01, 0x07, 0x68, 0x61, 0x6d, 0x6d, 0x69, 0x6e, 0x67, 0x00, 0x00,
  // code section: one body
  0x0a, 0x71, 0x01, 0x6f,
  // locals: 2 x i32 (5 row, 6 word), 1 x i64 (7 distance)
  0x02, 0x02, 0x7f, 0x01, 0x7e,
  0x02, 0x40, // block
  0x03, 0x40, //   loop (over rows)
  0x20, 0x05, 0x20, 0x01, 0x4f, 0x0d, 0x01, // if row >= rows: break
  0x42, 0x00, 0x21, 0x07, // distance = 0
  0x41, 0x00, 0x21, 0x06, // word = 0
  0x02, 0x40, //     block
  0x03, 0x40, //       loop (over words)
  0x20, 0x06, 0x20, 0x02, 0x4f, 0x0d, 0x01, // if word >= words: break
  0x20, 0x07, // distance
  0x20, 0x00, 0x20, 0x06, 0x41, 0x03, 0x74, 0x6a, 0x29, 0x03, 0x00, // load64(codes + word * 8)
  0x20, 0x03, 0x20, 0x06, 0x41, 0x03, 0x74, 0x6a, 0x29, 0x03, 0x00, // load64(query + word * 8)
  0x85, 0x7b, 0x7c, 0x21, 0x07, // distance += popcnt(xor)
  0x20, 0x06, 0x41, 0x01, 0x6a, 0x21, 0x06, // word += 1
  0x0c, 0x00, //         continue
  0x0b, 0x0b, //     end loop, end block
  0x20, 0x04, 0x20, 0x05, 0x41, 0x01, 0x74, 0x6a, // out + row * 2
  0x20, 0x07, 0xa7, 0x3b, 0x01, 0x00, // store16(distance)
  0x20, 0x00, 0x20, 0x02, 0x41, 0x03, 0x74, 0x6a, 0x21, 0x00, // codes += words * 8
  0x20, 0x05, 0x41, 0x01, 0x6a, 0x21, 0x05, // row += 1
  0x0c, 0x00, //   continue
  0x0b, 0x0b, // end loop, end block
  0x0b, // end function
]);

/** The part of the WebAssembly API used here (Node has it built in; the project's type library leaves it out). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

let compiled: object | undefined;

export interface HammingKernel {
  /** The memory the kernel reads and writes; it grows, so take fresh views after `grow`. */
  readonly memory: WasmMemory;
  hamming(codes: number, rows: number, words: number, query: number, out: number): void;
}

/** A kernel over a memory of its own, of `initialBytes` at least. */
export function createHammingKernel(initialBytes: number): HammingKernel {
  compiled ??= new wasm.Module(moduleBytes);
  const pages = Math.max(1, Math.ceil(initialBytes / 65_536));
  const memory = new wasm.Memory({ initial: pages });
  const instance = new wasm.Instance(compiled, { env: { memory } });
  const hamming = instance.exports.hamming as (
    codes: number,
    rows: number,
    words: number,
    query: number,
    out: number,
  ) => void;
  return { memory, hamming };
}
