/**
 * Turn an image tarball (OCI layout, e.g. the synthetic benchmark image) into the other shapes the reader
 * meets, with the same uncompressed layers (so the same diff_ids and findings):
 *
 *   npx tsx bench/tools/convert-image.ts <in.tar> <out.tar> --to docker-archive   # uncompressed layers, as `docker save`
 *   npx tsx bench/tools/convert-image.ts <in.tar> <out.tar> --to zstd             # OCI layout, zstd layers (the zstd CLI)
 *
 * Layers are streamed through temporary files next to `out`; nothing is held in memory whole.
 */
import { once } from "node:events";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { pack as tarPack } from "tar-stream";
import { readSmall, scanOuter } from "../../src/image/outer.js";
import { locateImage } from "../../src/image/manifest.js";
import { sniffCompression } from "../../src/image/layer.js";
import { zstdDecompress } from "../../src/image/zstd.mjs";
import { recompress } from "../../tests/support/recompress.js";

/** Write every layer of `input` uncompressed as a docker-archive at `out` (`<n>/layer.tar`, manifest.json). */
async function toDockerArchive(input: string, out: string, work: string): Promise<void> {
  const archive = await scanOuter(input);
  const loc = await locateImage(archive);
  const files: Array<{ name: string; path: string }> = [];
  for (const [i, l] of loc.layers.entries()) {
    const entry = archive.entries.get(l.name)!;
    const path = join(work, `layer-${i}.tar`);
    const src = createReadStream(input, { start: entry.offset, end: entry.offset + entry.size - 1 });
    const c = await sniffCompression(input, entry);
    if (c === "gzip") await pipeline(src, createGunzip(), createWriteStream(path));
    else if (c === "zstd") await pipeline(src, zstdDecompress, createWriteStream(path));
    else await pipeline(src, createWriteStream(path));
    files.push({ name: `${String(i).padStart(3, "0")}/layer.tar`, path });
  }
  const config = await readSmall(archive, loc.format === "oci" ? `blobs/sha256/${loc.configDigest.slice(7)}` : loc.configDigest);
  const manifest = Buffer.from(JSON.stringify([{ Config: "config.json", RepoTags: ["converted:latest"], Layers: files.map((f) => f.name) }]));
  await writeTar(out, files, [{ name: "config.json", body: config }, { name: "manifest.json", body: manifest }]);
}

/** A tar of `files` (streamed from disk) followed by small in-memory entries. */
async function writeTar(out: string, files: Array<{ name: string; path: string }>, small: Array<{ name: string; body: Buffer }>): Promise<void> {
  const pack = tarPack();
  const written = pipeline(pack, createWriteStream(out));
  for (const f of files) {
    const size = (await stat(f.path)).size;
    const sink = pack.entry({ name: f.name, size, mode: 0o644, mtime: new Date(0) });
    for await (const c of createReadStream(f.path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (!sink.write(c)) await once(sink, "drain");
    }
    sink.end(undefined);
    await once(sink, "finish");
  }
  for (const s of small) pack.entry({ name: s.name, mode: 0o644, mtime: new Date(0) }, s.body);
  pack.finalize();
  await written;
}

async function main(): Promise<void> {
  const [input, out] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  const to = process.argv[process.argv.indexOf("--to") + 1];
  if (!input || !out || (to !== "docker-archive" && to !== "zstd")) {
    throw new Error("usage: npx tsx bench/tools/convert-image.ts <in.tar> <out.tar> --to docker-archive|zstd");
  }
  const work = await mkdtemp(join(dirname(out), ".convert-"));
  try {
    if (to === "docker-archive") await toDockerArchive(input, out, work);
    else {
      const docker = join(work, "docker.tar");
      await toDockerArchive(input, docker, work);
      await recompress(docker, out, "zstd");
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(`${out}: ${((await stat(out)).size / 1e6).toFixed(1)} MB`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
