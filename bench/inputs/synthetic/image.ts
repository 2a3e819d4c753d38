/**
 * syntheticImage(): the image for given options, generated or taken from the cache. The recipe (cache key),
 * the layers written two at a time, the tarball and the .json manifest next to it, and the cleanup of files
 * that killed runs left behind.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { GENERATOR_VERSION, MiB } from "./constants.js";
import { writeLayer, type LayerResult } from "./layer-writer.js";
import { layerPlans } from "./layers/index.js";
import { checkPlaces, plantValues } from "./plants.js";
import { hash32, Rng } from "./random.js";
import { imageConfig, writeOuter } from "./tarball.js";
import { CATEGORIES, type ContentMix, type SyntheticImage, type SyntheticImageOptions } from "./types.js";

/** Runs `tasks` with at most `limit` in flight; after a failure starts no more, waits for the running, rethrows. */
async function limited(limit: number, tasks: Array<() => Promise<void>>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < tasks.length && !failed) {
      const i = next++;
      await tasks[i]().catch((e: unknown) => {
        failed = true;
        throw e;
      });
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  const error = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (error) throw error.reason;
}

export function recipeOf(options: SyntheticImageOptions): string {
  const key = JSON.stringify({ v: GENERATOR_VERSION, mib: options.uncompressedMiB ?? 1100, seed: options.seed ?? 1 });
  return createHash("sha256").update(key).digest("hex").slice(0, 12);
}

/** Generate (or return the cached) synthetic image for these options. */
export async function syntheticImage(options: SyntheticImageOptions): Promise<SyntheticImage> {
  const mib = options.uncompressedMiB ?? 1100;
  const seed = options.seed ?? 1;
  if (!(mib > 0) || !Number.isInteger(seed)) throw new Error(`syntheticImage: uncompressedMiB must be > 0 and seed an integer (got ${mib}, ${seed})`);
  const dir = resolve(options.dir);
  const recipe = recipeOf({ ...options, uncompressedMiB: mib, seed });
  const tarPath = join(dir, `synthetic-${recipe}.tar`);
  const jsonPath = join(dir, `synthetic-${recipe}.json`);
  const cached = await readCached(tarPath, jsonPath);
  if (cached) return cached;

  const t0 = performance.now();
  await mkdir(dir, { recursive: true });
  await removeLeftovers(dir, recipe);
  const work = join(dir, `.synthetic-${recipe}.work-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work);
  const tmpTar = `${tarPath}.tmp-${process.pid}`;
  try {
    const pv = plantValues(seed);
    const plans = layerPlans(pv);
    // Layer budgets count file entries; directories, links, `__init__`s and dist-info come on top (about 4%).
    const total = mib * MiB * 0.96;
    // Biggest first, two at a time: zlib runs on the thread pool, so two layers keep both cores busy.
    const order = plans.map((pl, i) => i).sort((a, b) => plans[b].share - plans[a].share);
    const results = new Array<LayerResult>(plans.length);
    await limited(2, order.map((i) => async () => void (results[i] = await writeLayer(i, plans[i], seed, total, work))));
    const configDigest = await writeOuter(tmpTar, results, imageConfig(results, new Rng(hash32(`${seed}/config`))));
    const planted = results.flatMap((l) => l.planted);
    checkPlaces(planted);
    const mix = Object.fromEntries(CATEGORIES.map((c) => [c, results.reduce((n, l) => n + l.spent[c], 0)])) as unknown as ContentMix;
    const image: SyntheticImage = {
      path: tarPath,
      uncompressedBytes: results.reduce((n, l) => n + l.uncompressedBytes, 0),
      storedBytes: results.reduce((n, l) => n + l.storedBytes, 0),
      layers: results.map(({ index, diffId, digest, uncompressedBytes, files, createdBy }) => ({ index, diffId, digest, uncompressedBytes, files, createdBy })),
      planted,
      recipe,
      configDigest,
      mix,
      generatedSeconds: Math.round((performance.now() - t0) / 100) / 10,
    };
    await rename(tmpTar, tarPath);
    const tmpJson = `${jsonPath}.tmp-${process.pid}`;
    await writeFile(tmpJson, `${JSON.stringify({ generatorVersion: GENERATOR_VERSION, options: { uncompressedMiB: mib, seed }, ...image, path: `synthetic-${recipe}.tar` }, null, 2)}\n`);
    await rename(tmpJson, jsonPath);
    return image;
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(tmpTar, { force: true });
  }
}

/** Temp files and work dirs of runs of this recipe that were killed (their process is gone). */
async function removeLeftovers(dir: string, recipe: string): Promise<void> {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === "EPERM";
    }
  };
  const own = new RegExp(`^(?:\\.synthetic-${recipe}\\.work|synthetic-${recipe}\\.(?:tar|json)\\.tmp)-(\\d+)$`);
  for (const name of await readdir(dir)) {
    const m = own.exec(name);
    if (m && !alive(Number(m[1]))) await rm(join(dir, name), { recursive: true, force: true });
  }
}

async function readCached(tarPath: string, jsonPath: string): Promise<SyntheticImage | undefined> {
  try {
    const meta = JSON.parse(await readFile(jsonPath, "utf8")) as SyntheticImage & { generatorVersion: number };
    if (meta.generatorVersion !== GENERATOR_VERSION) return undefined;
    await stat(tarPath);
    const { generatorVersion: _v, options: _o, ...image } = meta as SyntheticImage & { generatorVersion: number; options: unknown };
    return { ...image, path: tarPath };
  } catch {
    return undefined;
  }
}
