// @ts-check
/**
 * A layer worker: runs ./layer-bytes.mjs (read, hash, decompress, guard, parse the tar) off the main thread
 * and posts what it finds, in archive order, to ./layer-pipe.ts: entry headers and file contents packed
 * into batches of about 1 MiB whose buffers are transferred, not copied, and transferred back once walked.
 * A read keeps two such workers and gives them its layers in turn (a job message each), so threads, heaps
 * and malloc arenas are made once per read, not once per layer.
 *
 * Flow control: at most `window` batches are unacknowledged; then the worker waits for the main thread,
 * and the waiting propagates back through tar-stream, the decompressor and the file read, so memory stays
 * bounded. An error is posted once, as one message (a bomb's text is final; anything else the reader
 * words as corrupt input).
 */
import { parentPort, workerData } from "node:worker_threads";
import { BombError, readLayerBytes } from "./layer-bytes.mjs";

/** Records in a batch, flat: [HEADER, name, type, size, mode, uid, gid, linkname] | [DATA, length] | [END]; DATA bytes follow one another in the batch's buffer. */
const HEADER = 0;
const DATA = 1;
const END = 2;
/** Past this many record slots a batch is posted even when its bytes are few (many empty files). */
const MAX_RECORD_SLOTS = 64 * 1024;

/** @typedef {import("./layer-bytes.mjs").LayerBytesJob & { batchBytes: number; window: number }} Job */
const port = /** @type {import("node:worker_threads").MessagePort} */ (parentPort);
const { nativeZstd } = /** @type {{ nativeZstd: boolean }} */ (workerData);

/** Batch buffers the main thread gave back: a read circulates the same few instead of making one per MiB. */
/** @type {Buffer[]} */
const pool = [];
/** The layer being read: one at a time per worker. */
let job = /** @type {Job} */ (/** @type {unknown} */ (undefined));
/** Batches posted and not yet acknowledged, and who waits for an acknowledgement. */
let inflight = 0;
/** @type {(() => void) | undefined} */
let wakeUp;
/** The batch being filled: its bytes, how many are used, its records; and the stored bytes read so far. */
let buf = /** @type {Buffer} */ (Buffer.alloc(0));
let used = 0;
/** @type {Array<string | number>} */
let recs = [];
let stored = 0;

port.on("message", (/** @type {{ t: "job"; job: Job } | { t: "ack"; buf: ArrayBuffer }} */ m) => {
  if (m.t === "ack") {
    pool.push(Buffer.from(m.buf));
    inflight--;
    wakeUp?.();
    return;
  }
  // Blocking reads: this thread has nothing else to do meanwhile (see readRangeSync).
  job = { ...m.job, nativeZstd, syncRead: true };
  inflight = 0;
  buf = pool.pop() ?? Buffer.allocUnsafeSlow(job.batchBytes);
  used = 0;
  recs = [];
  stored = 0;
  run().catch(fail);
});

async function run() {
  const done = await readLayerBytes(job, {
    header(h) {
      recs.push(HEADER, h.name, h.type, h.size, h.mode, h.uid, h.gid, h.linkname);
      return recs.length >= MAX_RECORD_SLOTS ? flush() : undefined;
    },
    data: addData,
    end() { recs.push(END); },
    stored(n) { stored = n; },
  });
  await flush();
  port.postMessage({ t: "done", ...done, stored });
}

/** Post the current batch (transferring its buffer) and start a new one; waits while the window is full. */
async function flush() {
  while (inflight >= job.window) await new Promise((resolve) => (wakeUp = () => resolve(undefined)));
  if (used === 0 && recs.length === 0) return;
  inflight++;
  const bytes = /** @type {ArrayBuffer} */ (buf.buffer);
  port.postMessage({ t: "batch", bytes, used, recs, stored }, [bytes]);
  buf = pool.pop() ?? Buffer.allocUnsafeSlow(job.batchBytes);
  used = 0;
  recs = [];
}

/** Copy a file's chunk into batches (posting each one that fills). */
async function addData(/** @type {Buffer} */ chunk) {
  for (let at = 0; at < chunk.length;) {
    if (used === buf.length) await flush();
    const n = Math.min(chunk.length - at, buf.length - used);
    chunk.copy(buf, used, at, at + n);
    used += n;
    at += n;
    recs.push(DATA, n);
  }
}

/** Post the error as one message: a bomb's text is final, anything else the reader words as corrupt input. */
function fail(/** @type {unknown} */ e) {
  const message = e instanceof Error ? e.message : String(e);
  port.postMessage({ t: "error", message, bomb: e instanceof BombError });
}
