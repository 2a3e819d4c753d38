// @ts-check
/**
 * One layer's byte pipeline: read the blob's range of the outer tarball, hash the stored bytes (digest),
 * decompress (gzip on zlib's thread pool, zstd natively or with fzstd), hash the tar (diff_id, skipped for
 * an uncompressed layer, whose stored bytes are its tar), guard against bombs, parse the tar (tar-stream)
 * and hand every header, and every regular file's bytes, to a sink in archive order.
 *
 * The same code runs on the main thread (./layer.ts, the sink walks the index and feeds the visitors) and
 * in a worker (./layer-worker.mjs, the sink packs batches for the main thread), so both ways read the
 * same bytes, raise the same errors and guard the same limits. Plain JavaScript: a worker thread cannot
 * load the TypeScript sources (tsx, vitest and the esbuild bundle all run this file as it is); its
 * types are in ./layer-bytes.d.mts.
 */
import { createHash } from "node:crypto";
import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract as tarExtract } from "tar-stream";
import { zstdStage } from "./zstd.mjs";

const RATIO_MIN_BYTES = 64 * 1024 * 1024;

/** A bomb guard's verdict: its message is the final one-line ImageReadError text. */
export class BombError extends Error {}

/** An exception of the sink (a visitor's bug, on the main thread): it wins over any error it caused. */
export class SinkFailure extends Error {
  /** @param {unknown} inner */
  constructor(inner) {
    super(inner instanceof Error ? inner.message : String(inner));
    this.inner = inner;
  }
}

/**
 * @typedef {{ path: string; offset: number; size: number; compression: "gzip" | "zstd" | "none"; where: string;
 *   maxLayerBytes: number; maxCompressionRatio: number; piece: number; nativeZstd: boolean; syncRead?: boolean }} LayerBytesJob
 * @typedef {{ name: string; type: string; size: number; mode: number; uid: number; gid: number; linkname: string }} TarHeader
 * @typedef {{ header(h: TarHeader): void | Promise<void>; data(chunk: Buffer): void | Promise<void>;
 *   end(): void | Promise<void>; stored?(bytes: number): void }} LayerBytesSink
 */

/**
 * Read one layer's bytes into `sink`; resolves with its digests and size. Rejects with the root cause: a
 * SinkFailure first, else the byte pipeline's own error (read, gzip/zstd, BombError), else the tar parser's.
 * @param {LayerBytesJob} job
 * @param {LayerBytesSink} sink
 * @returns {Promise<{ digest: string; diffId: string; uncompressedSize: number }>}
 */
export async function readLayerBytes(job, sink) {
  const storedHash = createHash("sha256");
  // An uncompressed layer's stored bytes are its tar: one hash serves as digest and diff_id.
  const tarHash = job.compression === "none" ? undefined : createHash("sha256");
  let stored = 0;
  let uncompressed = 0;
  const countStored = async function* (/** @type {AsyncIterable<Buffer>} */ src) {
    for await (const c of src) {
      storedHash.update(c);
      stored += c.length;
      sink.stored?.(stored);
      yield c;
    }
  };
  const countTar = async function* (/** @type {AsyncIterable<Buffer>} */ src) {
    for await (const c of src) {
      tarHash?.update(c);
      uncompressed += c.length;
      guardBomb(job, uncompressed, stored);
      yield c;
    }
  };
  const ex = tarExtract();
  const abort = new AbortController();
  const source = job.size === 0 ? Readable.from([])
    : job.syncRead ? Readable.from(readRangeSync(job.path, job.offset, job.size, job.piece), { objectMode: false })
    : createReadStream(job.path, { start: job.offset, end: job.offset + job.size - 1, highWaterMark: job.piece });
  const fed = pipeline(source, countStored, decompressor(job), countTar, feedTar(ex), { signal: abort.signal })
    .catch((/** @type {unknown} */ e) => { ex.destroy(e instanceof Error ? e : new Error(String(e))); throw e; });
  const walked = walk(ex, sink).catch((/** @type {unknown} */ e) => { abort.abort(); throw e; });
  const [f, w] = await Promise.allSettled([fed, walked]);
  const reasons = [w, f].filter((r) => r.status === "rejected").map((r) => /** @type {PromiseRejectedResult} */ (r).reason);
  // The root cause wins; an AbortError only echoes the walker having failed first.
  const cause = reasons.find((r) => r instanceof SinkFailure)
    ?? (f.status === "rejected" && !isAbort(f.reason) ? f.reason : undefined) ?? reasons[0];
  if (reasons.length > 0) throw cause;
  const digest = `sha256:${storedHash.digest("hex")}`;
  return { digest, diffId: tarHash ? `sha256:${tarHash.digest("hex")}` : digest, uncompressedSize: uncompressed };
}

/**
 * A range of a file in pieces, read synchronously: for a worker thread, which has nothing else to do
 * meanwhile, so each piece costs a system call instead of a round trip through libuv's thread pool (with
 * small pieces, which keep the worker's memory flat, those round trips were most of its time).
 * @param {string} path
 * @param {number} offset
 * @param {number} size
 * @param {number} piece
 * @returns {Generator<Buffer>}
 */
function* readRangeSync(path, offset, size, piece) {
  const fd = openSync(path, "r");
  try {
    for (let done = 0; done < size;) {
      const buf = Buffer.allocUnsafe(Math.min(piece, size - done));
      const n = readSync(fd, buf, 0, buf.length, offset + done);
      if (n === 0) throw new Error(`unexpected end of file at byte ${offset + done} of ${path}`);
      done += n;
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Walk the tar: every header goes to the sink; a regular file's bytes follow it, then its end; other
 * entries' bytes (none, or a device's) are drained here.
 * @param {import("tar-stream").Extract} ex
 * @param {LayerBytesSink} sink
 */
async function walk(ex, sink) {
  /** @param {void | Promise<void>} r */
  const settle = async (r) => { try { await r; } catch (e) { throw new SinkFailure(e); } };
  // A sink on the main thread returns nothing: awaited only when it returns a promise (the worker's, when
  // its window is full), since an await per header, chunk and end costs a turn of the microtask queue.
  let p;
  for await (const entry of ex) {
    const h = entry.header;
    p = call(() => sink.header({
      name: h.name, type: h.type ?? "file", size: h.size ?? 0, mode: h.mode ?? 0, uid: h.uid ?? 0, gid: h.gid ?? 0, linkname: h.linkname ?? "",
    }), settle);
    if (p) await p;
    if (h.type === "file" || h.type === "contiguous-file") {
      for await (const chunk of entry) if ((p = call(() => sink.data(/** @type {Buffer} */ (chunk)), settle))) await p;
      if ((p = call(() => sink.end(), settle))) await p;
    } else entry.resume();
  }
}

/**
 * Call a sink method; what it throws, now or when its promise settles, becomes a SinkFailure.
 * @param {() => void | Promise<void>} fn
 * @param {(r: void | Promise<void>) => Promise<void>} settle
 */
function call(fn, settle) {
  let r;
  try {
    r = fn();
  } catch (e) {
    throw new SinkFailure(e);
  }
  return r ? settle(r) : undefined;
}

/**
 * The decompression stage for a compression. gzip inflates on zlib's thread pool; letting it run a few
 * pieces ahead keeps it busy while this thread hashes and parses.
 * @param {LayerBytesJob} job
 */
function decompressor(job) {
  /** @type {import("node:zlib").ZlibOptions & import("node:stream").TransformOptions} */
  const options = { chunkSize: job.piece, highWaterMark: 4 * job.piece };
  if (job.compression === "gzip") return createGunzip(options);
  if (job.compression === "zstd") return zstdStage({ native: job.nativeZstd });
  return async function* passThrough(/** @type {AsyncIterable<Buffer>} */ src) { yield* src; };
}

/**
 * Stop a layer that inflates past the limits; the messages are the reader's one-line ImageReadErrors.
 * @param {LayerBytesJob} job
 * @param {number} out
 * @param {number} stored
 */
function guardBomb(job, out, stored) {
  if (out > job.maxLayerBytes) {
    throw new BombError(`${job.where}: uncompressed size exceeds maxLayerBytes (${job.maxLayerBytes}); a decompression bomb or a huge layer: raise maxLayerBytes if it is legitimate`);
  }
  if (job.compression !== "none" && out > RATIO_MIN_BYTES && out / Math.max(stored, 1) > job.maxCompressionRatio) {
    throw new BombError(`${job.where}: compression ratio over ${job.maxCompressionRatio}:1, a likely decompression bomb; raise maxCompressionRatio if it is legitimate`);
  }
}

/** @param {unknown} e */
function isAbort(e) {
  return e instanceof Error && e.name === "AbortError";
}

/**
 * Final pipeline stage: write into tar-stream's extract, honouring its backpressure.
 * @param {import("tar-stream").Extract} ex
 */
function feedTar(ex) {
  return async (/** @type {AsyncIterable<Buffer>} */ src) => {
    for await (const c of src) {
      if (!ex.write(c)) await drainOrClose(ex);
      // The walk failed and closed the extract: stop as an abort does (its error is the walk's to tell).
      if (/** @type {{ destroyed?: boolean }} */ (/** @type {unknown} */ (ex)).destroyed) throw Object.assign(new Error("the tar walk stopped"), { name: "AbortError" });
    }
    // streamx's end() takes an optional chunk; its typings say otherwise.
    /** @type {{ end(): void }} */ (/** @type {unknown} */ (ex)).end();
  };
}

/**
 * Wait until the extract takes more, or is gone. Gone already (the walk failed and closed it) counts too:
 * waiting for a "close" that has been would leave the pipeline pending forever.
 * @param {import("tar-stream").Extract} ex
 */
function drainOrClose(ex) {
  return new Promise((resolve) => {
    if (/** @type {{ destroyed?: boolean }} */ (/** @type {unknown} */ (ex)).destroyed) return resolve(undefined);
    const done = () => { ex.off("drain", done); ex.off("close", done); resolve(undefined); };
    ex.on("drain", done);
    ex.on("close", done);
  });
}
