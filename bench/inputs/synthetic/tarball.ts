/**
 * The image tarball around the layer blobs: the image config (env, history, diff ids), an OCI image layout
 * (blobs, index.json, oci-layout) and a docker manifest.json pointing at the same blobs, as `docker save`
 * writes since Docker 25.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import { pack as tarPack } from "tar-stream";
import { MiB, MTIME } from "./constants.js";
import type { Headers, LayerResult } from "./layer-writer.js";
import { hex, type Rng } from "./random.js";

const LAYER_MEDIA = "application/vnd.oci.image.layer.v1.tar+gzip";

/** The signing key fingerprint the official python images set in their Env: public, not a secret. */
const PYTHON_GPG_FINGERPRINT = "7169605F62C751356D054A26A821E680E5FA6305";

export function imageConfig(layers: LayerResult[], r: Rng): Buffer {
  const created = "2024-06-03T09:30:00Z";
  const gpg = `${["GPG", "KEY"].join("_")}=${PYTHON_GPG_FINGERPRINT}`;
  const history = [
    { created, created_by: layers[0].createdBy, empty_layer: false },
    { created, created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
    { created, created_by: "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", comment: "buildkit.dockerfile.v0", empty_layer: true },
    { created, created_by: "ENV LANG=C.UTF-8", comment: "buildkit.dockerfile.v0", empty_layer: true },
    { created, created_by: `ENV ${gpg}`, comment: "buildkit.dockerfile.v0", empty_layer: true },
    { created, created_by: "ENV PYTHON_VERSION=3.12.8", comment: "buildkit.dockerfile.v0", empty_layer: true },
    { created, created_by: layers[1].createdBy, comment: "buildkit.dockerfile.v0" },
    { created, created_by: "WORKDIR /app", comment: "buildkit.dockerfile.v0", empty_layer: true },
    { created, created_by: layers[2].createdBy, comment: "buildkit.dockerfile.v0" },
    { created, created_by: layers[3].createdBy, comment: "buildkit.dockerfile.v0" },
    { created, created_by: layers[4].createdBy, comment: "buildkit.dockerfile.v0" },
    { created, created_by: layers[5].createdBy, comment: "buildkit.dockerfile.v0" },
    { created, created_by: "ENV PATH=/app/.venv/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PYTHONUNBUFFERED=1", comment: "buildkit.dockerfile.v0", empty_layer: true },
    { created, created_by: "USER 1001:1001", comment: "buildkit.dockerfile.v0", empty_layer: true },
    { created, created_by: "EXPOSE map[8000/tcp:{}]", comment: "buildkit.dockerfile.v0", empty_layer: true },
    { created, created_by: 'CMD ["uvicorn" "app.main:app" "--host" "0.0.0.0" "--port" "8000"]', comment: "buildkit.dockerfile.v0", empty_layer: true },
  ];
  return Buffer.from(JSON.stringify({
    architecture: "amd64",
    os: "linux",
    created,
    config: {
      User: "1001:1001",
      Env: [
        "PATH=/app/.venv/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", gpg,
        "PYTHON_VERSION=3.12.8", `PYTHON_SHA256=${hex(r, 64)}`, "PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1", "VIRTUAL_ENV=/app/.venv",
      ],
      Cmd: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"],
      WorkingDir: "/app",
      ExposedPorts: { "8000/tcp": {} },
      Labels: { "org.opencontainers.image.source": "https://github.com/corp/billing-api", "org.opencontainers.image.revision": hex(r, 40), "org.opencontainers.image.title": "billing-api" },
    },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    history,
  }));
}

const sha256 = (b: Buffer): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

export async function writeOuter(path: string, layers: LayerResult[], config: Buffer): Promise<string> {
  const configDigest = sha256(config);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
    layers: layers.map((l) => ({ mediaType: LAYER_MEDIA, digest: l.digest, size: l.storedBytes })),
  }));
  const manifestDigest = sha256(manifest);
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{
      mediaType: "application/vnd.oci.image.manifest.v1+json", digest: manifestDigest, size: manifest.length,
      annotations: { "io.containerd.image.name": "docker.io/library/synthetic-billing:latest", "org.opencontainers.image.ref.name": "latest" },
      platform: { architecture: "amd64", os: "linux" },
    }],
  }));
  const blob = (d: string) => `blobs/sha256/${d.slice(7)}`;
  const dockerManifest = Buffer.from(JSON.stringify([{ Config: blob(configDigest), RepoTags: ["synthetic-billing:latest"], Layers: layers.map((l) => blob(l.digest)) }]));

  const pack = tarPack({ highWaterMark: MiB });
  const written = pipeline(async function* () {
    for await (const c of pack as AsyncIterable<Buffer>) yield c;
  }, createWriteStream(path));
  written.catch(() => pack.destroy());
  const put = (name: string, extra: Partial<Headers>, body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const h: Headers = { name, mtime: MTIME, mode: extra.type === "directory" ? 0o755 : 0o644, ...extra };
      const cb = (e?: Error | null) => (e ? reject(e) : resolve());
      if (body) pack.entry({ ...h, size: body.length }, body, cb);
      else pack.entry(h, cb);
    });
  try {
    await put("blobs/", { type: "directory" });
    await put("blobs/sha256/", { type: "directory" });
    for (const l of layers) {
      const size = (await stat(l.blobPath)).size;
      let cb: (err?: Error | null) => void = () => undefined;
      const done = new Promise<void>((resolve, reject) => (cb = (e) => (e ? reject(e) : resolve())));
      const sink = pack.entry({ name: blob(l.digest), mtime: MTIME, mode: 0o644, size, type: "file" }, cb);
      for await (const c of createReadStream(l.blobPath, { highWaterMark: MiB }) as AsyncIterable<Buffer>) {
        if (!sink.write(c)) await once(sink, "drain");
      }
      sink.end(undefined);
      await done;
    }
    await put(blob(configDigest), {}, config);
    await put(blob(manifestDigest), {}, manifest);
    await put("index.json", {}, index);
    await put("manifest.json", {}, dockerManifest);
    await put("oci-layout", {}, Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    pack.finalize();
  } catch (e) {
    pack.destroy(e as Error);
    throw e;
  }
  await written;
  return configDigest;
}
