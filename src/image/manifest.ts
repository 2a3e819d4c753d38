/**
 * Locate the image inside an outer tarball: which manifest (platform), which config blob, which layer blobs
 * in which order, for both OCI image layouts and docker-archive (`docker save`) tarballs.
 */
import { createHash } from "node:crypto";
import type { ArchiveFormat, Compression } from "./types.js";
import { ImageReadError } from "./types.js";
import { type OuterArchive, findEntry, readSmall } from "./outer.js";

/** One layer to stream: where its blob is and what the manifest says about it. */
export interface LayerLocation {
  /** Entry name of the blob in the outer tarball. */
  name: string;
  /** Digest the manifest promises for the stored bytes, when it promises one. */
  expectedDigest?: string;
  mediaType?: string;
  /** Compression the media type declares; undefined when the format says nothing (docker-archive). */
  declared?: Compression;
}

/** Everything needed before streaming layers. */
export interface ImageLocation {
  format: ArchiveFormat;
  manifestDigest?: string;
  configDigest: string;
  /** Raw config JSON, already parsed. */
  configJson: Record<string, unknown>;
  layers: LayerLocation[];
  /** Platform requested of the index, or undefined when the index offered a single image. */
  platformHint?: string;
  /** Notes for ReadProblems (e.g. several images in a docker-archive). */
  notes: string[];
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

const INDEX_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);
const DEFAULT_PLATFORM = "linux/amd64";
const MAX_INDEX_DEPTH = 4;

/** Find the image in the archive: OCI layout when index.json is present, docker-archive otherwise. */
export async function locateImage(archive: OuterArchive, platform?: string): Promise<ImageLocation> {
  if (findEntry(archive, "index.json")) return locateOci(archive, platform);
  if (findEntry(archive, "manifest.json")) return locateDocker(archive);
  throw new ImageReadError(
    `${archive.path} has neither index.json (OCI layout) nor manifest.json (docker save): pass an image tarball from docker save or Container.asTarball()`,
  );
}

/** Declared compression of a layer media type. */
export function compressionOfMediaType(mediaType: string | undefined): Compression | undefined {
  if (!mediaType) return undefined;
  if (/gzip$/.test(mediaType)) return "gzip";
  if (/zstd$/.test(mediaType)) return "zstd";
  if (/\.tar$/.test(mediaType) || mediaType.endsWith("rootfs.diff.tar")) return "none";
  return undefined;
}

function blobName(digest: string): string {
  const [alg, hex] = digest.split(":");
  if (!alg || !hex || !/^[a-z0-9]+$/.test(alg) || !/^[a-f0-9]+$/.test(hex)) {
    throw new ImageReadError(`malformed digest "${digest.slice(0, 80)}" in the image manifest; the tarball is corrupt`);
  }
  return `blobs/${alg}/${hex}`;
}

function sha256(buf: Buffer): string {
  return `sha256:${createHash("sha256").update(buf).digest("hex")}`;
}

/** Read a small blob by digest and check the stored bytes hash to it. */
async function readBlobJson(archive: OuterArchive, digest: string, what: string): Promise<Record<string, unknown>> {
  const name = blobName(digest);
  const buf = await readSmall(archive, name);
  if (digest.startsWith("sha256:") && sha256(buf) !== digest) {
    throw new ImageReadError(`${archive.path}: ${what} blob ${name} does not match its digest ${digest}; the tarball is corrupt, export it again`);
  }
  return parseObject(buf, `${archive.path}: ${what} ${name}`);
}

function parseObject(buf: Buffer, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(buf.toString("utf8"));
  } catch {
    throw new ImageReadError(`${where} is not valid JSON; the tarball is corrupt, export it again`);
  }
  if (typeof v !== "object" || v === null) throw new ImageReadError(`${where} is not a JSON object; the tarball is corrupt`);
  return v as Record<string, unknown>;
}

function platformOf(d: Descriptor): string | undefined {
  const p = d.platform;
  if (!p?.os || !p.architecture) return undefined;
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.["vnd.docker.reference.type"] === "attestation-manifest" || platformOf(d) === "unknown/unknown";
}

/** Walk index.json and nested indexes down to image manifests (attestations dropped). */
async function leafManifests(archive: OuterArchive, index: Record<string, unknown>, depth: number): Promise<Descriptor[]> {
  const list = Array.isArray(index.manifests) ? (index.manifests as Descriptor[]) : [];
  const out: Descriptor[] = [];
  for (const d of list) {
    if (!d || typeof d.digest !== "string" || isAttestation(d)) continue;
    if (d.mediaType && INDEX_TYPES.has(d.mediaType)) {
      if (depth >= MAX_INDEX_DEPTH) throw new ImageReadError(`${archive.path}: image indexes nested deeper than ${MAX_INDEX_DEPTH}; the tarball is hostile or corrupt`);
      const nested = await readBlobJson(archive, d.digest, "nested index");
      const leaves = await leafManifests(archive, nested, depth + 1);
      // A nested index inherits the outer descriptor's platform when its own entries have none.
      out.push(...leaves.map((l) => (l.platform ? l : { ...l, platform: d.platform })));
    } else {
      out.push(d);
    }
  }
  return out;
}

function pickPlatform(archive: OuterArchive, leaves: Descriptor[], wanted?: string): Descriptor {
  if (leaves.length === 0) throw new ImageReadError(`${archive.path}: index.json lists no image manifest; export the image again`);
  if (leaves.length === 1 && (!wanted || !platformOf(leaves[0]))) return leaves[0];
  const want = wanted ?? DEFAULT_PLATFORM;
  const exact = leaves.find((l) => platformOf(l) === want);
  const loose = leaves.find((l) => platformOf(l)?.split("/").slice(0, 2).join("/") === want);
  const hit = exact ?? (want.split("/").length === 2 ? loose : undefined);
  if (hit) return hit;
  const available = leaves.map((l) => platformOf(l) ?? "unknown").join(", ");
  throw new ImageReadError(`${archive.path}: no image for platform ${want}; available: ${available}; pass one of them as the platform option`);
}

async function locateOci(archive: OuterArchive, platform?: string): Promise<ImageLocation> {
  const index = parseObject(await readSmall(archive, "index.json"), `${archive.path}: index.json`);
  const chosen = pickPlatform(archive, await leafManifests(archive, index, 0), platform);
  const manifestDigest = chosen.digest as string;
  const manifest = await readBlobJson(archive, manifestDigest, "manifest");
  const cfg = manifest.config as Descriptor | undefined;
  if (!cfg || typeof cfg.digest !== "string") throw new ImageReadError(`${archive.path}: manifest ${manifestDigest} has no config descriptor; the tarball is corrupt`);
  const configJson = await readBlobJson(archive, cfg.digest, "config");
  const layers = (Array.isArray(manifest.layers) ? (manifest.layers as Descriptor[]) : []).map((d, i) => {
    if (typeof d?.digest !== "string") throw new ImageReadError(`${archive.path}: layer ${i} of manifest ${manifestDigest} has no digest; the tarball is corrupt`);
    return { name: blobName(d.digest), expectedDigest: d.digest, mediaType: d.mediaType, declared: compressionOfMediaType(d.mediaType) };
  });
  return { format: "oci", manifestDigest, configDigest: cfg.digest, configJson, layers, platformHint: platformOf(chosen), notes: [] };
}

async function locateDocker(archive: OuterArchive): Promise<ImageLocation> {
  const buf = await readSmall(archive, "manifest.json");
  let list: unknown;
  try {
    list = JSON.parse(buf.toString("utf8"));
  } catch {
    throw new ImageReadError(`${archive.path}: manifest.json is not valid JSON; save the image again`);
  }
  if (!Array.isArray(list) || list.length === 0) throw new ImageReadError(`${archive.path}: manifest.json lists no image; save the image again`);
  const notes = list.length > 1 ? [`manifest.json lists ${list.length} images; reading the first (${JSON.stringify(list[0]?.RepoTags ?? [])})`] : [];
  const entry = list[0] as { Config?: unknown; Layers?: unknown };
  if (typeof entry.Config !== "string" || !Array.isArray(entry.Layers)) {
    throw new ImageReadError(`${archive.path}: manifest.json entry lacks Config or Layers; save the image again`);
  }
  const configBuf = await readSmall(archive, entry.Config);
  const configDigest = sha256(configBuf);
  const fromName = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(entry.Config);
  if (fromName && `sha256:${fromName[1]}` !== configDigest) {
    throw new ImageReadError(`${archive.path}: config ${entry.Config} does not match its digest; the tarball is corrupt, save it again`);
  }
  const configJson = parseObject(configBuf, `${archive.path}: config ${entry.Config}`);
  const layers = (entry.Layers as unknown[]).map((l, i) => {
    if (typeof l !== "string") throw new ImageReadError(`${archive.path}: manifest.json layer ${i} is not a path; save the image again`);
    const m = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(l);
    return { name: l, expectedDigest: m ? `sha256:${m[1]}` : undefined };
  });
  return { format: "docker-archive", configDigest, configJson, layers, notes };
}
