/**
 * Extract an image tarball's layers to disk for peers that only scan directories (gitleaks): each layer blob,
 * in manifest order, into `dest/layer-<i>/` (0 = base), as the layer ships it. Nothing is merged, so files
 * deleted by a later layer are still there, and whiteout markers stay as plain files (harmless to a scanner).
 * The outer tarball may be a docker-archive (manifest.json) or an OCI layout (index.json); the repo's own
 * reader picks the manifest and layer blobs. GNU tar does the extraction (it detects gzip/zstd on read).
 * The benchmark excludes this step from the peers' timings.
 */
import { firstLine, lastLine } from "../../src/text.js";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { locateImage } from "../../src/image/manifest.js";
import { findEntry, scanOuter } from "../../src/image/outer.js";

const TAR_TIMEOUT_MS = 10 * 60_000;

/** Run one command with a bound; rejects with one line (the command, and tar's last stderr line). */
function run(cmd: string, args: string[], what: string): Promise<void> {
  return new Promise((done, fail) => {
    execFile(cmd, args, { timeout: TAR_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 16 << 20 }, (err, _stdout, stderr) => {
      if (!err) return done();
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      const last = lastLine(String(stderr)).slice(0, 300);
      if (e.killed) fail(new Error(`${what}: ${cmd} did not finish within ${TAR_TIMEOUT_MS / 60_000} min`));
      else if (e.code === "ENOENT") fail(new Error(`${what}: ${cmd} is not on PATH; install GNU tar`));
      else fail(new Error(`${what}: ${cmd} failed: ${last || firstLine(e)}`));
    });
  });
}

function diffIdsOf(config: Record<string, unknown>): string[] {
  const rootfs = config.rootfs as { diff_ids?: unknown } | undefined;
  return Array.isArray(rootfs?.diff_ids) ? rootfs.diff_ids.filter((d): d is string => typeof d === "string") : [];
}

/** The image's layer diff_ids (config rootfs.diff_ids, in layer order), as trivy names layers. */
export async function imageDiffIds(tarball: string): Promise<string[]> {
  return diffIdsOf((await locateImage(await scanOuter(tarball))).configJson);
}

/** Extract the outer image tarball (blobs, manifests, config) into `dir`, which must exist. */
export async function extractOuter(tarball: string, dir: string): Promise<void> {
  await run("tar", ["-xf", resolve(tarball), "-C", dir, "--no-same-owner"], `extracting ${tarball}`);
}

/** True when the tarball carries a docker-archive manifest.json (trivy --input reads only that form as a file). */
export async function hasDockerManifest(tarball: string): Promise<boolean> {
  return findEntry(await scanOuter(tarball), "manifest.json") !== undefined;
}

/**
 * Extract every layer of `tarball` into `dest/layer-<i>/` and return those directories in layer order,
 * with the config's diff_ids (same order) for mapping trivy's findings.
 */
export async function extractLayers(tarball: string, dest: string): Promise<{ layerDirs: string[]; diffIds: string[] }> {
  const archive = await scanOuter(tarball);
  const loc = await locateImage(archive);
  // docker save links duplicate layers; resolve each to the entry that holds the bytes.
  const blobs = loc.layers.map((l, i) => {
    const e = findEntry(archive, l.name);
    if (!e) throw new Error(`${tarball}: layer ${i} blob ${l.name} is missing; export the image again`);
    return e.name;
  });
  const diffIds = diffIdsOf(loc.configJson);

  const root = resolve(dest);
  await mkdir(root, { recursive: true });
  // The outer tarball goes next to dest (same filesystem), never inside it: only layers are scanned.
  const outer = await mkdtemp(join(dirname(root), ".outer-"));
  try {
    await extractOuter(tarball, outer);
    const layerDirs: string[] = [];
    for (const [i, blob] of blobs.entries()) {
      const dir = join(root, `layer-${i}`);
      await mkdir(dir, { recursive: true });
      await run("tar", ["-xf", join(outer, blob), "-C", dir, "--no-same-owner"], `extracting layer ${i} (${blob})`);
      layerDirs.push(dir);
    }
    // Files shipped without read or directories without search permission would be skipped by a
    // non-root scanner; make the owner able to read everything.
    await run("chmod", ["-R", "u+rwX", root], `making ${root} readable`);
    return { layerDirs, diffIds };
  } finally {
    await rm(outer, { recursive: true, force: true });
  }
}
