/**
 * Stream one layer blob out of the outer tarball (random access, nothing extracted): hash the stored bytes,
 * sniff and decompress, hash the tar, walk its entries, feed file contents to visitors and capture.
 * Memory stays bounded: bytes flow through in chunks and are never gathered (captured files excepted, capped).
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { TransformOptions } from "node:stream";
import { createGunzip, type ZlibOptions } from "node:zlib";
import { extract as tarExtract, type Extract, type Header as Headers } from "tar-stream";
import type {
  CapturedFile, Compression, ContentSink, ContentVisitor, FileEntry, LayerInfo, LayerRef, ReadProblem,
} from "./types.js";
import { ImageReadError } from "./types.js";
import type { OuterEntry } from "./outer.js";
import { errMessage } from "./outer.js";
import type { LayerLocation } from "./manifest.js";
import { baseOf, normalisePath, parentOf, resolveLinkTarget } from "./paths.js";
import { zstdDecompress } from "./zstd.js";

/** Shared, per-read state and limits a layer read needs. */
export interface LayerContext {
  tarballPath: string;
  visitors: ContentVisitor[];
  capture: Set<string>;
  maxCaptureBytes: number;
  maxLayerBytes: number;
  maxCompressionRatio: number;
  problems: ReadProblem[];
  captured: Map<string, CapturedFile>;
  /** Called with stored bytes read in this layer so far. */
  progress(storedBytes: number): void;
}

/** Thrown by visitor code: a bug in a consumer, passed through unwrapped. */
class VisitorError extends Error {
  constructor(readonly inner: unknown) {
    super(errMessage(inner));
  }
}

const RATIO_MIN_BYTES = 64 * 1024 * 1024;
const PROGRESS_STEP = 16 * 1024 * 1024;

/** Sniff the compression from the first bytes of the blob (magic bytes win over media types). */
export async function sniffCompression(path: string, entry: OuterEntry): Promise<Compression> {
  if (entry.size < 4) return "none";
  const fh = await open(path, "r");
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, entry.offset);
    if (b[0] === 0x1f && b[1] === 0x8b) return "gzip";
    if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return "zstd";
    return "none";
  } finally {
    await fh.close();
  }
}

const GUNZIP_CHUNK = 1024 * 1024;
/**
 * zlib inflates on libuv's thread pool: letting it run this far ahead of the consumer keeps it busy on the
 * other core while this thread parses and scans, instead of taking turns (its default buffers one chunk).
 */
const GUNZIP_OPTIONS: ZlibOptions & TransformOptions = { chunkSize: GUNZIP_CHUNK, highWaterMark: 4 * GUNZIP_CHUNK };

/** Read one layer; throws ImageReadError naming the layer when it is corrupt, truncated, a bomb or tampered. */
export async function readLayer(
  ctx: LayerContext, loc: LayerLocation, blob: OuterEntry, ref: LayerRef, expectedDiffId: string | undefined,
): Promise<LayerInfo> {
  const where = `layer ${ref.index} (${loc.name}) of ${ctx.tarballPath}`;
  const compression = await sniffCompression(ctx.tarballPath, blob);
  if (loc.declared && loc.declared !== compression) {
    ctx.problems.push({
      code: "compression-mismatch", layerIndex: ref.index,
      message: `${where}: media type says ${loc.declared} but the bytes are ${compression}; read as ${compression}`,
    });
  }
  const info: LayerInfo = { ...ref, diffId: "", size: blob.size, uncompressedSize: 0, compression, entries: [], whiteouts: [] };
  const storedHash = createHash("sha256");
  const diffHash = createHash("sha256");
  let stored = 0;
  let lastProgress = 0;

  const countStored = async function* (src: AsyncIterable<Buffer>) {
    for await (const c of src) {
      storedHash.update(c);
      stored += c.length;
      if (stored - lastProgress >= PROGRESS_STEP) { lastProgress = stored; ctx.progress(stored); }
      yield c;
    }
  };
  // An uncompressed layer's stored bytes are its tar: one hash serves as digest and diff_id.
  const hashTar = compression !== "none";
  const countTar = async function* (src: AsyncIterable<Buffer>) {
    for await (const c of src) {
      if (hashTar) diffHash.update(c);
      info.uncompressedSize += c.length;
      guardBomb(ctx, where, info.uncompressedSize, stored, compression);
      yield c;
    }
  };
  const ex = tarExtract();
  const abort = new AbortController();
  const source = blob.size > 0
    ? createReadStream(ctx.tarballPath, { start: blob.offset, end: blob.offset + blob.size - 1, highWaterMark: 1 << 20 })
    : Readable.from([]);
  const opts = { signal: abort.signal };
  const fed = (compression === "gzip"
    ? pipeline(source, countStored, createGunzip(GUNZIP_OPTIONS), countTar, feedTar(ex), opts)
    : pipeline(source, countStored, compression === "zstd" ? zstdDecompress : passThrough, countTar, feedTar(ex), opts))
    .catch((e: unknown) => { ex.destroy(e instanceof Error ? e : new Error(String(e))); throw e; });
  const walked = walkEntries(ctx, ex, ref, info).catch((e: unknown) => { abort.abort(); throw e; });
  const [f, w] = await Promise.allSettled([fed, walked]);
  // The root cause wins: a visitor bug, else the byte pipeline's own error (bomb, gzip), else the tar
  // parser's; an AbortError only echoes the walker having failed first.
  const reasons = [w, f].filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => r.reason as unknown);
  const cause = reasons.find((r) => r instanceof VisitorError)
    ?? (f.status === "rejected" && !isAbort(f.reason) ? f.reason : undefined) ?? reasons[0];
  if (reasons.length > 0) throw toReadError(cause, where, compression);

  const digest = `sha256:${storedHash.digest("hex")}`;
  info.diffId = hashTar ? `sha256:${diffHash.digest("hex")}` : digest;
  if (loc.expectedDigest && loc.expectedDigest !== digest) {
    throw new ImageReadError(`${where}: stored bytes hash to ${digest}, the manifest says ${loc.expectedDigest}; the tarball is corrupt or tampered, export it again`);
  }
  info.digest = digest;
  if (expectedDiffId !== undefined && expectedDiffId !== info.diffId) {
    ctx.problems.push({
      code: "diffid-mismatch", layerIndex: ref.index,
      message: `${where}: uncompressed tar hashes to ${info.diffId}, config rootfs.diff_ids says ${expectedDiffId}`,
    });
  }
  return info;
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && e.name === "AbortError";
}

function guardBomb(ctx: LayerContext, where: string, out: number, stored: number, c: Compression): void {
  if (out > ctx.maxLayerBytes) {
    throw new ImageReadError(`${where}: uncompressed size exceeds maxLayerBytes (${ctx.maxLayerBytes}); a decompression bomb or a huge layer: raise maxLayerBytes if it is legitimate`);
  }
  if (c !== "none" && out > RATIO_MIN_BYTES && out / Math.max(stored, 1) > ctx.maxCompressionRatio) {
    throw new ImageReadError(`${where}: compression ratio over ${ctx.maxCompressionRatio}:1, a likely decompression bomb; raise maxCompressionRatio if it is legitimate`);
  }
}

async function* passThrough(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield* src;
}

/** Final pipeline stage: write into tar-stream's extract, honouring its backpressure. */
function feedTar(ex: Extract) {
  return async (src: AsyncIterable<Buffer>): Promise<void> => {
    for await (const c of src) {
      if (!ex.write(c)) await drainOrClose(ex);
    }
    // streamx's end() takes an optional chunk; its typings say otherwise.
    (ex as unknown as { end(): void }).end();
  };
}

function drainOrClose(ex: Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = () => { ex.off("drain", done); ex.off("close", done); resolve(); };
    ex.on("drain", done);
    ex.on("close", done);
  });
}

function toReadError(e: unknown, where: string, c: Compression): Error {
  if (e instanceof ImageReadError) return e;
  if (e instanceof VisitorError) return e.inner instanceof Error ? e.inner : new Error(String(e.inner));
  const msg = errMessage(e);
  const hint = /invalid tar header/i.test(msg)
    ? `not a tar archive${c === "none" ? " (nor gzip/zstd)" : ` after ${c} decompression`}`
    : msg;
  return new ImageReadError(`${where}: ${hint}; the layer is corrupt or truncated, export the image again`);
}

async function walkEntries(ctx: LayerContext, ex: Extract, ref: LayerRef, info: LayerInfo): Promise<void> {
  for await (const entry of ex as AsyncIterable<Readable & { header: Headers }>) {
    const fe = classify(ctx, entry.header, ref, info);
    if (!fe) {
      // A file whose name escapes the root is no part of the filesystem, but its bytes ship in the
      // tarball (and a careless extractor writes them): visitors still see them, under the raw name.
      const stray = strayFile(entry.header);
      if (stray) await streamContent(ctx, entry, ref, stray);
      else entry.resume();
      continue;
    }
    info.entries.push(fe);
    if (fe.type === "file") await streamContent(ctx, entry, ref, fe);
    else entry.resume();
  }
}

/** A regular file whose name escapes the image root (already recorded as path-traversal), under its raw name. */
function strayFile(h: Headers): FileEntry | undefined {
  if ((h.type !== "file" && h.type !== "contiguous-file") || normalisePath(h.name).ok) return undefined;
  return { path: h.name.slice(0, 256), type: "file", size: h.size ?? 0, mode: h.mode ?? 0, uid: h.uid ?? 0, gid: h.gid ?? 0 };
}

/** Turn a tar header into a FileEntry, or record a whiteout / problem and return undefined. */
function classify(ctx: LayerContext, h: Headers, ref: LayerRef, info: LayerInfo): FileEntry | undefined {
  const n = normalisePath(h.name);
  if (!n.ok) {
    ctx.problems.push({ code: "path-traversal", layerIndex: ref.index, path: h.name.slice(0, 256), message: `entry name "${h.name.slice(0, 256)}" escapes the image root; left out of the filesystem, its content still scanned` });
    return undefined;
  }
  if (n.path === "") return undefined;
  const base = baseOf(n.path);
  if (base.startsWith(".wh.")) {
    recordWhiteout(ctx, n.path, base, ref, info);
    return undefined;
  }
  const type = h.type === "file" || h.type === "contiguous-file" ? "file" : h.type === "directory" ? "dir"
    : h.type === "symlink" ? "symlink" : h.type === "link" ? "hardlink" : "other";
  const fe: FileEntry = { path: n.path, type, size: type === "file" ? (h.size ?? 0) : 0, mode: h.mode ?? 0, uid: h.uid ?? 0, gid: h.gid ?? 0 };
  if ((type === "symlink" || type === "hardlink") && h.linkname) {
    fe.linkname = h.linkname;
    if (resolveLinkTarget(n.path, h.linkname, type) === undefined) {
      ctx.problems.push({ code: "link-escape", layerIndex: ref.index, path: n.path, message: `${type} ${n.path} -> ${h.linkname.slice(0, 256)} points outside the image root` });
    }
  }
  return fe;
}

function recordWhiteout(ctx: LayerContext, path: string, base: string, ref: LayerRef, info: LayerInfo): void {
  const dir = parentOf(path);
  if (base === ".wh..wh..opq") {
    info.whiteouts.push({ path: dir, opaque: true });
    dropCaptured(ctx, ref.index, (p) => dir === "" || p.startsWith(`${dir}/`));
    return;
  }
  if (base.startsWith(".wh..wh.")) return; // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): not a deletion
  const target = dir === "" ? base.slice(4) : `${dir}/${base.slice(4)}`;
  info.whiteouts.push({ path: target, opaque: false });
  dropCaptured(ctx, ref.index, (p) => p === target || p.startsWith(`${target}/`));
}

/** Captured copies reflect the final filesystem: a deletion (of the file or a directory above it) in a later layer removes them. */
function dropCaptured(ctx: LayerContext, layerIndex: number, deleted: (path: string) => boolean): void {
  for (const [path, file] of ctx.captured) {
    if (file.layerIndex < layerIndex && deleted(path)) ctx.captured.delete(path);
  }
}

/** Feed one regular file's bytes to visitor sinks and capture, chunk by chunk. */
async function streamContent(ctx: LayerContext, entry: AsyncIterable<Buffer>, ref: LayerRef, fe: FileEntry): Promise<void> {
  const sinks: ContentSink[] = [];
  for (const v of ctx.visitors) {
    const s = callVisitor(() => v.open({ layer: ref, entry: fe }));
    if (s) sinks.push(s);
  }
  const capturing = ctx.capture.has(fe.path);
  const kept: Buffer[] = [];
  let keptBytes = 0;
  for await (const chunk of entry) {
    for (const s of sinks) callVisitor(() => s.write(chunk));
    if (capturing && keptBytes < ctx.maxCaptureBytes) {
      const part = chunk.subarray(0, ctx.maxCaptureBytes - keptBytes);
      kept.push(Buffer.from(part));
      keptBytes += part.length;
    }
  }
  for (const s of sinks) callVisitor(() => s.end());
  if (capturing) {
    if (fe.size > ctx.maxCaptureBytes) {
      ctx.problems.push({ code: "capture-truncated", layerIndex: ref.index, path: fe.path, message: `${fe.path} is ${fe.size} bytes; captured the first ${ctx.maxCaptureBytes}` });
    }
    ctx.captured.set(fe.path, { path: fe.path, layerIndex: ref.index, content: Buffer.concat(kept) });
  }
}

function callVisitor<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new VisitorError(e);
  }
}
