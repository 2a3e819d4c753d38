/**
 * The cheap first pass over the outer image tarball: record where each entry's bytes sit in the file
 * (offset and size) without keeping any content, so later steps can read small JSON files and stream
 * layer blobs by random access. Nothing is extracted to disk.
 */
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { extract as tarExtract } from "tar-stream";
import { ImageReadError } from "./types.js";
import { normalisePath, resolveLinkTarget } from "./paths.js";

/** Where one outer tar entry's data lives in the tarball file. */
export interface OuterEntry {
  name: string;
  type: "file" | "symlink" | "hardlink" | "other";
  /** Byte offset of the entry's data in the tarball file. */
  offset: number;
  size: number;
  linkname?: string;
}

/** The outer tarball's entries by normalised name, and its path for random access. */
export interface OuterArchive {
  path: string;
  entries: Map<string, OuterEntry>;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** Manifests, indexes and configs are small; anything bigger is hostile or not what we think. */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

/** Walk the outer tar once and record every entry's location. Throws ImageReadError when it is not a tar. */
export async function scanOuter(path: string): Promise<OuterArchive> {
  await rejectCompressedOuter(path);
  const entries = new Map<string, OuterEntry>();
  const ex = tarExtract();
  ex.on("entry", (header, stream, next) => {
    const n = normalisePath(header.name);
    if (n.ok && n.path !== "") {
      const type = header.type === "file" || header.type === "contiguous-file" ? "file"
        : header.type === "symlink" ? "symlink" : header.type === "link" ? "hardlink" : "other";
      const offset = (header as { byteOffset?: number }).byteOffset ?? -1;
      entries.set(n.path, { name: n.path, type, offset, size: header.size ?? 0, linkname: header.linkname ?? undefined });
    }
    stream.on("end", next);
    // A tarball cut off inside this entry errors the entry stream too; the extractor's own error (below)
    // reports it, so this one must not escape as an uncaught exception.
    stream.on("error", () => undefined);
    stream.resume();
  });
  const done = new Promise<void>((resolve, reject) => {
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  const src = createReadStream(path, { highWaterMark: 1 << 20 });
  src.on("error", (e) => ex.destroy(e));
  src.pipe(ex);
  try {
    await done;
  } catch (e) {
    src.destroy();
    throw new ImageReadError(`${path} is not a readable tar archive (${errMessage(e)}): pass the output of docker save or Container.asTarball()`);
  }
  if ([...entries.values()].some((e) => e.offset < 0)) {
    throw new ImageReadError(`${path}: the tar reader gave no entry offsets; tar-stream >= 3.1 is required`);
  }
  return { path, entries };
}

/** A gzipped outer tarball (docker save | gzip) cannot be read by random access; say how to fix it. */
async function rejectCompressedOuter(path: string): Promise<void> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw new ImageReadError(`cannot open image tarball ${path}: ${errMessage(e)}`);
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    if (bytesRead === 0) throw new ImageReadError(`${path} is empty: pass the output of docker save or Container.asTarball()`);
    if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) {
      throw new ImageReadError(`${path} is gzip-compressed: gunzip it first (the reader needs a plain tar for random access)`);
    }
  } finally {
    await fh.close();
  }
}

/** Find an entry by archive path, following outer symlinks/hard links (docker save links duplicate layers). */
export function findEntry(archive: OuterArchive, rawName: string): OuterEntry | undefined {
  const n = normalisePath(rawName);
  let name = n.ok ? n.path : undefined;
  for (let hops = 0; name !== undefined && hops < 16; hops++) {
    const e = archive.entries.get(name);
    if (!e || e.type === "file") return e;
    if (!e.linkname || (e.type !== "symlink" && e.type !== "hardlink")) return undefined;
    name = resolveLinkTarget(e.name, e.linkname, e.type);
  }
  return undefined;
}

/** Read a whole entry known to be small (JSON), by random access into the tarball. */
export async function readSmall(archive: OuterArchive, name: string): Promise<Buffer> {
  const e = findEntry(archive, name);
  if (!e) throw new ImageReadError(`${archive.path}: entry ${name} is missing; the tarball is incomplete, export the image again`);
  if (e.size > MAX_JSON_BYTES) {
    throw new ImageReadError(`${archive.path}: ${name} is ${e.size} bytes, too big for a manifest or config; the tarball is not an image`);
  }
  const fh = await open(archive.path, "r");
  try {
    const buf = Buffer.alloc(e.size);
    const { bytesRead } = await fh.read(buf, 0, e.size, e.offset);
    if (bytesRead !== e.size) throw new ImageReadError(`${archive.path}: ${name} is truncated; export the image again`);
    return buf;
  } finally {
    await fh.close();
  }
}

/** Read and parse a small JSON entry, with a one-line error naming the entry when it is not JSON. */
export async function readJson(archive: OuterArchive, name: string): Promise<unknown> {
  const buf = await readSmall(archive, name);
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch (e) {
    throw new ImageReadError(`${archive.path}: ${name} is not valid JSON (${errMessage(e)}); export the image again`);
  }
}

/** The message of any thrown value, on one line. */
export function errMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s+/g, " ").trim();
}
