/**
 * Writing one layer: LayerWriter (a tar-stream pack that counts bytes per content kind, picks fresh names,
 * records plants), writeLayer (the pack piped into gzip, hashing both sides, into a temp blob file), the
 * LayerPlan a layer is described by, and the helpers plans fill their budgets with.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { pack as tarPack, type Pack } from "tar-stream";
import type { PlantedSecret } from "../../lib/findings.js";
import { elf } from "./binary.js";
import { MiB, MTIME } from "./constants.js";
import type { Lines } from "./plants.js";
import { pools } from "./pools.js";
import { hash32, RandomBytes, Rng } from "./random.js";
import type { Category, SyntheticLayerInfo } from "./types.js";
import { Vocab, type Pools } from "./vocabulary.js";

/** A tar-stream entry header. */
export type Headers = Parameters<Pack["entry"]>[0];

interface Owner {
  uid: number;
  gid: number;
}

export class LayerWriter {
  readonly pack: Pack = tarPack({ highWaterMark: MiB });
  /** Content bytes per kind, for the mix. */
  readonly spent: Record<Category, number> = { pythonText: 0, extensions: 0, pyc: 0, configDocs: 0, blobs: 0 };
  /** Tar bytes per kind (header and padding included): what budgets count, so layers land on their share. */
  readonly used: Record<Category, number> = { pythonText: 0, extensions: 0, pyc: 0, configDocs: 0, blobs: 0 };
  readonly planted: PlantedSecret[] = [];
  files = 0;
  private readonly dirs = new Set<string>();
  private readonly paths = new Set<string>();
  owner: Owner = { uid: 0, gid: 0 };

  constructor(
    readonly index: number,
    readonly r: Rng,
    readonly rb: RandomBytes,
    readonly p: Pools,
    readonly v: Vocab,
  ) {}

  private put(h: Headers, body?: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body) this.pack.entry(h, body, cb);
      else this.pack.entry(h, cb);
    });
  }

  private header(name: string, extra: Partial<Headers>): Headers {
    return { name, mtime: MTIME, uid: this.owner.uid, gid: this.owner.gid, uname: "", gname: "", ...extra };
  }

  /** True when this layer already has an entry at `path` (generators pick another name). */
  taken(path: string): boolean {
    return this.paths.has(path) || this.dirs.has(path);
  }

  /** `path`, or `path` with `_2`, `_3`, ... before its extension when this layer already has an entry there. */
  fresh(path: string): string {
    if (!this.taken(path)) return path;
    const slash = path.lastIndexOf("/");
    const dot = path.indexOf(".", slash + 2);
    const [stem, ext] = dot > 0 ? [path.slice(0, dot), path.slice(dot)] : [path, ""];
    for (let i = 2; ; i++) if (!this.taken(`${stem}_${i}${ext}`)) return `${stem}_${i}${ext}`;
  }

  async dir(path: string): Promise<void> {
    if (!path || this.dirs.has(path)) return;
    const i = path.lastIndexOf("/");
    if (i > 0) await this.dir(path.slice(0, i));
    this.dirs.add(path);
    await this.put(this.header(`${path}/`, { type: "directory", mode: 0o755 }));
  }

  async file(path: string, content: Buffer | string, cat: Category, mode = 0o644): Promise<Buffer> {
    const body = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    await this.dir(path.slice(0, path.lastIndexOf("/")));
    this.count(body.length, cat, path);
    await this.put(this.header(path, { type: "file", mode, size: body.length }), body);
    return body;
  }

  /** A large file streamed in chunks from `chunk(offset, n)`, never held whole. */
  async streamFile(path: string, size: number, cat: Category, chunk: (offset: number, n: number) => Buffer): Promise<void> {
    await this.dir(path.slice(0, path.lastIndexOf("/")));
    this.count(size, cat, path);
    let cb: (err?: Error | null) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => (cb = (err) => (err ? reject(err) : resolve())));
    const sink = this.pack.entry(this.header(path, { type: "file", mode: 0o644, size }), cb);
    for (let off = 0; off < size; ) {
      const n = Math.min(MiB, size - off);
      const b = chunk(off, n);
      off += b.length;
      if (!sink.write(b)) await once(sink, "drain");
    }
    sink.end(undefined);
    await done;
  }

  async symlink(path: string, target: string): Promise<void> {
    if (this.taken(path)) return;
    await this.dir(path.slice(0, path.lastIndexOf("/")));
    this.paths.add(path);
    await this.put(this.header(path, { type: "symlink", linkname: target, mode: 0o777 }));
  }

  /** `<dir>/.wh.<name>`: deletes `path` from the layers below. */
  async whiteout(path: string): Promise<void> {
    const i = path.lastIndexOf("/");
    await this.file(`${path.slice(0, i + 1)}.wh.${path.slice(i + 1)}`, Buffer.alloc(0), "configDocs");
  }

  /** A text file carrying plants; their places are recorded for this layer. */
  async plantedFile(path: string, l: Lines, cat: Category, opts: { deletedLater?: boolean; mode?: number } = {}): Promise<void> {
    for (const pl of l.plants) {
      this.planted.push({ id: pl.id, kind: pl.kind, layer: this.index, path, line: pl.line, ...(opts.deletedLater ? { deletedLater: true } : {}) });
    }
    await this.file(path, l.text(), cat, opts.mode);
  }

  private count(size: number, cat: Category, path: string): void {
    if (this.taken(path)) throw new Error(`layer ${this.index}: ${path} written twice`);
    this.paths.add(path);
    this.files++;
    const pax = fitsUstar(path) ? 0 : 1024;
    const bytes = 512 + pax + Math.ceil(size / 512) * 512;
    this.spent[cat] += size;
    this.used[cat] += bytes;
  }
}

/** True when tar-stream can write `path` in a plain ustar header (name <= 100 after a prefix <= 155). */
function fitsUstar(path: string): boolean {
  if (path.length <= 100) return true;
  for (let cut = path.indexOf("/"); cut !== -1; cut = path.indexOf("/", cut + 1)) {
    if (path.length - cut - 1 <= 100) return cut <= 155;
  }
  return false;
}

export interface LayerPlan {
  createdBy: string;
  /** Share of the total uncompressed target. */
  share: number;
  generate(w: LayerWriter, budget: number): Promise<void>;
}

export interface LayerResult extends SyntheticLayerInfo {
  blobPath: string;
  storedBytes: number;
  spent: Record<Category, number>;
  planted: PlantedSecret[];
}

export async function writeLayer(index: number, plan: LayerPlan, seed: number, totalBytes: number, workDir: string): Promise<LayerResult> {
  const r = new Rng(hash32(`${seed}/layer/${index}`));
  const p = pools(seed);
  const w = new LayerWriter(index, r, new RandomBytes(`${seed}/layer-bytes/${index}`), p, new Vocab(r, p.words, p.sentences));
  const diff = createHash("sha256");
  const dig = createHash("sha256");
  let ub = 0;
  let sb = 0;
  const blobPath = join(workDir, `layer-${index}.tar.gz`);
  const pack = w.pack;
  // tar-stream emits many small chunks (a 512-byte header per entry); gzip gets them in 1 MiB writes, as each
  // write is one round trip to the thread pool.
  async function* source() {
    let parts: Buffer[] = [];
    let n = 0;
    for await (const c of pack as AsyncIterable<Buffer>) {
      diff.update(c);
      ub += c.length;
      parts.push(c);
      n += c.length;
      if (n >= MiB) {
        yield Buffer.concat(parts, n);
        parts = [];
        n = 0;
      }
    }
    if (n > 0) yield Buffer.concat(parts, n);
  }
  const tap = new Transform({
    transform(c: Buffer, _enc, cb) {
      dig.update(c);
      sb += c.length;
      cb(null, c);
    },
  });
  const written = pipeline(source, createGzip(), tap, createWriteStream(blobPath));
  written.catch(() => pack.destroy());
  try {
    await plan.generate(w, plan.share * totalBytes);
    pack.finalize();
  } catch (e) {
    pack.destroy(e as Error);
    await written.catch(() => undefined);
    throw e;
  }
  await written;
  return {
    index, diffId: `sha256:${diff.digest("hex")}`, digest: `sha256:${dig.digest("hex")}`, uncompressedBytes: ub, files: w.files,
    createdBy: plan.createdBy, blobPath, storedBytes: sb, spent: w.spent, planted: w.planted,
  };
}

export async function fill(w: LayerWriter, cat: Category, budget: number, one: () => Promise<void>): Promise<void> {
  const start = w.used[cat];
  while (w.used[cat] - start < budget) await one();
}

export async function elfFile(w: LayerWriter, path: string, size: number, exec: boolean): Promise<void> {
  await w.file(path, elf(w.r, w.rb, w.p, w.v, size, exec), "extensions", exec ? 0o755 : 0o644);
}
