/**
 * Concise builders of ImageIndex values for check tests: checks judge evidence, so their tests hand it
 * over directly, with no tarball and no engine.
 */
import { createHash } from "node:crypto";
import { defaultConfig, type VerifyConfig } from "../../src/config/schema.js";
import type { Evidence } from "../../src/checks/types.js";
import type { FileEntry, ImageConfig, ImageIndex, LayerInfo, Whiteout } from "../../src/image/types.js";

/** A fake but well-formed sha256 digest derived from `seed`. */
export function digestOf(seed: string): string {
  return `sha256:${createHash("sha256").update(seed).digest("hex")}`;
}

/** A regular file entry; `size` defaults to 100 bytes. */
export function file(path: string, size = 100, extra: Partial<FileEntry> = {}): FileEntry {
  return { path, type: "file", size, mode: 0o644, uid: 0, gid: 0, ...extra };
}

/** A directory entry. */
export function dir(path: string): FileEntry {
  return { path, type: "dir", size: 0, mode: 0o755, uid: 0, gid: 0 };
}

export interface LayerSpec {
  createdBy?: string;
  /** Entries, or plain paths (files of 100 bytes). */
  files?: (FileEntry | string)[];
  /** Paths deleted by this layer (`.wh.<name>`); prefix with "opq:" for an opaque directory. */
  deletes?: string[];
  /** Overrides the computed sizes. */
  uncompressedSize?: number;
  /** Overrides the diffId (default: derived from createdBy and paths). */
  diffId?: string;
}

/** A LayerInfo at `index` from a spec. */
export function layer(index: number, spec: LayerSpec = {}): LayerInfo {
  const entries = (spec.files ?? []).map((f) => (typeof f === "string" ? file(f) : f));
  const whiteouts: Whiteout[] = (spec.deletes ?? []).map((d) =>
    d.startsWith("opq:") ? { path: d.slice(4), opaque: true } : { path: d, opaque: false },
  );
  const createdBy = spec.createdBy ?? `RUN step ${index}`;
  const content = entries.reduce((n, e) => n + e.size, 0);
  const diffId = spec.diffId ?? digestOf(`${createdBy}|${entries.map((e) => e.path).join(",")}|${JSON.stringify(whiteouts)}`);
  return {
    index,
    digest: digestOf(`blob:${diffId}`),
    createdBy,
    diffId,
    size: Math.round(content / 3),
    uncompressedSize: spec.uncompressedSize ?? content + 512 * (entries.length + 2),
    compression: "gzip",
    entries,
    whiteouts,
  };
}

/** An ImageIndex from layer specs and a partial config; `captured` maps paths to text contents. */
export function image(
  layers: LayerSpec[],
  config: Partial<ImageConfig> = {},
  captured: Record<string, string> = {},
): ImageIndex {
  const infos = layers.map((spec, i) => layer(i, spec));
  return {
    source: { path: "/tmp/test-image.tar", format: "docker-archive", platform: "linux/amd64" },
    config: {
      user: "",
      entrypoint: [],
      cmd: [],
      env: ["PATH=/usr/local/bin:/usr/bin:/bin"],
      workingDir: "/app",
      labels: {},
      exposedPorts: ["8000/tcp"],
      ...config,
    },
    configDigest: digestOf(`config:${infos.map((l) => l.diffId).join()}`),
    history: infos.map((l) => ({ createdBy: l.createdBy, emptyLayer: false, layerIndex: l.index })),
    layers: infos,
    problems: [],
    captured: new Map(
      Object.entries(captured).map(([path, text]) => [path, { path, layerIndex: 0, content: Buffer.from(text) }]),
    ),
  };
}

/** Evidence with the default config (overridable) and the given parts. */
export function evidence(parts: Omit<Partial<Evidence>, "config"> & { config?: Partial<VerifyConfig> } = {}): Evidence {
  const { config, ...rest } = parts;
  return { config: { ...defaultConfig(), ...config }, ...rest };
}

/** A Debian-like etc/passwd with root, nobody and an `app` user of the given uid. */
export function passwd(appUid = 1001): string {
  return [
    "root:x:0:0:root:/root:/bin/bash",
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
    `app:x:${appUid}:${appUid}::/home/app:/usr/sbin/nologin`,
    "",
  ].join("\n");
}

/** The matching etc/group. */
export function group(appGid = 1001): string {
  return ["root:x:0:", "daemon:x:1:", "nogroup:x:65534:", `app:x:${appGid}:`, ""].join("\n");
}
