/**
 * The dispatcher: which packed or encoded format a file is (by its first bytes, and by its name only where
 * the format has no magic), and the guarded sink that unpacks an archive. Formats, one module each:
 * zip family (./zip.ts), gzip (./gzip.ts), tar (./tar.ts), .pyc constants (./pyc.ts), UTF-16 (./utf16.ts).
 */
import type { ContentSink } from "../../image/types.js";
import { NULL_SINK, guarded, type ArchiveContext } from "./context.js";
import { gzipSink, looksLikeGzip } from "./gzip.js";
import { looksLikePyc } from "./pyc.js";
import { TarSink, looksLikeTar } from "./tar.js";
import { sniffUtf16, type Utf16 } from "./utf16.js";
import { ZIP_EXTENSIONS, looksLikeZip, zipSink } from "./zip.js";

export type ArchiveKind = "zip" | "gzip" | "tar";
export type PackedKind = ArchiveKind | "pyc" | Utf16;

export { ArchiveStop, ImageBudget, NULL_SINK, UNPACK_DEFAULTS, noteOnce } from "./context.js";
export type { ArchiveContext, UnpackLimits, UnpackOptions } from "./context.js";
export { pycStrings } from "./pyc.js";
export { sniffUtf16, utf16Sink } from "./utf16.js";

/**
 * The format a file's magic bytes say (or a UTF-16 byte order mark), undefined for anything else. A few byte
 * comparisons: it runs on every file, so text pays next to nothing for it.
 */
export function sniffMagic(head: Buffer, path: string): PackedKind | undefined {
  if (looksLikeZip(head)) return "zip";
  if (looksLikeGzip(head)) return "gzip";
  if (looksLikePyc(head, path)) return "pyc";
  if (looksLikeTar(head, path)) return "tar";
  if (head[0] === 0xff || head[0] === 0xfe) return sniffUtf16(head);
  return undefined;
}

export function isArchive(kind: PackedKind): kind is ArchiveKind {
  return kind === "zip" || kind === "gzip" || kind === "tar";
}

/**
 * A sink that unpacks the archive `ctx` describes, every failure turned into its one note. An archive
 * nested deeper than maxDepth gets a note instead; once the image's budget is spent (its note was left
 * where that happened) archives are no longer opened.
 */
export function archiveSink(kind: ArchiveKind, ctx: ArchiveContext, size?: number): ContentSink {
  const { maxDepth } = ctx.limits;
  if (ctx.depth >= maxDepth) {
    ctx.problem(`archive nested ${ctx.depth + 1} deep, deeper than maxDepth (${maxDepth}); not unpacked`);
    return NULL_SINK;
  }
  if (ctx.budget.exhausted) return NULL_SINK;
  const inner = kind === "zip" ? zipSink(ctx, size, ZIP_EXTENSIONS.test(ctx.path)) : kind === "gzip" ? gzipSink(ctx) : new TarSink(ctx);
  return guarded(ctx, inner);
}
