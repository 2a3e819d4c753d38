/**
 * The reader gives the same result whichever thread reads a layer's bytes: worker threads (batches handed
 * over, the next layer read ahead) against the plain sequential read on the main thread. Same index (every
 * LayerInfo, problem and capture), same visitor calls in the same order with the same bytes, same findings
 * in the same order; on hostile input the same one-line error. And no worker is left behind, on any path,
 * a worker that cannot start included (its layers are then read on the main thread).
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticImage } from "../../bench/inputs/synthetic-image.js";
import { liveLayerWorkers } from "../../src/image/layer-pipe.js";
import { readImage } from "../../src/image/read.js";
import type { ContentVisitor, ReadOptions } from "../../src/image/types.js";
import { defaultRuleSet } from "../../src/secrets/load.js";
import { createSecretScanner } from "../../src/secrets/scanner.js";
import { buildImage, makeTar, type SyntheticImage, type SyntheticImageSpec } from "../support/synthetic-image.js";

const MODES = ["main", "worker"] as const;
type Mode = (typeof MODES)[number];

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => { await Promise.all(cleanups.map((c) => c())); });

const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);
beforeAll(() => void process.on("unhandledRejection", onUnhandled));
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

/** Every visitor call, in order, with each file's byte count and hash (chunking may differ, bytes may not). */
function recorder(log: string[]): ContentVisitor {
  return {
    config: (c) => void log.push(`config ${c.user}`),
    open: ({ layer, entry }) => {
      const hash = createHash("sha256");
      let n = 0;
      return {
        write: (c) => { hash.update(c); n += c.length; },
        end: () => void log.push(`${layer.index} ${layer.digest} ${layer.diffId} ${entry.path} ${entry.type} ${entry.size} ${entry.mode} ${n} ${hash.digest("hex")}`),
      };
    },
  };
}

/** One read in one mode: the whole outcome as plain data (or the error), and what the visitors saw. */
async function readAll(path: string, layerThreads: Mode, options: ReadOptions = {}) {
  const log: string[] = [];
  const scanner = createSecretScanner({ rules: defaultRuleSet() });
  const outcome = await readImage(path, { ...options, layerThreads, capture: ["etc/passwd", "app/.env"], visitors: [recorder(log), scanner.visitor] })
    .then((index) => ({ index: { ...index, captured: [...index.captured.entries()] } }), (e: unknown) => ({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }));
  expect(liveLayerWorkers()).toBe(0);
  return { outcome, log, findings: scanner.findings(), notes: scanner.notes() };
}

async function expectSameInBothModes(path: string, options: ReadOptions = {}) {
  const [main, worker] = [await readAll(path, "main", options), await readAll(path, "worker", options)];
  expect(worker).toEqual(main);
  return main;
}

describe("the benchmark's synthetic image (small), read on the main thread and by workers", () => {
  let path: string;
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "threads-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    path = (await syntheticImage({ dir, uncompressedMiB: 8, seed: 3 })).path;
  }, 60_000);

  it("gives the same index, visitor calls, findings and notes", async () => {
    const main = await expectSameInBothModes(path);
    expect("index" in main.outcome && main.outcome.index.layers.length).toBe(6);
    expect(main.findings.length).toBeGreaterThanOrEqual(20);
    expect(main.log.length).toBeGreaterThan(1000);
  }, 60_000);

  it("reads every layer on the main thread when no worker can start (its module missing): the same outcome", async () => {
    const main = await readAll(path, "main");
    const missing = new URL("./no-such-layer-worker.mjs", import.meta.url);
    expect(await readAll(path, "worker", { layerWorkerUrl: missing })).toEqual(main);
  }, 60_000);
});

const big = Buffer.from("abc".repeat(50_000));
const files = [{ path: "f", content: big }];
const flip = (b: Buffer) => { const c = Buffer.from(b); for (let i = 20; i < 60; i++) c[i] ^= 0xff; return c; };
async function paxBomb(): Promise<Buffer> {
  const tar = await makeTar([{ path: "PaxHeader", content: Buffer.alloc(5 * 1024 * 1024, "a") }, { path: "f", content: "x" }]);
  tar[156] = "x".charCodeAt(0);
  tar.fill(" ", 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += tar[i]!;
  tar.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return tar;
}

/** The hostile fixtures of hostile.test.ts (and a few more layers around them, so one is read ahead). */
const HOSTILE: Array<[string, () => Promise<SyntheticImageSpec>, ReadOptions?]> = [
  ["path traversal and links out of the root", async () => ({ layers: [{ files: [{ path: "../../evil", content: "x" }, { path: "/etc/x", content: "z" }, { path: "app/out", type: "symlink", linkname: "../../../etc/shadow" }, { path: "app/hard", type: "hardlink", linkname: "../outside" }] }] })],
  ["a huge pax header", async () => ({ layers: [{ files }, { rawTar: await paxBomb() }, { files }] })],
  ["a layer past maxLayerBytes", async () => ({ layers: [{ files }, { files: [{ path: "zeros", content: Buffer.alloc(4 * 1024 * 1024) }] }, { files }] }), { maxLayerBytes: 1024 * 1024 }],
  ...(["gzip", "zstd", "none"] as const).map((compression): [string, () => Promise<SyntheticImageSpec>] =>
    [`a truncated ${compression} layer`, async () => ({ layers: [{ files, compression }, { compression, files, tamper: (b) => b.subarray(0, Math.floor(b.length / 2)) }, { files }] })]),
  ["a gzip layer with flipped bytes", async () => ({ layers: [{ files, tamper: flip }, { files }] })],
  ["a layer that is not a tar", async () => ({ layers: [{ compression: "none", rawTar: Buffer.from("hello, not a tar ".repeat(64)) }] })],
  ["a blob whose digest does not match", async () => ({ layers: [{ files }, { compression: "none", files, tamper: (b) => Buffer.concat([b, Buffer.alloc(1024)]) }] })],
  ["a diff_id mismatch", async () => ({ layers: [{ files }], config: { diffIds: [`sha256:${"0".repeat(64)}`] } })],
  ["a lying media type", async () => ({ layers: [{ files, mediaType: "application/vnd.oci.image.layer.v1.tar+zstd" }] })],
  ["whiteouts, opaque dirs, captures dropped", async () => ({
    format: "docker-archive",
    layers: [
      { files: [{ path: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n" }, { path: "app/.env", content: "A=1\n" }, { path: "cache/a", content: "a" }] },
      { compression: "zstd", whiteouts: ["app/.env"], opaque: ["cache"], files: [{ path: "cache/new", content: "n" }] },
      { compression: "none", files: [{ path: "etc/passwd", content: "root:x:0:0::/root:/bin/bash\n" }] },
    ],
  })],
];

describe("hostile input, read on the main thread and by workers", () => {
  it.each(HOSTILE)("%s: same outcome, no worker left", async (_name, spec, options) => {
    const img: SyntheticImage = await buildImage(await spec());
    cleanups.push(img.cleanup);
    await expectSameInBothModes(img.path, options);
  }, 30_000);

  it("passes a visitor's exception through mid-layer and stops the workers", async () => {
    const img = await buildImage({ layers: [{ files }, { compression: "zstd", files: [{ path: "a", content: big }, { path: "b", content: big }] }, { files }] });
    cleanups.push(img.cleanup);
    let opened = 0;
    const boom: ContentVisitor = { open: () => (++opened === 2 ? { write: () => { throw new RangeError("visitor bug"); }, end: () => undefined } : undefined) };
    for (const layerThreads of MODES) {
      opened = 0;
      await expect(readImage(img.path, { layerThreads, visitors: [boom] })).rejects.toThrow(RangeError);
      expect(liveLayerWorkers()).toBe(0);
    }
  });
});
