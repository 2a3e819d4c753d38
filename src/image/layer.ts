/**
 * One layer of an image. Its bytes (read, hashed, decompressed, the tar parsed: ./layer-bytes.mjs) come
 * either from this thread's own pipeline or from a worker thread (./layer-pipe.ts, ./layer-worker.mjs);
 * either way a LayerWalk, on the main thread, turns each entry into the index (entries, whiteouts,
 * problems), keeps captured files and hands every regular file's bytes to the visitors, in archive order.
 * Memory stays bounded: bytes flow through in chunks and are never gathered (captured files excepted, capped).
 */
import { open } from "node:fs/promises";

import type {
  CapturedFile, Compression, ContentSink, ContentVisitor, FileEntry, LayerInfo, LayerRef, ReadProblem,
} from "./types.js";
import { ImageReadError } from "./types.js";
import type { OuterEntry } from "./outer.js";
import { errMessage } from "./outer.js";
import type { LayerLocation } from "./manifest.js";
import { type LayerPipe, type LayerWorkers, REC, WorkerUnavailable } from "./layer-pipe.js";
import { BombError, readLayerBytes, SinkFailure, type TarHeader } from "./layer-bytes.mjs";
import { zstdDecoder } from "./zstd.mjs";
import { attachEntries, EntryTable } from "./entries.js";
import { baseOf, normalisePath, parentOf, resolveLinkTarget } from "./paths.js";

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

export type { TarHeader };

/** Where a layer's bytes are read: in a worker thread, or by this thread's own pipeline ("main"). */
export type LayerThreads = "auto" | "worker" | "main";

/** Thrown by visitor code: a bug in a consumer, passed through unwrapped. */
export class VisitorError extends Error {
  constructor(readonly inner: unknown) {
    super(errMessage(inner));
  }
}

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

/** A layer about to be read: its worker already running (ahead of the layer before it), or none. */
export interface StartedLayer {
  loc: LayerLocation;
  blob: OuterEntry;
  compression: Compression;
  pipe?: LayerPipe;
}

/**
 * 512 KiB file reads and gunzip output on the main thread (1 MiB was ~7% faster and ~40 MiB bigger at peak;
 * 256 KiB ~10% slower). 128 KiB in a worker, read with blocking calls: 1 MiB pieces made and dropped by a
 * worker's thread grew the process by ~150 MiB over a 1.1 GiB image (freed, but kept by glibc's per-thread
 * arenas), and small pieces through libuv's thread pool left the worker waiting (docs/benchmarks.md).
 */
const PIECE = { main: 512 * 1024, worker: 128 * 1024 } as const;

/**
 * "auto" reads a layer in a worker where that measured faster: uncompressed layers (docker save), whose
 * reading, hashing and tar parsing then leave the main thread to the scan (~20% faster, ~60 MiB more at
 * peak: two more V8 heaps), and zstd decoded by fzstd, pure JavaScript that would otherwise take the main
 * thread's turns (~1.2x). gzip stays here: zlib inflates on its thread pool already, and a worker's extra
 * copying and messages cost what they freed (docs/benchmarks.md).
 */
function useWorker(threads: LayerThreads, compression: Compression): boolean {
  return threads === "worker" || (threads === "auto" && (compression === "none" || (compression === "zstd" && zstdDecoder === "fzstd")));
}

/** How errors name a layer. */
export function layerWhere(ctx: LayerContext, index: number, loc: LayerLocation): string {
  return `layer ${index} (${loc.name}) of ${ctx.tarballPath}`;
}

/** What the byte pipeline needs to read a layer. */
function bytesJob(ctx: LayerContext, loc: LayerLocation, blob: OuterEntry, index: number, compression: Compression, piece: number) {
  return {
    path: ctx.tarballPath, offset: blob.offset, size: blob.size, compression, where: layerWhere(ctx, index, loc),
    maxLayerBytes: ctx.maxLayerBytes, maxCompressionRatio: ctx.maxCompressionRatio, piece,
  };
}

/**
 * Sniff the blob's compression and, when it is read in a worker, start reading it there; nothing is
 * recorded until readLayer takes it.
 */
export async function startLayer(
  ctx: LayerContext, workers: LayerWorkers, threads: LayerThreads, loc: LayerLocation, blob: OuterEntry, index: number,
): Promise<StartedLayer> {
  const compression = await sniffCompression(ctx.tarballPath, blob);
  if (!useWorker(threads, compression)) return { loc, blob, compression };
  return { loc, blob, compression, pipe: workers.run(index, bytesJob(ctx, loc, blob, index, compression, PIECE.worker)) };
}

/**
 * Read one started layer; throws ImageReadError naming the layer when it is corrupt, truncated, a bomb or
 * tampered (a visitor's own exception passes through unchanged). When it throws, the layer's worker is gone.
 */
export async function readLayer(ctx: LayerContext, started: StartedLayer, ref: LayerRef, expectedDiffId: string | undefined): Promise<LayerInfo> {
  const { loc, blob, compression, pipe } = started;
  const where = layerWhere(ctx, ref.index, loc);
  if (loc.declared && loc.declared !== compression) {
    ctx.problems.push({
      code: "compression-mismatch", layerIndex: ref.index,
      message: `${where}: media type says ${loc.declared} but the bytes are ${compression}; read as ${compression}`,
    });
  }
  const table = new EntryTable();
  const info = attachEntries({ ...ref, diffId: "", size: blob.size, uncompressedSize: 0, compression, entries: [], whiteouts: [] }, table);
  const walk = new LayerWalk(ctx, ref, info, table);
  let completed = false;
  try {
    const done = pipe ? await consumeOrReadHere(ctx, started, pipe, walk, ref.index, where) : await readHere(ctx, started, ref.index, walk);
    completed = true;
    info.uncompressedSize = done.uncompressedSize;
    info.diffId = done.diffId;
    if (loc.expectedDigest && loc.expectedDigest !== done.digest) {
      throw new ImageReadError(`${where}: stored bytes hash to ${done.digest}, the manifest says ${loc.expectedDigest}; the tarball is corrupt or tampered, export it again`);
    }
    info.digest = done.digest;
  } catch (e) {
    throw e instanceof VisitorError ? (e.inner instanceof Error ? e.inner : new Error(String(e.inner))) : e;
  } finally {
    await pipe?.close(completed);
  }
  if (expectedDiffId !== undefined && expectedDiffId !== info.diffId) {
    ctx.problems.push({
      code: "diffid-mismatch", layerIndex: ref.index,
      message: `${where}: uncompressed tar hashes to ${info.diffId}, config rootfs.diff_ids says ${expectedDiffId}`,
    });
  }
  return info;
}

/** Read the layer's bytes on this thread, straight into the walk; errors become one line as a worker's do. */
async function readHere(ctx: LayerContext, started: StartedLayer, index: number, walk: LayerWalk) {
  const { loc, blob, compression } = started;
  let lastProgress = 0;
  const job = { ...bytesJob(ctx, loc, blob, index, compression, PIECE.main), nativeZstd: zstdDecoder === "native" };
  try {
    return await readLayerBytes(job, {
      header: (h) => walk.header(h),
      data: (c) => walk.data(c),
      end: () => walk.end(),
      stored: (n) => { if (n - lastProgress >= PROGRESS_STEP) { lastProgress = n; ctx.progress(n); } },
    });
  } catch (e) {
    if (e instanceof SinkFailure) throw e.inner;
    throw e instanceof BombError ? new ImageReadError(e.message) : toReadError(e, job.where, compression);
  }
}

/** The worker's batches; if the worker never started (nothing walked yet), this thread reads the layer instead. */
async function consumeOrReadHere(ctx: LayerContext, started: StartedLayer, pipe: LayerPipe, walk: LayerWalk, index: number, where: string) {
  try {
    return await consume(ctx, pipe, walk, where, started.compression);
  } catch (e) {
    if (!(e instanceof WorkerUnavailable)) throw e;
    return readHere(ctx, started, index, walk);
  }
}

/** Take the worker's batches in order through the walk until it says done; its error becomes one line. */
async function consume(ctx: LayerContext, pipe: LayerPipe, walk: LayerWalk, where: string, compression: Compression) {
  let lastProgress = 0;
  for (;;) {
    const m = await pipe.next();
    if (m.t === "error") throw m.bomb ? new ImageReadError(m.message) : toReadError(new Error(m.message), where, compression);
    if (m.t === "done") return m;
    walk.batch(Buffer.from(m.bytes, 0, m.used), m.recs);
    // The buffer goes back to the worker for its next batch: no sink holds on to it (see ContentSink).
    pipe.ack(m.bytes);
    if (m.stored - lastProgress >= PROGRESS_STEP) { lastProgress = m.stored; ctx.progress(m.stored); }
  }
}

/** The one-line ImageReadError for a layer the byte pipeline or the tar parser could not read. */
export function toReadError(e: unknown, where: string, c: Compression): Error {
  if (e instanceof ImageReadError) return e;
  const msg = errMessage(e);
  const hint = /invalid tar header/i.test(msg)
    ? `not a tar archive${c === "none" ? " (nor gzip/zstd)" : ` after ${c} decompression`}`
    : msg;
  return new ImageReadError(`${where}: ${hint}; the layer is corrupt or truncated, export the image again`);
}

/** A regular file being streamed to visitor sinks (and maybe captured). */
interface OpenFile {
  fe: FileEntry;
  sinks: ContentSink[];
  capturing: boolean;
  kept: Buffer[];
  keptBytes: number;
}

/**
 * The main thread's walk over one layer's tar, fed entry by entry: a header makes an index entry (or a
 * whiteout, or a problem), a regular file's bytes go to the visitors' sinks, its end closes them.
 * Synchronous: a whole batch is walked without yielding, so no per-file promise is made.
 */
export class LayerWalk {
  /** The file whose bytes come next; undefined while skipping a file no one reads (a whiteout marker). */
  private file?: OpenFile;

  constructor(
    private readonly ctx: LayerContext, private readonly ref: LayerRef, private readonly info: LayerInfo, private readonly table: EntryTable,
  ) {}

  /** Walk a batch from the worker: its records in order, file bytes taken from `bytes` in turn. */
  batch(bytes: Buffer, recs: Array<string | number>): void {
    let at = 0;
    for (let i = 0; i < recs.length;) {
      const kind = recs[i];
      if (kind === REC.data) {
        const n = recs[i + 1] as number;
        this.data(bytes.subarray(at, at + n));
        at += n;
        i += 2;
      } else if (kind === REC.header) {
        const [name, type, size, mode, uid, gid, linkname] = recs.slice(i + 1, i + 8) as [string, string, number, number, number, number, string];
        this.header({ name, type, size, mode, uid, gid, linkname });
        i += 8;
      } else {
        this.end();
        i += 1;
      }
    }
  }

  /** An entry: into the index; a regular file (or one whose name escapes the root) opens visitor sinks. */
  header(h: TarHeader): void {
    this.file = undefined;
    const fe = classify(this.ctx, h, this.ref, this.info);
    if (fe) this.table.push(fe);
    // A file whose name escapes the root is no part of the filesystem, but its bytes ship in the
    // tarball (and a careless extractor writes them): visitors still see them, under the raw name.
    const readable = fe ? (fe.type === "file" ? fe : undefined) : strayFile(h);
    if (readable) this.file = this.openFile(readable);
  }

  /** The next bytes of the current regular file. */
  data(chunk: Buffer): void {
    const f = this.file;
    if (!f) return;
    for (const s of f.sinks) callVisitor(() => s.write(chunk));
    if (f.capturing && f.keptBytes < this.ctx.maxCaptureBytes) {
      const part = chunk.subarray(0, this.ctx.maxCaptureBytes - f.keptBytes);
      f.kept.push(Buffer.from(part));
      f.keptBytes += part.length;
    }
  }

  /** The current regular file ended: close its sinks, keep its capture. */
  end(): void {
    const f = this.file;
    this.file = undefined;
    if (!f) return;
    for (const s of f.sinks) callVisitor(() => s.end());
    if (!f.capturing) return;
    const { ctx, ref } = this;
    if (f.fe.size > ctx.maxCaptureBytes) {
      ctx.problems.push({ code: "capture-truncated", layerIndex: ref.index, path: f.fe.path, message: `${f.fe.path} is ${f.fe.size} bytes; captured the first ${ctx.maxCaptureBytes}` });
    }
    ctx.captured.set(f.fe.path, { path: f.fe.path, layerIndex: ref.index, content: Buffer.concat(f.kept) });
  }

  private openFile(fe: FileEntry): OpenFile {
    const sinks: ContentSink[] = [];
    for (const v of this.ctx.visitors) {
      const s = callVisitor(() => v.open({ layer: this.ref, entry: fe }));
      if (s) sinks.push(s);
    }
    return { fe, sinks, capturing: this.ctx.capture.has(fe.path), kept: [], keptBytes: 0 };
  }
}

/** A regular file whose name escapes the image root (already recorded as path-traversal), under its raw name. */
function strayFile(h: TarHeader): FileEntry | undefined {
  if ((h.type !== "file" && h.type !== "contiguous-file") || normalisePath(h.name).ok) return undefined;
  return { path: h.name.slice(0, 256), type: "file", size: h.size ?? 0, mode: h.mode ?? 0, uid: h.uid ?? 0, gid: h.gid ?? 0 };
}

/** Turn a tar header into a FileEntry, or record a whiteout / problem and return undefined. */
function classify(ctx: LayerContext, h: TarHeader, ref: LayerRef, info: LayerInfo): FileEntry | undefined {
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


function callVisitor<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new VisitorError(e);
  }
}
