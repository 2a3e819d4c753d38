/**
 * Docker 20.10 writes neither OCI layouts nor compressed layers, yet registries, BuildKit and Dagger do:
 * this turns a `docker save` archive into an OCI layout tarball whose layers are zstd-compressed (with the
 * `zstd` CLI) or gzip-compressed (zlib, default level, as registries store them). The config blob (and
 * so the diff_ids, which name the uncompressed layers) is copied byte for byte: only the compression
 * changes, so the reader must see exactly the same image.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import tar from "tar-stream";

const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const LAYER_TYPES = {
  zstd: "application/vnd.oci.image.layer.v1.tar+zstd",
  gzip: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;
export type LayerCompression = keyof typeof LAYER_TYPES;
/** Bound of one `zstd` run: a few hundred MB at level 3 takes seconds. */
const ZSTD_TIMEOUT_MS = 120_000;

interface Blob {
  digest: string;
  size: number;
  file: string;
}

/**
 * Write an OCI layout tarball at `out` holding the image of the docker-archive `archive`, every layer
 * compressed with `compression`; returns `out`. Throws a one-line error when the input is not a docker-archive.
 */
export async function recompress(archive: string, out: string, compression: LayerCompression): Promise<string> {
  const work = await mkdtemp(path.join(tmpdir(), "recompress-"));
  try {
    const files = await extract(archive, path.join(work, "in"));
    const manifest = parseDockerManifest(await readFile(files.resolve("manifest.json"), "utf8"), archive);
    const config = await blobOf(files.resolve(manifest.Config));
    const layers: Blob[] = [];
    for (const [i, layer] of manifest.Layers.entries()) {
      const blob = path.join(work, `layer-${i}.tar.${compression}`);
      if (compression === "zstd") await zstd(files.resolve(layer), blob);
      else await pipeline(createReadStream(files.resolve(layer)), createGzip(), createWriteStream(blob));
      layers.push(await blobOf(blob));
    }
    const ociManifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MANIFEST_TYPE,
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: LAYER_TYPES[compression], digest: l.digest, size: l.size })),
      }),
    );
    const manifestFile = path.join(work, "manifest.oci.json");
    await writeFile(manifestFile, ociManifest);
    const manifestBlob = await blobOf(manifestFile);
    const index = { schemaVersion: 2, manifests: [{ mediaType: MANIFEST_TYPE, digest: manifestBlob.digest, size: manifestBlob.size }] };
    await pack(out, {
      "oci-layout": Buffer.from(JSON.stringify({ imageLayoutVersion: "1.0.0" })),
      "index.json": Buffer.from(JSON.stringify(index)),
    }, [config, ...layers, manifestBlob]);
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface DockerManifest {
  Config: string;
  Layers: string[];
}

function parseDockerManifest(text: string, archive: string): DockerManifest {
  const parsed: unknown = JSON.parse(text);
  const first = Array.isArray(parsed) ? (parsed[0] as Partial<DockerManifest> | undefined) : undefined;
  if (typeof first?.Config !== "string" || !Array.isArray(first.Layers)) {
    throw new Error(`${archive}: manifest.json has no Config and Layers: pass a docker save archive`);
  }
  return { Config: first.Config, Layers: first.Layers };
}

/** Unpack a tarball into `dir`; symlinks (docker save links repeated layers) are resolved by name. */
async function extract(archive: string, dir: string): Promise<{ resolve(name: string): string }> {
  await mkdir(dir, { recursive: true });
  const links = new Map<string, string>();
  const extractor = tar.extract();
  extractor.on("entry", (header, stream, next) => {
    const name = path.posix.normalize(header.name);
    const target = path.join(dir, name);
    if (!target.startsWith(dir + path.sep)) {
      stream.resume();
      next(new Error(`${archive}: entry ${header.name} leaves the archive`));
      return;
    }
    if (header.type === "symlink" && header.linkname) links.set(name, path.posix.join(path.posix.dirname(name), header.linkname));
    if (header.type !== "file") {
      stream.resume();
      stream.on("end", next);
      return;
    }
    mkdir(path.dirname(target), { recursive: true })
      .then(() => pipeline(stream, createWriteStream(target)))
      .then(() => next(), next);
  });
  await pipeline(createReadStream(archive), extractor);
  return {
    resolve(name: string): string {
      let n = path.posix.normalize(name);
      for (let hops = 0; links.has(n) && hops < 8; hops++) n = path.posix.normalize(links.get(n) ?? n);
      return path.join(dir, n);
    },
  };
}

/** `zstd -3` of `src` into `dst`, with a time bound. */
function zstd(src: string, dst: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("zstd", ["-q", "-3", "-f", "-o", dst, src], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), ZSTD_TIMEOUT_MS);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run zstd: ${e.message} (install Debian's zstd package)`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`zstd ${path.basename(src)} failed (${signal ?? `exit ${code}`}): ${err.trim().split("\n").at(-1) ?? ""}`));
    });
  });
}

/** sha256 and size of a file, packed later as blobs/sha256/<hex>. */
async function blobOf(file: string): Promise<Blob> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  const hex = hash.digest("hex");
  return { digest: `sha256:${hex}`, size: (await stat(file)).size, file };
}

/** Write the OCI layout: small files from memory, blobs streamed from disk. */
async function pack(out: string, small: Record<string, Buffer>, blobs: Blob[]): Promise<void> {
  const packer = tar.pack();
  const written = pipeline(packer, createWriteStream(out));
  for (const [name, content] of Object.entries(small)) packer.entry({ name }, content);
  const seen = new Set<string>();
  for (const blob of blobs) {
    if (seen.has(blob.digest)) continue;
    seen.add(blob.digest);
    const entry = packer.entry({ name: `blobs/sha256/${blob.digest.slice("sha256:".length)}`, size: blob.size });
    await pipeline(createReadStream(blob.file), entry);
  }
  packer.finalize();
  await written;
}
