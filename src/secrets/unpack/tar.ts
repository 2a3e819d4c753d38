/**
 * A tar's members, streamed to the scanner. A small synchronous parser rather than tar-stream: a
 * ContentSink's write() returns nothing to await, and tar-stream's extractor (streamx) hands out entries
 * asynchronously, after the sink has already been ended. Reads ustar, GNU long names and pax `path`/`size`;
 * every other entry type is skipped by its size.
 */
import type { ContentSink } from "../../image/types.js";
import { normalisePath } from "../../image/paths.js";
import { ArchiveStop, memberCut, type ArchiveContext } from "./context.js";

const BLOCK = 512;
/** GNU long names and pax records are a few hundred bytes; anything bigger is not a real header. */
const MAX_META_BYTES = 1024 * 1024;

/** True when `head` starts with a tar header: ustar magic, or (for `.tar` files) a header checksum that adds up. */
export function looksLikeTar(head: Buffer, path: string): boolean {
  if (head.length < BLOCK) return false;
  if (isUstar(head)) return true;
  return /\.tar$/i.test(path) && checksumOk(head.subarray(0, BLOCK));
}

/** "ustar" at offset 257, compared byte by byte: this runs on every file, and a string would cost one each. */
function isUstar(h: Buffer): boolean {
  return h[257] === 0x75 && h[258] === 0x73 && h[259] === 0x74 && h[260] === 0x61 && h[261] === 0x72;
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum === parseNumber(h, 148, 8) && sum !== 8 * 0x20;
}

/** An octal field, or GNU base-256 when the high bit of its first byte is set. */
function parseNumber(h: Buffer, at: number, len: number): number {
  if (h[at]! & 0x80) {
    let n = h[at]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + h[at + i]!;
    return n;
  }
  const s = h.toString("latin1", at, at + len).replace(/\0.*$/s, "").trim();
  return s === "" ? 0 : parseInt(s, 8);
}

function cString(h: Buffer, at: number, len: number): string {
  const end = h.indexOf(0, at);
  return h.toString("utf8", at, end < 0 || end > at + len ? at + len : end);
}

type Entry =
  | { kind: "member"; name: string; sink: ContentSink; size: number; sent: number; cut?: boolean }
  | { kind: "meta"; type: string; chunks: Buffer[]; length: number }
  | { kind: "skip" };

/** Streams the tar's regular files to `ctx.openMember`; a corrupt header or a cut-off tar stops it with a note. */
export class TarSink implements ContentSink {
  private header = Buffer.alloc(BLOCK);
  private headerLen = 0;
  private entry?: Entry;
  /** Data bytes left in the current entry, then padding bytes to the next block. */
  private dataLeft = 0;
  private padLeft = 0;
  private zeroBlocks = 0;
  private longName?: string;
  private paxPath?: string;
  private paxSize?: number;

  constructor(private readonly ctx: ArchiveContext) {}

  write(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.zeroBlocks < 2) {
      if (this.dataLeft > 0) at += this.data(chunk.subarray(at, at + this.dataLeft));
      else if (this.padLeft > 0) {
        const n = Math.min(this.padLeft, chunk.length - at);
        this.padLeft -= n;
        at += n;
      } else at += this.headerBytes(chunk, at);
    }
  }

  end(): void {
    if (this.dataLeft > 0 && this.entry?.kind === "member") {
      this.entry.sink.end();
      throw new ArchiveStop(`truncated: member ${this.entry.name.slice(0, 200)} ends ${this.dataLeft} bytes early`);
    }
    if (this.dataLeft > 0 || this.headerLen > 0) throw new ArchiveStop("truncated: the tar ends inside an entry");
  }

  private headerBytes(chunk: Buffer, at: number): number {
    const n = Math.min(BLOCK - this.headerLen, chunk.length - at);
    chunk.copy(this.header, this.headerLen, at, at + n);
    this.headerLen += n;
    if (this.headerLen === BLOCK) {
      this.headerLen = 0;
      this.parseHeader(this.header);
    }
    return n;
  }

  private data(part: Buffer): number {
    const e = this.entry!;
    if (e.kind === "member") this.memberData(e, part);
    else if (e.kind === "meta") {
      e.chunks.push(Buffer.from(part));
      e.length += part.length;
    }
    this.dataLeft -= part.length;
    if (this.dataLeft === 0) this.finishEntry();
    return part.length;
  }

  private memberData(e: Extract<Entry, { kind: "member" }>, part: Buffer): void {
    const room = this.ctx.limits.maxMemberBytes - e.sent;
    if (part.length > room && !e.cut) {
      e.cut = true;
      memberCut(this.ctx, e.name);
    }
    if (room <= 0) return;
    // Not counted against the image's budget: a tar's members are its own bytes, already paid for by
    // whoever produced them (the layer, a zip member, the gzip stream around the tar).
    const send = part.length > room ? part.subarray(0, room) : part;
    e.sent += send.length;
    e.sink.write(send);
  }

  private parseHeader(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      this.zeroBlocks++;
      return;
    }
    if (!checksumOk(h)) throw new ArchiveStop("corrupt: a tar header's checksum does not add up; not unpacked further");
    this.zeroBlocks = 0;
    const type = String.fromCharCode(h[156]!);
    const size = this.paxSize ?? parseNumber(h, 124, 12);
    const prefix = isUstar(h) ? cString(h, 345, 155) : "";
    const raw = this.longName ?? this.paxPath ?? (prefix ? `${prefix}/${cString(h, 0, 100)}` : cString(h, 0, 100));
    if (type !== "L" && type !== "x") this.longName = this.paxPath = this.paxSize = undefined;
    this.dataLeft = size;
    this.padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
    this.entry = this.entryFor(type, raw, size);
    if (size === 0) this.finishEntry();
  }

  private entryFor(type: string, raw: string, size: number): Entry {
    if (type === "L" || type === "x") {
      if (size > MAX_META_BYTES) throw new ArchiveStop(`corrupt: a ${type === "L" ? "long name" : "pax header"} of ${size} bytes`);
      return { kind: "meta", type, chunks: [], length: 0 };
    }
    if (type !== "0" && type !== "\0" && type !== "7") return { kind: "skip" };
    return { kind: "member", name: raw, sink: this.ctx.openMember(memberName(this.ctx, raw), size), size, sent: 0 };
  }

  private finishEntry(): void {
    const e = this.entry;
    this.entry = undefined;
    if (e?.kind === "member") e.sink.end();
    if (e?.kind !== "meta") return;
    const text = Buffer.concat(e.chunks, e.length).toString("utf8");
    if (e.type === "L") this.longName = text.replace(/\0.*$/s, "");
    else this.readPax(text);
  }

  /** Pax records, "<length> <key>=<value>\n": only path and size matter here. */
  private readPax(text: string): void {
    for (const m of text.matchAll(/^\d+ (path|size)=(.*)$/gm)) {
      if (m[1] === "path") this.paxPath = m[2];
      else this.paxSize = Number(m[2]);
    }
  }
}

/**
 * The member's name as the scan reports it. A name that climbs out of the archive (`../`) is what a
 * careless extractor writes outside its target: the member is still scanned, under its raw name, and
 * the archive gets a note (as the image reader does for layer entries).
 */
export function memberName(ctx: Pick<ArchiveContext, "problem">, raw: string): string {
  const n = normalisePath(raw);
  if (n.ok && n.path !== "") return n.path;
  ctx.problem(`member name "${raw.slice(0, 200)}" escapes the archive; scanned under its raw name`);
  return raw.slice(0, 256);
}
