/**
 * The string and bytes constants of a CPython .pyc, read from its marshal data: what a secret compiled into
 * a module becomes (`KEY = "..."` leaves the value in the module code object's co_consts). Names
 * (co_names, co_varnames), filenames and the bytecode itself are parsed past, not returned.
 *
 * CPython 3.8 to 3.13 are read exactly: a 16-byte header (magic, flags, then mtime and source size or a
 * source hash), then one marshal object, the module's code object, whose field order changed in 3.11.
 * A .pyc of another version falls back to strings carved wherever a marshal
 * string header (type code, length, then that many text bytes) stands, or, when none does, to printable
 * runs. Printable runs lose recall: marshal type codes are letters ('N' for None, 'i' for an int),
 * so a key followed by one reads "...XYZN" and fails a rule that wants the key to end there.
 */

/** Code object field orders: 3.8 to 3.10 (nlocals, lnotab) and 3.11 on (qualname, exception table). */
type Layout = "3.8" | "3.11";

const HEADER = 16;
/** CPython's own limit is 2000; a hostile file nested deeper is read by the fallback. */
const MAX_NESTING = 1000;
const FLAG_REF = 0x80;
/** Runs shorter than this are opcodes and small integers, not strings worth a rule. */
const MIN_RUN = 8;

/** The code object layout of a .pyc's magic number, or undefined for a version not read exactly. */
export function pycLayout(head: Buffer): Layout | undefined {
  if (head.length < HEADER || head[2] !== 0x0d || head[3] !== 0x0a || head.readUInt32LE(4) > 3) return undefined;
  const magic = head.readUInt16LE(0);
  // 3410 (3.8's positional-only arguments) to 3439 (3.10); 3450 (3.11) to 3571 (3.13) and its betas.
  if (magic >= 3410 && magic <= 3439) return "3.8";
  if (magic >= 3450 && magic <= 3579) return "3.11";
  return undefined;
}

/** Any .pyc magic: two bytes, then "\r\n" and a small flags word (3.7+), for the fallback on other versions. */
export function looksLikePyc(head: Buffer, path: string): boolean {
  if (pycLayout(head)) return true;
  return /\.pyc$/i.test(path) && head.length >= 4 && head[2] === 0x0d && head[3] === 0x0a;
}

/**
 * The .pyc's string and bytes constants, each once, in the order they are read; undefined for a version
 * not read exactly. Marshal data that breaks off or is corrupt gives the constants read before the damage:
 * CPython cannot load such a module either, and carving the rest would cost the scan of every broken file
 * (the benchmark's synthetic .pyc files are such) for strings no program reads.
 */
export function pycConstants(pyc: Buffer): Buffer[] | undefined {
  const layout = pycLayout(pyc);
  if (!layout) return undefined;
  const reader = new MarshalReader(pyc, HEADER, layout);
  try {
    reader.object(false, 0);
  } catch {
    // Keep what was read.
  }
  return reader.constants;
}

/** The strings a .pyc gives the scan: its constants, or for another version the fallback's strings. */
export function pycStrings(pyc: Buffer): Buffer[] {
  const constants = pycConstants(pyc);
  if (constants) return constants;
  const carved = carvedStrings(pyc);
  return carved.length > 0 ? carved : printableRuns(pyc);
}

/** Header length of a marshal string by type code (FLAG_REF ignored): 2 for short ASCII, 5 for the rest, else 0. */
const STRING_HEAD = Uint8Array.from({ length: 256 }, (_, code) => {
  const type = String.fromCharCode(code & ~FLAG_REF);
  return type === "z" || type === "Z" ? 2 : "aAuts".includes(type) ? 5 : 0;
});
/** 1 for the bytes text may hold: all but control bytes other than tab and line breaks (>= 0x80 is UTF-8). */
const TEXT = Uint8Array.from({ length: 256 }, (_, b) => ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f ? 0 : 1));

/**
 * Strings found by their marshal headers alone, without knowing the layout around them: a string type
 * code (with or without FLAG_REF), its length (one byte for short ASCII, four otherwise) and that many
 * bytes of text. After a string is taken the search goes on past it, so its contents are not carved again.
 */
export function carvedStrings(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; ) {
    const head = STRING_HEAD[buf[i]!]!;
    if (head > 0 && i + head <= buf.length) {
      const n = head === 2 ? buf[i + 1]! : buf.readUInt32LE(i + 1);
      const end = i + head + n;
      if (n >= MIN_RUN && end <= buf.length && isText(buf, i + head, end)) {
        out.push(buf.subarray(i + head, end));
        i = end;
        continue;
      }
    }
    i++;
  }
  return out;
}

function isText(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!TEXT[buf[i]!]) return false;
  return true;
}

/** Runs of printable ASCII (with tab and line breaks) of at least 8 bytes: the last resort, when nothing carves. */
export function printableRuns(buf: Buffer): Buffer[] {
  const runs: Buffer[] = [];
  let start = -1;
  for (let i = 0; i <= buf.length; i++) {
    const b = i < buf.length ? buf[i]! : 0;
    const printable = (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d;
    if (printable) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      if (i - start >= MIN_RUN) runs.push(buf.subarray(start, i));
      start = -1;
    }
  }
  return runs;
}

const NULL = Symbol("null");
type Value = Buffer | typeof NULL | undefined;

/** Reads marshal objects from `pos`, keeping strings for FLAG_REF back-references and collecting constants. */
class MarshalReader {
  readonly constants: Buffer[] = [];
  private readonly seen = new Set<string>();
  /** Values of objects stored with FLAG_REF, by index; containers keep undefined. */
  private readonly refs: Value[] = [];

  constructor(private readonly buf: Buffer, private pos: number, private readonly layout: Layout) {}

  /** Reads one object; strings and bytes are collected when `collect` (inside co_consts). */
  object(collect: boolean, depth: number): Value {
    if (depth > MAX_NESTING) throw new Error("nested too deep");
    const code = this.u8();
    const slot = code & FLAG_REF ? this.refs.push(undefined) - 1 : -1;
    const value = this.body(String.fromCharCode(code & ~FLAG_REF), collect, depth);
    if (slot >= 0) this.refs[slot] = value;
    if (collect && value instanceof Buffer) this.collect(value);
    return value;
  }

  private body(type: string, collect: boolean, depth: number): Value {
    switch (type) {
      case "0": return NULL;
      case "N": case "F": case "T": case "S": case ".": return undefined;
      case "i": return this.skip(4);
      case "I": case "g": return this.skip(8);
      case "y": return this.skip(16);
      case "l": return this.skip(Math.abs(this.i32()) * 2);
      case "f": return this.skip(this.u8());
      case "x": this.skip(this.u8()); return this.skip(this.u8());
      case "s": case "t": case "u": case "a": case "A": return this.bytes(this.u32());
      case "z": case "Z": return this.bytes(this.u8());
      case "r": return this.ref();
      case "(": case "[": case "<": case ">": return this.items(this.u32(), collect, depth);
      case ")": return this.items(this.u8(), collect, depth);
      case ":": return this.items(3, collect, depth); // a slice (3.14), should one appear
      case "{": return this.dict(collect, depth);
      case "c": return this.code(depth);
      default: throw new Error(`marshal type ${JSON.stringify(type)} at ${this.pos - 1}`);
    }
  }

  private items(n: number, collect: boolean, depth: number): undefined {
    for (let i = 0; i < n; i++) this.object(collect, depth + 1);
    return undefined;
  }

  private dict(collect: boolean, depth: number): undefined {
    while (this.object(collect, depth + 1) !== NULL) this.object(collect, depth + 1);
    return undefined;
  }

  /** A code object: only co_consts is collected, from this one and every code object nested in it. */
  private code(depth: number): undefined {
    this.skip(this.layout === "3.8" ? 24 : 20); // argcount ... flags
    this.object(false, depth + 1); // co_code
    this.object(true, depth + 1); // co_consts
    // 3.8: names, varnames, freevars, cellvars, filename, name; 3.11: names, localsplusnames,
    // localspluskinds, filename, name, qualname. Six objects either way.
    for (let i = 0; i < 6; i++) this.object(false, depth + 1);
    this.skip(4); // firstlineno
    this.object(false, depth + 1); // lnotab / linetable
    if (this.layout === "3.11") this.object(false, depth + 1); // exception table
    return undefined;
  }

  private ref(): Value {
    const i = this.u32();
    if (i >= this.refs.length) throw new Error(`marshal ref ${i} of ${this.refs.length}`);
    return this.refs[i];
  }

  private collect(value: Buffer): void {
    const key = value.toString("latin1");
    if (value.length === 0 || this.seen.has(key)) return;
    this.seen.add(key);
    this.constants.push(value);
  }

  private bytes(n: number): Buffer {
    const at = this.pos;
    this.skip(n);
    return this.buf.subarray(at, at + n);
  }

  private skip(n: number): undefined {
    if (this.pos + n > this.buf.length) throw new Error("marshal data ends early");
    this.pos += n;
    return undefined;
  }

  private u8(): number {
    if (this.pos >= this.buf.length) throw new Error("marshal data ends early");
    return this.buf[this.pos++]!;
  }

  private u32(): number {
    const v = this.i32();
    if (v < 0) throw new Error("negative marshal length");
    return v;
  }

  private i32(): number {
    if (this.pos + 4 > this.buf.length) throw new Error("marshal data ends early");
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
}
