/**
 * Binary content: x86-like machine code (for the pools), ELF shared objects and executables, CPython 3.12
 * .pyc files, and blobs with the headers of real formats (safetensors, PyTorch zip, ONNX, npy, parquet,
 * PNG) followed by keystream bytes (PNG chunk CRCs from src/secrets/checksum.ts).
 */
import { crc32 } from "../../../src/secrets/checksum.js";
import { MTIME } from "./constants.js";
import type { RandomBytes, Rng } from "./random.js";
import type { Pools, Vocab } from "./vocabulary.js";

// --- Machine code and bytecode -----------------------------------------------------------------------------

/** x86-64-like functions: a prologue, templated instructions with random operands, an epilogue, padding. */
export function codePool(r: Rng, count: number): { code: Buffer; starts: number[] } {
  const TEMPLATES = [
    [0x48, 0x89], [0x48, 0x8b], [0x48, 0x83, 0xc4], [0x48, 0x83, 0xec], [0x48, 0x8d], [0x89], [0x8b], [0xe8],
    [0xe9], [0x74], [0x75], [0x0f, 0x84], [0x0f, 0x85], [0x31, 0xc0], [0x85, 0xc0], [0x48, 0x85, 0xc0], [0x41, 0x89],
    [0x4c, 0x89], [0x4c, 0x8b], [0xc7, 0x44, 0x24], [0x66, 0x0f, 0x6f], [0xf3, 0x0f, 0x10], [0x0f, 0xb6], [0x39], [0x3b],
  ];
  const COMMON_OPERANDS = [0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x40, 0x45, 0x5d, 0x7d, 0xc0, 0xc7, 0xe8, 0xf8, 0x24];
  const out: number[] = [];
  const starts: number[] = [];
  for (let f = 0; f < count; f++) {
    starts.push(out.length);
    out.push(0x55, 0x48, 0x89, 0xe5, 0x41, 0x57, 0x41, 0x56, 0x53, 0x48, 0x83, 0xec, r.int(16) * 8);
    for (let i = r.range(8, 120); i > 0; i--) {
      out.push(...r.pick(TEMPLATES));
      const operands = r.pick([1, 1, 1, 2, 4, 4]);
      for (let k = 0; k < operands; k++) out.push(k > 0 && r.chance(0.8) ? (r.chance(0.8) ? 0 : 0xff) : r.chance(0.7) ? r.pick(COMMON_OPERANDS) : r.int(256));
    }
    out.push(0x5b, 0x41, 0x5e, 0x41, 0x5f, 0x5d, 0xc3);
    while (out.length % 16 !== 0) out.push(0xcc);
  }
  starts.push(out.length);
  return { code: Buffer.from(out), starts };
}

/** An ELF64 shared object or executable of `size` bytes: header, code, symbol tables, strings, some data. */
export function elf(r: Rng, rb: RandomBytes, p: Pools, v: Vocab, size: number, exec: boolean): Buffer {
  const buf = Buffer.alloc(size);
  buf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  buf.writeUInt16LE(exec ? 2 : 3, 16);
  buf.writeUInt16LE(0x3e, 18);
  buf.writeUInt32LE(1, 20);
  buf.writeBigUInt64LE(BigInt(0x1000 + r.int(0x8000)), 24);
  buf.writeBigUInt64LE(64n, 32);
  buf.writeBigUInt64LE(BigInt(Math.max(0, size - 64 * 28)), 40);
  buf.writeUInt16LE(64, 52);
  buf.writeUInt16LE(56, 54);
  buf.writeUInt16LE(9, 56);
  buf.writeUInt16LE(64, 58);
  buf.writeUInt16LE(28, 60);
  buf.writeUInt16LE(27, 62);
  let at = 64;
  // Program headers, then zero padding to the first page (as linkers align segments).
  for (let i = 0; i < 9 && at + 56 <= size; i++, at += 56) {
    buf.writeUInt32LE(r.pick([1, 1, 1, 1, 2, 3, 4, 0x6474e550, 0x6474e551]), at);
    buf.writeUInt32LE(r.pick([4, 5, 6]), at + 4);
    buf.writeUInt32LE(i * 0x1000, at + 8);
  }
  if (size > 64 * 1024) at = 0x1000;
  const section = (fraction: number) => Math.min(size - at, Math.floor(size * fraction));
  // .dynsym: 24-byte entries with growing name offsets and addresses.
  let end = at + section(0.08);
  for (let i = 0, addr = 0x2000; at + 24 <= end; i++, at += 24, addr += 16 + r.int(400)) {
    buf.writeUInt32LE(i * 11 + r.int(8), at);
    buf[at + 4] = r.pick([0x12, 0x12, 0x11, 0x22]);
    buf.writeUInt16LE(r.pick([12, 13, 22, 23]), at + 6);
    buf.writeBigUInt64LE(BigInt(addr), at + 8);
    buf.writeBigUInt64LE(BigInt(r.int(2000)), at + 16);
  }
  // .dynstr: NUL-separated symbol names.
  end = at + section(0.08);
  while (at < end) at += buf.write(`${r.pick(p.symbols)}\0`, at, end - at, "latin1");
  // .rela.dyn: offsets growing by 8.
  end = at + section(0.08);
  for (let off = 0x3d000; at + 24 <= end; at += 24, off += 8) {
    buf.writeBigUInt64LE(BigInt(off), at);
    buf.writeUInt32LE(8, at + 8);
    buf.writeBigUInt64LE(BigInt(0x1000 + r.int(0x100000)), at + 16);
  }
  // .plt: 16-byte stubs, one per imported function.
  end = at + section(0.06);
  for (let i = 0; at + 16 <= end; i++, at += 16) {
    buf.set([0xff, 0x25, r.int(256), r.int(16), 0, 0, 0x68, i & 0xff, (i >> 8) & 0xff, 0, 0, 0xe9, 0xe0 - ((i * 16) & 0xff), 0xff, 0xff, 0xff], at);
  }
  // .text: functions from the pool, until the code share is filled.
  end = at + section(0.42);
  while (at < end) {
    const f = r.int(p.codeStarts.length - 1);
    const from = p.codeStarts[f];
    const n = Math.min(p.codeStarts[f + 1] - from, end - at);
    p.code.copy(buf, at, from, from + n);
    at += n;
  }
  // .rodata: messages and format strings.
  end = at + section(0.18);
  while (at < end) at += buf.write(`${v.sentence()}\0%s: ${v.snake(2)} %d\0`, at, end - at, "latin1");
  // .data, .eh_frame and the rest: incompressible, with zero-filled alignment gaps.
  const rest = Math.max(0, size - at - 64 * 28 - 200);
  if (rest > 0) rb.take(Math.ceil(rest / 3)).copy(buf, at);
  at += rest;
  at += buf.write(".shstrtab\0.interp\0.dynsym\0.dynstr\0.rela.dyn\0.init\0.text\0.fini\0.rodata\0.eh_frame\0.data\0.bss\0.comment\0GCC: (Debian 12.2.0-14) 12.2.0\0", at, "latin1");
  return buf;
}

/**
 * A .pyc: the 3.12 header, then wordcode interleaved with names and strings of the source. A module's code
 * objects reuse few opcodes sequences and the same names over and over, so both come from small per-file sets.
 */
export function pyc(r: Rng, p: Pools, source: Buffer, size: number): Buffer {
  const buf = Buffer.allocUnsafe(Math.max(size, 32));
  buf.set([0xcb, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0], 0);
  buf.writeUInt32LE(Math.floor(MTIME.getTime() / 1000), 8);
  buf.writeUInt32LE(source.length, 12);
  buf[16] = 0xe3;
  const window = 6 * 1024;
  const base = r.int(p.bytecode.length - window) & ~1;
  const names = Array.from({ length: 24 }, () => {
    const n = Math.min(r.range(6, 60), source.length);
    return [r.int(source.length - n + 1), n] as const;
  });
  let at = 17;
  while (at < buf.length) {
    const nb = Math.min(r.range(4, 24) * 2, buf.length - at);
    const from = base + (r.int(window - nb) & ~1);
    p.bytecode.copy(buf, at, from, from + nb);
    at += nb;
    if (at >= buf.length) break;
    buf[at++] = r.pick([0xda, 0xfa, 0x73, 0x5a, 0x29]);
    const [sf, len] = r.chance(0.8) ? r.pick(names) : [r.int(Math.max(1, source.length - 90)), 90];
    const ns = Math.min(len, buf.length - at, source.length - sf);
    source.copy(buf, at, sf, sf + ns);
    at += ns;
  }
  return buf;
}

// --- Blobs -------------------------------------------------------------------------------------------------
// Model weights, arrays, images: headers of the real formats, then keystream bytes.

export type BlobKind = "safetensors" | "bin" | "onnx" | "npy" | "png" | "parquet";


export function blobHeader(r: Rng, v: Vocab, kind: BlobKind, size: number): Buffer {
  switch (kind) {
    case "safetensors": {
      const tensors: Record<string, unknown> = { __metadata__: { format: "pt" } };
      let off = 0;
      for (let i = 0; i < r.range(4, 40); i++) {
        const n = r.range(64, 4096) * 16;
        tensors[`model.layers.${i}.${r.pick(["mlp.up_proj", "mlp.down_proj", "self_attn.q_proj", "self_attn.v_proj", "input_layernorm"])}.weight`] = { dtype: "F16", shape: [n / 16, 8], data_offsets: [off, off + n] };
        off += n;
      }
      const json = Buffer.from(JSON.stringify(tensors));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      return Buffer.concat([len, json]);
    }
    case "bin": {
      const name = Buffer.from("archive/data.pkl");
      const h = Buffer.alloc(30);
      h.writeUInt32LE(0x04034b50, 0);
      h.writeUInt16LE(0, 8);
      h.writeUInt16LE(name.length, 26);
      return Buffer.concat([h, name, Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x28])]);
    }
    case "onnx":
      return Buffer.concat([Buffer.from([0x08, 0x08, 0x12, 0x07]), Buffer.from("pytorch"), Buffer.from([0x1a, 0x05]), Buffer.from("2.3.1"), Buffer.from([0x3a])]);
    case "npy": {
      const cols = r.pick([128, 256, 384, 768, 1024]);
      let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${Math.max(1, Math.floor(size / 4 / cols))}, ${cols}), }`;
      dict = dict.padEnd(Math.ceil((dict.length + 11) / 64) * 64 - 11, " ");
      const h = Buffer.alloc(10);
      h.write("\x93NUMPY", 0, "latin1");
      h[6] = 1;
      h.writeUInt16LE(dict.length + 1, 8);
      return Buffer.concat([h, Buffer.from(`${dict}\n`)]);
    }
    case "parquet":
      return Buffer.from(`PAR1\x15\x04\x15${v.word()}`, "latin1");
    case "png": {
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(r.range(16, 2048), 0);
      ihdr.writeUInt32BE(r.range(16, 2048), 4);
      ihdr.set([8, 6, 0, 0, 0], 8);
      return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk("IHDR", ihdr)]);
    }
  }
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const t = Buffer.from(type, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(t, data));
  return Buffer.concat([len, t, data, crc]);
}

/** A small PNG (icons, screenshots): one IDAT chunk of keystream bytes, CRCs right. */
export function png(r: Rng, rb: RandomBytes, v: Vocab, size: number): Buffer {
  const head = blobHeader(r, v, "png", size);
  const idat = pngChunk("IDAT", rb.take(Math.max(16, size - head.length - 24)));
  return Buffer.concat([head, idat, pngChunk("IEND", Buffer.alloc(0))]);
}
