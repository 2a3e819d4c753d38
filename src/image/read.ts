/**
 * readImage: read any image tarball (OCI layout or docker-archive) into an ImageIndex in one streaming pass
 * over its layers. A cheap first pass records where each outer entry sits; manifests and config are read by
 * random access; then every layer blob is streamed from its offset. Nothing is written to disk.
 *
 * Integrity policy: a blob whose stored bytes do not match the manifest digest throws ImageReadError (the
 * tarball is corrupt or tampered, nothing read from it can be trusted); a diff_id that does not match the
 * config's rootfs.diff_ids is a ReadProblem "diffid-mismatch" (the content is still what ships).
 */
import type { ImageConfig, ImageIndex, LayerInfo, LayerRef, ReadOptions, ReadProblem } from "./types.js";
import { ImageReadError } from "./types.js";
import { findEntry, scanOuter } from "./outer.js";
import { locateImage } from "./manifest.js";
import { alignHistory, diffIdsOf, parseImageConfig, platformOfConfig } from "./config.js";
import { type LayerContext, readLayer, startLayer, type StartedLayer } from "./layer.js";
import { LayerWorkers } from "./layer-pipe.js";
import { normalisePath } from "./paths.js";

/** Defaults for the limits in ReadOptions. */
export const READ_DEFAULTS = {
  maxLayerBytes: 8 * 1024 ** 3,
  maxCaptureBytes: 1024 * 1024,
  maxCompressionRatio: 2000,
} as const;

/** Read an image tarball into an ImageIndex; throws ImageReadError (one line) for input it cannot read. */
export async function readImage(tarballPath: string, options: ReadOptions = {}): Promise<ImageIndex> {
  const { archive, loc, diffIds, createdBy, index } = await openImage(tarballPath, options.platform);
  const visitors = options.visitors ?? [];
  for (const v of visitors) v.config?.(index.config, index.history);

  const ctx = makeContext(tarballPath, options, index, loc.layers.length);
  // Layer i+1's worker starts while layer i is walked, so it has its first batches ready when the walk
  // gets there; its errors (a missing blob too) surface only then, in layer order, as a sequential read's.
  const start = (i: number): Promise<StartedLayer> => {
    const l = loc.layers[i]!;
    const blob = findEntry(archive, l.name);
    if (!blob) return Promise.reject(new ImageReadError(`${tarballPath}: layer ${i} blob ${l.name} is missing from the tarball; export the image again`));
    return startLayer(ctx, workers, options.layerThreads ?? "auto", l, blob, i);
  };
  const workers = new LayerWorkers(options.layerWorkerUrl);
  let next = loc.layers.length > 0 ? settled(start(0)) : undefined;
  try {
    for (const [i, l] of loc.layers.entries()) {
      const current = await next!;
      next = i + 1 < loc.layers.length ? settled(start(i + 1)) : undefined;
      if (!current.ok) throw current.error;
      options.onProgress?.({ layerIndex: i, layerCount: loc.layers.length, bytesRead: ctx.done });
      ctx.current = i;
      const ref: LayerRef = { index: i, digest: l.expectedDigest ?? diffIds[i] ?? "", diffId: diffIds[i], createdBy: createdBy[i] ?? "" };
      const info: LayerInfo = await readLayer(ctx, current.value, ref, diffIds[i]);
      // A docker-archive `<id>/layer.tar` names no blob digest up front: visitors were handed the
      // diff_id, and now that the stored bytes are hashed, the refs they kept get the real one.
      ref.digest = info.digest;
      ctx.done += current.value.blob.size;
      index.layers.push(info);
    }
  } finally {
    // Also on an error, the layer started ahead (if any) and both workers are stopped before the read
    // returns or throws: no worker outlives it.
    await next;
    await workers.close();
  }
  options.onProgress?.({ layerIndex: loc.layers.length, layerCount: loc.layers.length, bytesRead: ctx.done });
  return index;
}

/**
 * What the manifest and config alone say of each layer, without streaming any: its position, the
 * config's diff_id and the instruction that made it. Enough to compare two builds layer by layer.
 */
export async function readLayerIds(tarballPath: string, platform?: string): Promise<LayerRef[]> {
  const { loc, diffIds, createdBy } = await openImage(tarballPath, platform);
  return loc.layers.map((l, i) => ({ index: i, digest: l.expectedDigest ?? diffIds[i] ?? "", diffId: diffIds[i], createdBy: createdBy[i] ?? "" }));
}

/** The image config alone (user, entrypoint, env, ...), read without streaming any layer. */
export async function readImageConfig(tarballPath: string, platform?: string): Promise<ImageConfig> {
  return (await openImage(tarballPath, platform)).index.config;
}

/** The outer archive located, the manifest and config parsed: an index with no layers read yet. */
async function openImage(tarballPath: string, platform?: string) {
  const archive = await scanOuter(tarballPath);
  const loc = await locateImage(archive, platform);
  const config = parseImageConfig(loc.configJson);
  const { history, createdBy, problem } = alignHistory(loc.configJson, loc.layers.length);
  const problems: ReadProblem[] = loc.notes.map((message) => ({ code: "multiple-images", message }));
  if (problem) problems.push(problem);
  const diffIds = diffIdsOf(loc.configJson);
  if (diffIds.length !== loc.layers.length) {
    problems.push({ code: "diffid-count", message: `config lists ${diffIds.length} diff_ids for ${loc.layers.length} layers` });
  }
  const index: ImageIndex = {
    source: { path: tarballPath, format: loc.format, platform: platformOfConfig(loc.configJson), manifestDigest: loc.manifestDigest },
    config, configDigest: loc.configDigest, history, layers: [], problems, captured: new Map(),
  };
  return { archive, loc, diffIds, createdBy, index };
}

/** A promise's outcome as a value: awaited later without ever being an unhandled rejection meanwhile. */
function settled<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
}

function makeContext(path: string, options: ReadOptions, index: ImageIndex, layerCount: number): LayerContext & { done: number; current: number } {
  const capture = new Set<string>();
  for (const p of options.capture ?? []) {
    const n = normalisePath(p);
    if (n.ok && n.path) capture.add(n.path);
  }
  const ctx = {
    tarballPath: path,
    visitors: options.visitors ?? [],
    capture,
    maxCaptureBytes: options.maxCaptureBytes ?? READ_DEFAULTS.maxCaptureBytes,
    maxLayerBytes: options.maxLayerBytes ?? READ_DEFAULTS.maxLayerBytes,
    maxCompressionRatio: options.maxCompressionRatio ?? READ_DEFAULTS.maxCompressionRatio,
    problems: index.problems,
    captured: index.captured,
    done: 0,
    current: 0,
    progress(stored: number) {
      options.onProgress?.({ layerIndex: ctx.current, layerCount, bytesRead: ctx.done + stored });
    },
  };
  return ctx;
}
