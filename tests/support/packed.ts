/**
 * Builders for packed and compiled files, made at test time from real tools: zips with fflate's zipSync,
 * tars with tar-stream (makeTar), gzip with zlib, .pyc bytes from the machine's python3 (py_compile's
 * format: magic, flags, 8 bytes, marshal), and a small marshal writer for the 3.8-3.10 code object layout,
 * which no Python here may produce. Nothing binary is committed.
 */
import { spawnSync } from "node:child_process";
import { zipSync, type Zippable } from "fflate";
import { deflateRawSync, gzipSync } from "node:zlib";
import { makeTar, type SyntheticFile } from "./synthetic-image.js";

/** A zip of `files` (name -> content), deflated unless `level` 0. */
export function zip(files: Record<string, string | Buffer>, level: 0 | 6 | 9 = 6): Buffer {
  const entries: Zippable = {};
  for (const [name, content] of Object.entries(files)) entries[name] = [Buffer.from(content), { level, mtime: new Date(2000, 0, 1) }];
  return Buffer.from(zipSync(entries));
}

/**
 * A one-member zip deflated by zlib (fflate's encoder takes a second for 16 MiB; zlib a few ms), for bombs.
 * The CRC is left 0: nothing here checks it, and a bomb's author would not care either.
 */
export function zlibZip(name: string, data: Buffer): Buffer {
  const body = deflateRawSync(data, { level: 9 });
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(body.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(body.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12);
  end.writeUInt32LE(30 + n.length + body.length, 16);
  return Buffer.concat([local, n, body, central, n, end]);
}

/** A tar of `files` (name -> content). */
export async function tar(files: Record<string, string | Buffer>): Promise<Buffer> {
  return makeTar(Object.entries(files).map(([path, content]): SyntheticFile => ({ path, content })));
}

export async function tarGz(files: Record<string, string | Buffer>): Promise<Buffer> {
  return gzipSync(await tar(files));
}

export const gzip = (b: string | Buffer): Buffer => gzipSync(Buffer.from(b));

/** UTF-16 bytes of `text`: little-endian with a BOM, or big-endian without one. */
export function utf16(text: string, form: "le-bom" | "be"): Buffer {
  const le = Buffer.from(text, "utf16le");
  return form === "le-bom" ? Buffer.concat([Buffer.from([0xff, 0xfe]), le]) : Buffer.from(le).swap16();
}

/** A real .pyc of `source`, compiled by the machine's python3 (its own version's magic and layout). */
export function compilePyc(source: string, filename = "settings.py"): Buffer {
  const script = [
    "import sys, marshal, importlib.util",
    "code = compile(sys.stdin.read(), sys.argv[1], 'exec')",
    // py_compile's unchecked-hash-free layout: magic, flags 0, mtime 0, source size 0, then the marshal data.
    "sys.stdout.buffer.write(importlib.util.MAGIC_NUMBER + bytes(12) + marshal.dumps(code))",
  ].join("\n");
  const r = spawnSync("python3", ["-c", script, filename], { input: source });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/** The same .pyc with another version's magic number (for versions whose code object layout is the same). */
export function withMagic(pyc: Buffer, magic: number): Buffer {
  const out = Buffer.from(pyc);
  out.writeUInt16LE(magic, 0);
  return out;
}

/** CPython magic numbers of final releases. */
export const MAGIC = { "3.8": 3413, "3.9": 3425, "3.10": 3439, "3.11": 3495, "3.12": 3531, "3.13": 3571 } as const;

// ---------------------------------------------------------------------------------------------------------
// A marshal writer for the 3.8-3.10 code object layout.

const FLAG_REF = 0x80;

/** Marshal values the writer knows: strings, bytes, tuples, frozensets, code objects, refs and None. */
export type M =
  | string
  | { bytes: Buffer }
  | { tuple: M[] }
  | { frozenset: M[] }
  | { code: Code38 }
  | { ref: number }
  | { stored: string }
  | null;

export interface Code38 {
  consts: M[];
  names: M[];
  name: string;
}

const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};

/** Marshal bytes of `v`; `{ stored: s }` writes s with FLAG_REF (it takes the next ref index). */
export function marshal(v: M): Buffer {
  if (v === null) return Buffer.from("N");
  if (typeof v === "string") {
    const s = Buffer.from(v, "utf8");
    return Buffer.concat([Buffer.from("u"), i32(s.length), s]);
  }
  if ("stored" in v) {
    const s = Buffer.from(v.stored, "latin1");
    return Buffer.concat([Buffer.from([0x61 | FLAG_REF]), i32(s.length), s]); // 'a' (ASCII) with FLAG_REF
  }
  if ("ref" in v) return Buffer.concat([Buffer.from("r"), i32(v.ref)]);
  if ("bytes" in v) return Buffer.concat([Buffer.from("s"), i32(v.bytes.length), v.bytes]);
  if ("tuple" in v) return Buffer.concat([Buffer.from("("), i32(v.tuple.length), ...v.tuple.map(marshal)]);
  if ("frozenset" in v) return Buffer.concat([Buffer.from(">"), i32(v.frozenset.length), ...v.frozenset.map(marshal)]);
  return code38(v.code);
}

/** A 3.8-3.10 code object: six ints, code, consts, names, varnames, freevars, cellvars, filename, name, firstlineno, lnotab. */
function code38(c: Code38): Buffer {
  const ints = [0, 0, 0, 0, 2, 64].map(i32);
  const empty = marshal({ tuple: [] });
  return Buffer.concat([
    Buffer.from("c"), ...ints,
    marshal({ bytes: Buffer.from([0x64, 0x00, 0x53, 0x00]) }), // LOAD_CONST 0; RETURN_VALUE
    marshal({ tuple: c.consts }), marshal({ tuple: c.names }), empty, empty, empty,
    marshal("settings.py"), marshal(c.name), i32(1), marshal({ bytes: Buffer.alloc(0) }),
  ]);
}

/** A .pyc with `magic` and a hand-built 3.8-layout module code object. */
export function pyc38(magic: number, module: Code38): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt16LE(magic, 0);
  header.write("\r\n", 2, "latin1");
  return Buffer.concat([header, marshal({ code: module })]);
}
