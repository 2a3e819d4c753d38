/**
 * The main thread's end of the layer workers (./layer-worker.mjs): start them, hand each a layer, take its
 * messages in order (batches of entries and file bytes, then `done` or `error`), acknowledge each batch so
 * the worker may run ahead by a bounded window, and terminate them: at the end of the read and on every
 * error path, so no worker outlives the read that started it.
 */
import { Worker } from "node:worker_threads";
import type { LayerBytesJob } from "./layer-bytes.mjs";
import { ImageReadError } from "./types.js";
import { zstdDecoder } from "./zstd.mjs";

/** What a worker needs to read one layer blob (it decides nativeZstd itself). */
export type LayerJob = Omit<LayerBytesJob, "nativeZstd">;

/** Record kinds of a batch's flat `recs` array (the worker's HEADER, DATA, END). */
export const REC = { header: 0, data: 1, end: 2 } as const;

export type PipeMessage =
  | { t: "batch"; bytes: ArrayBuffer; used: number; recs: Array<string | number>; stored: number }
  | { t: "done"; digest: string; diffId: string; uncompressedSize: number; stored: number }
  | { t: "error"; message: string; bomb: boolean };

/**
 * Bytes per batch and batches in flight: 4 x 1 MiB lets the worker stay a few milliseconds ahead of the
 * scan (enough to keep both cores busy) while a layer's buffers stay a few MiB.
 */
export const PIPE_DEFAULTS = { batchBytes: 1 << 20, window: 4 } as const;
/** A worker that sends nothing for this long is stuck (a hung read): the read fails instead of waiting forever. */
const STALL_MS = 5 * 60_000;
/**
 * The worker holds a few batches, tar-stream's state and zlib's buffers: small heaps keep its footprint
 * (two run at once) a fraction of the main thread's, and a runaway one fails instead of swelling the process.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 };
const WORKER_URL = new URL("./layer-worker.mjs", import.meta.url);

/** Workers that have sent a message: they started, so a later death is a crash, not a failure to start. */
const spoken = new WeakSet<Worker>();

let live = 0;
/** Layer workers running now (tests check that none is left after a read, failed or not). */
export function liveLayerWorkers(): number {
  return live;
}

/**
 * A worker that could not start: worker threads refused (Node's permission model without --allow-worker),
 * its module missing, no memory for its heap. The reader then reads the layer on its own thread.
 */
export class WorkerUnavailable extends Error {
  override name = "WorkerUnavailable";
}

/**
 * The workers of one read: two, made on first use, given layers in turn (layer i to worker i % 2: while
 * layer i is walked, layer i+1 is read ahead by the other). close() terminates them all. Once one could not
 * start, none is tried again in this read.
 */
export class LayerWorkers {
  private readonly workers: Worker[] = [];
  private closing?: Promise<void>;
  private unavailable = false;

  constructor(private readonly url: URL = WORKER_URL) {}

  /** Start reading a layer on the worker whose turn it is; undefined when workers cannot start here. */
  run(index: number, job: LayerJob): LayerPipe | undefined {
    if (this.closing) throw new Error("LayerWorkers used after close()");
    if (this.unavailable) return undefined;
    const slot = index % 2;
    try {
      this.workers[slot] ??= spawn(this.url);
    } catch {
      // Refused at once (ERR_ACCESS_DENIED under the permission model, ERR_WORKER_PATH): no thread exists.
      this.unavailable = true;
      return undefined;
    }
    return new LayerPipe(this.workers[slot]!, job, () => (this.unavailable = true));
  }

  /** Terminate every worker (idempotent); resolves once their threads are gone. */
  close(): Promise<void> {
    this.closing ??= Promise.all(this.workers.map((w) => w.terminate().catch(() => 0))).then(() => undefined);
    return this.closing;
  }
}

function spawn(url: URL): Worker {
  const worker = new Worker(url, {
    workerData: { nativeZstd: zstdDecoder === "native" },
    // The worker is plain JavaScript: it needs none of the parent's loaders (tsx, vitest), whose start
    // would cost ~0.1 s and tens of MiB.
    execArgv: [],
    resourceLimits: WORKER_LIMITS,
  });
  live++;
  worker.once("exit", () => live--);
  return worker;
}

/** One layer being read by a worker: the queue of what it has sent for this layer. */
export class LayerPipe {
  private readonly queue: PipeMessage[] = [];
  private waiting?: { resolve: (m: PipeMessage) => void; reject: (e: Error) => void };
  private failure?: Error;
  private finished = false;
  private readonly onMessage = (m: PipeMessage) => this.deliver(m);
  private readonly onError = (e: Error) => this.fail(`the layer reader crashed (${e.message})`);
  private readonly onExit = (code: number) => this.fail(`the layer reader exited early (code ${code})`);

  constructor(private readonly worker: Worker, private readonly job: LayerJob, private readonly onUnavailable: () => void) {
    // A crash in the worker (not an error it reported) or an early exit ends the read with one line.
    worker.on("message", this.onMessage).on("error", this.onError).on("exit", this.onExit);
    const { batchBytes, window } = PIPE_DEFAULTS;
    worker.postMessage({ t: "job", job: { ...job, batchBytes, window } });
  }

  /** The next message, in the order the worker sent them; rejects when the worker died or went silent. */
  next(): Promise<PipeMessage> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.fail(`no data from the layer reader for ${STALL_MS / 1000} s`), STALL_MS);
      const settle = () => { clearTimeout(timer); this.waiting = undefined; };
      this.waiting = { resolve: (x) => { settle(); resolve(x); }, reject: (e) => { settle(); reject(e); } };
    });
  }

  /** Tell the worker a batch was consumed, giving its buffer back (transferred): it may send one more. */
  ack(buf: ArrayBuffer): void {
    this.worker.postMessage({ t: "ack", buf }, [buf]);
  }

  /**
   * Stop listening. After `done` the worker is free for its next layer; after anything else (an error,
   * a visitor's exception mid-layer) it is terminated, since it may still be busy with this one.
   */
  async close(completed: boolean): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.worker.off("message", this.onMessage).off("error", this.onError).off("exit", this.onExit);
    if (!completed) await this.worker.terminate().catch(() => 0);
  }

  private deliver(m: PipeMessage): void {
    spoken.add(this.worker);
    if (this.waiting) this.waiting.resolve(m);
    else this.queue.push(m);
  }

  private fail(why: string): void {
    if (this.failure || this.finished) return;
    if (spoken.has(this.worker)) {
      this.failure = new ImageReadError(`${this.job.where}: ${why}; read it again, or report a bug if it persists`);
    } else {
      // The worker never said anything, for this layer or an earlier one: it never started, and nothing of
      // the layer was handed over, so the caller can read it itself from the start.
      this.onUnavailable();
      this.failure = new WorkerUnavailable(`${this.job.where}: ${why}`);
    }
    this.waiting?.reject(this.failure);
  }
}
