/**
 * A large synthetic container image for the secret-scan benchmark, generated deterministically and streamed
 * to disk (1+ GiB never sits in memory): six gzip layers shaped like a real Python service image (Debian-like
 * base, a Python runtime, a big venv, model blobs, the app, a final layer deleting a file), with a known set
 * of planted secrets at known places (layer, path, 1-based line).
 *
 *   const img = await syntheticImage({ dir: ".cache/bench" });   // cached: <dir>/synthetic-<recipe>.tar + .json
 *   npx tsx bench/inputs/synthetic-image.ts [--dir .cache/bench] [--mib 1100] [--seed 1]
 *
 * The tarball is an OCI image layout plus a docker `manifest.json` pointing at the same blobs (what
 * `docker save` writes since Docker 25), so our reader, trivy (`--input`) and `docker load` all take it.
 * Same options and the same Node build (its zlib) give a byte-identical tarball. The manifest (.json) keeps
 * the places of the planted secrets, never their values; no file of the generator holds a secret-looking
 * literal either (prefixes are assembled at run time), so a scan of the repository does not trip on it.
 *
 * This file is the public entry point and the CLI; the generator lives in ./synthetic/: randomness and
 * vocabulary, text and binary content, planted secrets, the layer writer, the six layer plans
 * (./synthetic/layers/), the tarball and the cached syntheticImage().
 */
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { MiB } from "./synthetic/constants.js";
import { recipeOf, syntheticImage } from "./synthetic/image.js";
import { CATEGORIES } from "./synthetic/types.js";

export { GENERATOR_VERSION } from "./synthetic/constants.js";
export { recipeOf, syntheticImage } from "./synthetic/image.js";
export { plantedValuesForTests } from "./synthetic/plants.js";
export type { ContentMix, SyntheticImage, SyntheticImageOptions, SyntheticLayerInfo } from "./synthetic/types.js";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function cli(): Promise<void> {
  const options = { dir: arg("dir", ".cache/bench"), uncompressedMiB: Number(arg("mib", "1100")), seed: Number(arg("seed", "1")) };
  const jsonPath = join(resolve(options.dir), `synthetic-${recipeOf(options)}.json`);
  const wasCached = await stat(jsonPath).then(() => true, () => false);
  const t0 = performance.now();
  const img = await syntheticImage(options);
  const took = (performance.now() - t0) / 1000;
  const m = (b: number) => `${(b / MiB).toFixed(0)} MiB`;
  const fresh = !wasCached || took > img.generatedSeconds * 0.5;
  const mixTotal = CATEGORIES.reduce((n, c) => n + img.mix[c], 0);
  const mix = CATEGORIES.map((c) => `${c} ${((img.mix[c] / mixTotal) * 100).toFixed(0)}%`).join(", ");
  console.log(
    `${img.path}: ${m(img.uncompressedBytes)} uncompressed (${img.uncompressedBytes} bytes) over ${img.layers.length} gzip layers, ` +
      `${m(img.storedBytes)} stored; ${img.layers.reduce((n, l) => n + l.files, 0)} files (per layer ${img.layers.map((l) => l.files).join(" / ")}); ` +
      `content ${mix}; ${img.planted.length} planted secrets (${img.planted.filter((p) => p.deletedLater).length} in a file deleted later). ` +
      (fresh ? `Generated in ${took.toFixed(1)} s.` : `Cached (generated earlier in ${img.generatedSeconds} s; this call ${took.toFixed(2)} s).`),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await cli().catch((e: unknown) => {
    process.stderr.write(`synthetic-image: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
