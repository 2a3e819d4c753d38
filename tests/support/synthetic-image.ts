/**
 * Build synthetic image tarballs for tests: OCI layout (like Dagger's Container.asTarball()) or
 * docker-archive (like `docker save`), with per-layer compression, whiteouts, config and history.
 *
 *   const img = await buildImage({ layers: [{ files: [{ path: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n" }] }] });
 *   const index = await readImage(img.path);
 *   await img.cleanup();
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack as tarPack } from "tar-stream";

/** One tar entry of a synthetic layer. Regular file unless `type` says otherwise. */
export interface SyntheticFile {
  path: string;
  content?: string | Buffer;
  type?: "file" | "dir" | "symlink" | "hardlink";
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** One layer: files, whiteouts (`.wh.<name>`), opaque dirs (`.wh..wh..opq`), compression. */
export interface SyntheticLayer {
  files?: SyntheticFile[];
  /** Paths to delete from lower layers (written as `<dir>/.wh.<name>`). */
  whiteouts?: string[];
  /** Directories made opaque (written as `<dir>/.wh..wh..opq`). */
  opaque?: string[];
  compression?: "gzip" | "zstd" | "none";
  /** History created_by for this layer (default "layer <n>"). */
  createdBy?: string;
  /** The uncompressed layer bytes as given, instead of building a tar from `files` (hostile tests). */
  rawTar?: Buffer;
  /** Override the media type written in the OCI manifest (e.g. to lie about compression). */
  mediaType?: string;
  /** Replace the stored bytes after digests were computed (corruption, truncation, tampering). */
  tamper?: (stored: Buffer) => Buffer;
}

/** Image config fields; history defaults to one entry per layer, `extraHistory` adds empty_layer entries. */
export interface SyntheticConfig {
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  labels?: Record<string, string>;
  exposedPorts?: string[];
  healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  stopSignal?: string;
  /** Full history override: entries as written in the config. */
  history?: Array<{ created_by: string; empty_layer?: boolean }>;
  /** Override rootfs.diff_ids (to test mismatches). */
  diffIds?: string[];
}

export interface SyntheticImageSpec {
  layers: SyntheticLayer[];
  config?: SyntheticConfig;
  format?: "oci" | "docker-archive";
  /** OCI only: one manifest per platform (same layers), e.g. ["linux/amd64", "linux/arm64"]. */
  platforms?: string[];
  /** OCI only: index.json points to a nested index blob that lists the manifests. */
  nestedIndex?: boolean;
}

/** A written tarball and what a correct reader should find in it. */
export interface SyntheticImage {
  path: string;
  /** Per layer: digest of the stored blob and diff_id of the uncompressed tar. */
  layers: Array<{ digest: string; diffId: string }>;
  configDigest: string;
  cleanup(): Promise<void>;
}

const sha256 = (b: Buffer | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** Build an uncompressed tar from entries (tar-stream pack; pax headers for long names). */
export async function makeTar(files: SyntheticFile[]): Promise<Buffer> {
  const p = tarPack();
  for (const f of files) {
    const type = f.type === "dir" ? "directory" : f.type === "hardlink" ? "link" : (f.type ?? "file");
    const content = f.content === undefined ? Buffer.alloc(0) : Buffer.from(f.content);
    const header = {
      name: f.path, type, linkname: f.linkname, mode: f.mode ?? (type === "directory" ? 0o755 : 0o644),
      uid: f.uid ?? 0, gid: f.gid ?? 0, mtime: new Date(0),
    } as const;
    if (type === "file") p.entry({ ...header, size: content.length }, content);
    else p.entry(header);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Compress with gzip (zlib) or zstd (the zstd CLI). */
export function compress(tar: Buffer, c: "gzip" | "zstd" | "none"): Buffer {
  if (c === "gzip") return gzipSync(tar);
  if (c === "none") return tar;
  const r = spawnSync("zstd", ["-q", "-c", "-3"], { input: tar, maxBuffer: 4 * 1024 ** 3 });
  if (r.status !== 0) throw new Error(`zstd failed: ${r.stderr.toString()}`);
  return r.stdout;
}

async function layerTar(l: SyntheticLayer): Promise<Buffer> {
  if (l.rawTar) return l.rawTar;
  const files = [...(l.files ?? [])];
  for (const w of l.whiteouts ?? []) {
    const i = w.lastIndexOf("/");
    files.push({ path: i < 0 ? `.wh.${w}` : `${w.slice(0, i)}/.wh.${w.slice(i + 1)}` });
  }
  for (const d of l.opaque ?? []) files.push({ path: `${d}/.wh..wh..opq` });
  return makeTar(files);
}

const MEDIA = { gzip: "application/vnd.oci.image.layer.v1.tar+gzip", zstd: "application/vnd.oci.image.layer.v1.tar+zstd", none: "application/vnd.oci.image.layer.v1.tar" };

/** Build the image and write it as a tarball in a fresh temp directory. */
export async function buildImage(spec: SyntheticImageSpec): Promise<SyntheticImage> {
  const dir = await mkdtemp(join(tmpdir(), "synthetic-image-"));
  const files: Array<{ name: string; data: Buffer }> = [];
  const layers: SyntheticImage["layers"] = [];
  const blobs: Array<{ stored: Buffer; digest: string; media: string }> = [];
  for (const l of spec.layers) {
    const tar = await layerTar(l);
    const c = l.compression ?? "gzip";
    const good = compress(tar, c);
    const digest = sha256(good);
    layers.push({ digest, diffId: sha256(tar) });
    blobs.push({ stored: l.tamper ? l.tamper(good) : good, digest, media: l.mediaType ?? MEDIA[c] });
  }
  const configFor = (platform: string) => Buffer.from(JSON.stringify(configJson(spec, layers, platform)));
  const format = spec.format ?? "oci";
  let configDigest: string;
  if (format === "docker-archive") {
    const cfg = configFor("linux/amd64");
    configDigest = sha256(cfg);
    const names = blobs.map((b, i) => `${String(i).padStart(2, "0")}${b.digest.slice(7, 20)}/layer.tar`);
    files.push({ name: `${configDigest.slice(7)}.json`, data: cfg });
    blobs.forEach((b, i) => files.push({ name: names[i], data: b.stored }));
    files.push({ name: "manifest.json", data: Buffer.from(JSON.stringify([{ Config: `${configDigest.slice(7)}.json`, RepoTags: ["synthetic:latest"], Layers: names }])) });
    files.push({ name: "repositories", data: Buffer.from("{}") });
  } else {
    configDigest = writeOci(spec, blobs, configFor, files);
  }
  const path = join(dir, "image.tar");
  await writeFile(path, await makeTar(files.map((f) => ({ path: f.name, content: f.data }))));
  return { path, layers, configDigest, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

function writeOci(
  spec: SyntheticImageSpec, blobs: Array<{ stored: Buffer; digest: string; media: string }>,
  configFor: (platform: string) => Buffer, files: Array<{ name: string; data: Buffer }>,
): string {
  const blob = (data: Buffer) => {
    const d = sha256(data);
    if (!files.some((f) => f.name === `blobs/sha256/${d.slice(7)}`)) files.push({ name: `blobs/sha256/${d.slice(7)}`, data });
    return d;
  };
  // Layers first, index last: a reader must not depend on entry order.
  blobs.forEach((b) => files.push({ name: `blobs/sha256/${b.digest.slice(7)}`, data: b.stored }));
  const platforms = spec.platforms ?? ["linux/amd64"];
  let firstConfig = "";
  const manifests = platforms.map((p) => {
    const cfg = configFor(p);
    const cd = blob(cfg);
    firstConfig ||= cd;
    const m = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: cd, size: cfg.length },
      layers: blobs.map((b) => ({ mediaType: b.media, digest: b.digest, size: b.stored.length })),
    }));
    const [os, architecture, variant] = p.split("/");
    return { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: blob(m), size: m.length, platform: { os, architecture, ...(variant ? { variant } : {}) } };
  });
  let top: unknown[] = manifests;
  if (spec.nestedIndex) {
    const nested = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests }));
    top = [{ mediaType: "application/vnd.oci.image.index.v1+json", digest: blob(nested), size: nested.length }];
  }
  files.push({ name: "oci-layout", data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') });
  files.push({ name: "index.json", data: Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: top })) });
  return firstConfig;
}

function configJson(spec: SyntheticImageSpec, layers: SyntheticImage["layers"], platform: string): unknown {
  const c = spec.config ?? {};
  const [os, architecture, variant] = platform.split("/");
  const history = c.history ?? spec.layers.map((l, i) => ({ created_by: l.createdBy ?? `layer ${i}` }));
  return {
    os, architecture, ...(variant ? { variant } : {}),
    config: {
      User: c.user, Entrypoint: c.entrypoint, Cmd: c.cmd, Env: c.env, WorkingDir: c.workingDir, Labels: c.labels,
      ExposedPorts: c.exposedPorts ? Object.fromEntries(c.exposedPorts.map((p) => [p, {}])) : undefined,
      Healthcheck: c.healthcheck, StopSignal: c.stopSignal,
    },
    rootfs: { type: "layers", diff_ids: c.diffIds ?? layers.map((l) => l.diffId) },
    history,
  };
}
