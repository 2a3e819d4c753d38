/**
 * Zip-family archives (.zip, .whl, .egg, .jar, and any file with a zip's magic): the whole file is buffered
 * (up to maxZipBytes), because the truth of a zip is its central directory, at the end; then each member is
 * read from its local header and inflated with fflate, guarded (see ./inflate.ts).
 */
import type { ContentSink } from "../../image/types.js";
import { CappedBuffer } from "./buffer.js";
import { ArchiveStop, memberCut, type ArchiveContext } from "./context.js";
import { GuardedInflate, MemberFull } from "./inflate.js";
import { memberName } from "./tar.js";

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** The end record is 22 bytes plus a comment of up to 64 KiB. */
const EOCD_SEARCH = 22 + 0xffff;
const STORED_CHUNK = 64 * 1024;

/**
 * A file not named like a zip is unpacked by its magic up to this size: formats built on zip (PyTorch
 * weights, .npz, office files) run to hundreds of MiB and hold no packed tree worth buffering, and many
 * buffers of maxZipBytes in a row would raise the scan's peak memory for nothing.
 */
export const UNNAMED_ZIP_BYTES = 4 * 1024 * 1024;

/** Extensions that say "zip" out loud: such a file that cannot be read as one gets a note. */
export const ZIP_EXTENSIONS = /\.(zip|whl|egg|jar)$/i;

export function looksLikeZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

interface ZipMember {
  name: string;
  flags: number;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/**
 * Buffers the zip, then scans its members at end(). A file that starts like a zip but has no central
 * directory, or is too big to buffer, is only worth a note when its name says zip: weights, office files
 * and other formats built on zip are not unpacked archives someone shipped.
 */
export function zipSink(ctx: ArchiveContext, size: number | undefined, warnUnreadable: boolean): ContentSink {
  const max = warnUnreadable ? ctx.limits.maxZipBytes : Math.min(ctx.limits.maxZipBytes, UNNAMED_ZIP_BYTES);
  if (size !== undefined && size > max) return tooBig(ctx, size, warnUnreadable);
  const buf = new CappedBuffer(max, size);
  return {
    write: (chunk) => buf.push(chunk),
    end() {
      if (buf.full) return void tooBig(ctx, size, warnUnreadable);
      const bytes = buf.bytes();
      const members = readDirectory(bytes, warnUnreadable);
      if (members) extractAll(ctx, bytes, members);
    },
  };
}

function tooBig(ctx: ArchiveContext, size: number | undefined, warn: boolean): ContentSink {
  if (warn) ctx.problem(`zip of ${size ?? `over ${ctx.limits.maxZipBytes}`} bytes is larger than maxZipBytes (${ctx.limits.maxZipBytes}); its members were not scanned`);
  return { write: () => undefined, end: () => undefined };
}

/** The central directory's members, or undefined when there is none and the name does not claim a zip. */
function readDirectory(buf: Buffer, warn: boolean): ZipMember[] | undefined {
  const end = findEnd(buf);
  if (end < 0) {
    if (warn) throw new ArchiveStop("not a readable zip: no end of central directory (truncated or corrupt)");
    return undefined;
  }
  let count = buf.readUInt16LE(end + 10);
  let offset = buf.readUInt32LE(end + 16);
  if (offset === 0xffffffff || count === 0xffff) ({ count, offset } = zip64End(buf, end));
  const members: ZipMember[] = [];
  for (let i = 0, at = offset; i < count; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== CENTRAL) throw new ArchiveStop(`corrupt zip: central directory entry ${i} is missing or damaged`);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const member: ZipMember = {
      name: buf.toString("utf8", at + 46, at + 46 + nameLen),
      flags: buf.readUInt16LE(at + 8),
      method: buf.readUInt16LE(at + 10),
      compressedSize: buf.readUInt32LE(at + 20),
      size: buf.readUInt32LE(at + 24),
      localOffset: buf.readUInt32LE(at + 42),
    };
    applyZip64(member, buf.subarray(at + 46 + nameLen, at + 46 + nameLen + extraLen));
    members.push(member);
    at += 46 + nameLen + extraLen + buf.readUInt16LE(at + 32);
  }
  return members;
}

function findEnd(buf: Buffer): number {
  for (let at = buf.length - 22; at >= Math.max(0, buf.length - EOCD_SEARCH); at--) {
    if (buf.readUInt32LE(at) === EOCD) return at;
  }
  return -1;
}

function zip64End(buf: Buffer, end: number): { count: number; offset: number } {
  const loc = end - 20;
  if (loc < 0 || buf.readUInt32LE(loc) !== EOCD64_LOCATOR) throw new ArchiveStop("corrupt zip: zip64 end record missing");
  const at = Number(buf.readBigUInt64LE(loc + 8));
  if (at + 56 > buf.length || buf.readUInt32LE(at) !== EOCD64) throw new ArchiveStop("corrupt zip: zip64 end record damaged");
  return { count: Number(buf.readBigUInt64LE(at + 32)), offset: Number(buf.readBigUInt64LE(at + 48)) };
}

/** The zip64 extra field (id 1) holds, in order, whichever of size, compressed size and offset were 0xffffffff. */
function applyZip64(m: ZipMember, extra: Buffer): void {
  for (let at = 0; at + 4 <= extra.length; at += 4 + extra.readUInt16LE(at + 2)) {
    if (extra.readUInt16LE(at) !== 1) continue;
    let p = at + 4;
    const next = (): number | undefined => (p + 8 <= extra.length ? Number(extra.readBigUInt64LE((p += 8) - 8)) : undefined);
    if (m.size === 0xffffffff) m.size = next() ?? m.size;
    if (m.compressedSize === 0xffffffff) m.compressedSize = next() ?? m.compressedSize;
    if (m.localOffset === 0xffffffff) m.localOffset = next() ?? m.localOffset;
    return;
  }
}

/** Scans every member; overlapping members (the zip bomb that reuses one compressed body) stop the archive. */
function extractAll(ctx: ArchiveContext, buf: Buffer, members: ZipMember[]): void {
  const spans = members.map((m) => ({ m, start: m.localOffset, end: dataStart(buf, m) + m.compressedSize }));
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start < sorted[i - 1]!.end) throw new ArchiveStop("members overlap (a zip bomb that reuses one compressed body); not unpacked");
  }
  for (const { m, end } of spans) {
    if (m.name.endsWith("/")) continue;
    if (end > buf.length) throw new ArchiveStop(`truncated: member ${m.name.slice(0, 200)} runs past the end of the zip`);
    extractOne(ctx, buf.subarray(dataStart(buf, m), end), m);
  }
}

function dataStart(buf: Buffer, m: ZipMember): number {
  const at = m.localOffset;
  if (at + 30 > buf.length || buf.readUInt32LE(at) !== LOCAL) throw new ArchiveStop(`corrupt zip: no local header for member ${m.name.slice(0, 200)}`);
  return at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
}

/** One member, stored or deflated, to its sink; encrypted members and other methods are noted and skipped. */
function extractOne(ctx: ArchiveContext, data: Buffer, m: ZipMember): void {
  if (m.flags & 1) return ctx.problem(`encrypted member ${m.name.slice(0, 200)} not scanned`);
  if (m.method !== 0 && m.method !== 8) return ctx.problem(`member ${m.name.slice(0, 200)} uses compression method ${m.method}; not scanned`);
  const sink = ctx.openMember(memberName(ctx, m.name), m.size);
  const maxOut = ctx.limits.maxMemberBytes;
  if (m.method === 0) {
    const part = data.subarray(0, maxOut);
    ctx.budget.take(part.length);
    for (let at = 0; at < part.length; at += STORED_CHUNK) sink.write(part.subarray(at, at + STORED_CHUNK));
    if (data.length > maxOut) memberCut(ctx, m.name);
  } else {
    const inflate = new GuardedInflate("deflate", { limits: ctx.limits, budget: ctx.budget, maxOut }, (b) => sink.write(b));
    try {
      inflate.push(data, true);
    } catch (e) {
      if (!(e instanceof MemberFull)) throw e;
      memberCut(ctx, m.name);
    }
  }
  sink.end();
}
