/**
 * An image with very many small files (default 500k: a node_modules- or ML-stack-sized tree), for the
 * reader's memory bound and the scan's per-file cost: one big gzip layer of small text files in a deep tree
 * with a few secrets planted at known lines, and a small second layer that deletes one planted file and
 * overwrites another (both still shipped). Deterministic; cached by recipe like the synthetic image.
 *
 *   const img = await manyFilesImage({ dir: ".cache/bench", files: 500_000 });
 *   npx tsx bench/inputs/many-files.ts [--dir .cache/bench] [--files 500000] [--seed 1]
 *
 * Tar headers are written here directly (plain ustar, every path under 100 bytes): tar-stream's pack would
 * take most of the generation time for half a million entries. Values come from the synthetic image's plant
 * generator (nothing secret-looking in the source); the manifest keeps places, never values.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { constants, createGzip, type Gzip } from "node:zlib";
import type { PlantedSecret } from "../lib/findings.js";
import { plantValues } from "./synthetic/plants.js";
import { hash32, Rng } from "./synthetic/random.js";
import { writeOuter } from "./synthetic/tarball.js";
import type { LayerResult } from "./synthetic/layer-writer.js";

const VERSION = 1;
const WORDS = ["value", "config", "handler", "request", "items", "result", "module", "export", "default", "index", "render", "state", "props", "buffer", "stream", "token_count", "options", "callback"];

export interface ManyFilesOptions {
  dir: string;
  /** Files in the big layer (default 500k); directories come on top (one per 50 files). */
  files?: number;
  seed?: number;
}

export interface ManyFilesImage {
  path: string;
  files: number;
  uncompressedBytes: number;
  layers: Array<{ diffId: string; uncompressedBytes: number }>;
  planted: PlantedSecret[];
  recipe: string;
}

/** A 512-byte ustar header (name < 100 bytes), checksum filled. */
function ustar(name: string, size: number, type: "0" | "5"): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write(`${(type === "5" ? 0o755 : 0o644).toString(8).padStart(7, "0")}\0`, 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  h.write(`${(1_717_401_600).toString(8).padStart(11, "0")}\0`, 136);
  h.write(type, 156);
  h.write("ustar\x0000", 257, "latin1");
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i]!;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return h;
}

/** Writes tar entries through gzip to a blob file, hashing the tar (diff_id) and the blob (digest). */
class LayerTar {
  private readonly gzip: Gzip = createGzip({ level: 1, memLevel: 9, strategy: constants.Z_DEFAULT_STRATEGY });
  private readonly tarHash = createHash("sha256");
  private readonly blobHash = createHash("sha256");
  private readonly written: Promise<void>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  bytes = 0;
  storedBytes = 0;

  constructor(readonly blobPath: string) {
    const out = createWriteStream(blobPath);
    this.gzip.on("data", (c: Buffer) => { this.blobHash.update(c); this.storedBytes += c.length; });
    this.gzip.pipe(out);
    this.written = once(out, "finish").then(() => undefined);
  }

  async dir(name: string): Promise<void> {
    await this.put(ustar(`${name}/`, 0, "5"));
  }

  async file(name: string, body: Buffer): Promise<void> {
    await this.put(ustar(name, body.length, "0"), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }

  async close(): Promise<{ diffId: string; digest: string }> {
    await this.put(Buffer.alloc(1024));
    await this.flush();
    this.gzip.end();
    await this.written;
    return { diffId: `sha256:${this.tarHash.digest("hex")}`, digest: `sha256:${this.blobHash.digest("hex")}` };
  }

  private async put(...parts: Buffer[]): Promise<void> {
    for (const p of parts) {
      this.pending.push(p);
      this.pendingBytes += p.length;
    }
    if (this.pendingBytes >= 1 << 20) await this.flush();
  }

  /** One write per MiB: the per-call cost of zlib and hashing dominates with 1 KiB entries. */
  private async flush(): Promise<void> {
    const chunk = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.tarHash.update(chunk);
    this.bytes += chunk.length;
    if (!this.gzip.write(chunk)) await once(this.gzip, "drain");
  }
}

/** A small source file of a few lines; `secret` (when given) sits alone on line `line`. */
function smallFile(r: Rng, secret?: { text: string; line: number }): Buffer {
  const lines = [`// ${r.pick(WORDS)} ${r.pick(WORDS)}`];
  const n = r.range(2, 6);
  for (let i = 0; i < n; i++) lines.push(`export const ${r.pick(WORDS)}${i} = ${r.pick(WORDS)}(${r.int(1000)});`);
  if (secret) lines.splice(secret.line - 1, 0, secret.text);
  return Buffer.from(`${lines.join("\n")}\n`);
}

/** Where each file goes: a deep tree, 50 files per directory, six levels down. */
function pathOf(i: number): { dir: string; name: string } {
  const d = Math.floor(i / 50);
  const dir = `app/node_modules/pkg${d % 97}/lib/m${d % 13}/v${d % 7}/s${d % 5}/d${d}`;
  return { dir, name: `${dir}/f${i}.js` };
}

/** The plants: file index (in the big layer), rule-shaped text, line; one deleted later, one overwritten later. */
function plants(seed: number, files: number) {
  const v = plantValues(seed);
  const at = (k: number) => Math.floor((files * (2 * k + 1)) / 12);
  return [
    { id: "aws-pair", kind: "aws-access-key-id", index: at(0), text: `const AWS_ACCESS_KEY_ID = "${v.awsKeyId}";` },
    { id: "github-pat", kind: "github-pat", index: at(1), text: `const token = "${v.githubPat}";` },
    { id: "stripe", kind: "stripe", index: at(2), text: `const stripeKey = "${v.stripe}";` },
    { id: "slack-bot", kind: "slack-bot-token", index: at(3), text: `const slack = "${v.slackBot}";`, deletedLater: true },
    { id: "npm-token", kind: "npm-token", index: at(4), text: `const npmToken = "${v.npm}";` },
    { id: "gitlab-pat", kind: "gitlab-pat", index: at(5), text: `const gitlab = "${v.gitlabPat}";`, overwrittenLater: true },
  ];
}

export function recipeOf(options: Omit<ManyFilesOptions, "dir">): string {
  return createHash("sha256").update(JSON.stringify({ v: VERSION, files: options.files ?? 500_000, seed: options.seed ?? 1 })).digest("hex").slice(0, 12);
}

/** Generate (or return the cached) many-files image. */
export async function manyFilesImage(options: ManyFilesOptions): Promise<ManyFilesImage> {
  const files = options.files ?? 500_000;
  const seed = options.seed ?? 1;
  const dir = resolve(options.dir);
  const recipe = recipeOf({ files, seed });
  const tarPath = join(dir, `many-files-${recipe}.tar`);
  const jsonPath = join(dir, `many-files-${recipe}.json`);
  const cached = await readFile(jsonPath, "utf8").then((t) => JSON.parse(t) as ManyFilesImage, () => undefined);
  if (cached && (await stat(tarPath).then(() => true, () => false))) return { ...cached, path: tarPath };
  await mkdir(dir, { recursive: true });
  const work = join(dir, `.many-files-${recipe}.work-${process.pid}`);
  await mkdir(work, { recursive: true });
  try {
    const { layers, planted } = await writeLayers(work, files, seed);
    await writeOuter(`${tarPath}.tmp-${process.pid}`, layers, configOf(layers));
    await rename(`${tarPath}.tmp-${process.pid}`, tarPath);
    const image: ManyFilesImage = {
      path: tarPath, files, recipe, planted,
      layers: layers.map((l) => ({ diffId: l.diffId, uncompressedBytes: l.uncompressedBytes })),
      uncompressedBytes: layers.reduce((n, l) => n + l.uncompressedBytes, 0),
    };
    await writeFile(jsonPath, `${JSON.stringify({ ...image, path: `many-files-${recipe}.tar` }, null, 2)}\n`);
    return image;
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(`${tarPath}.tmp-${process.pid}`, { force: true });
  }
}

async function writeLayers(work: string, files: number, seed: number): Promise<{ layers: LayerResult[]; planted: PlantedSecret[] }> {
  const r = new Rng(hash32(`${seed}/many-files`));
  const toPlant = plants(seed, files);
  const byIndex = new Map(toPlant.map((p) => [p.index, p]));
  const planted: PlantedSecret[] = [];
  const big = new LayerTar(join(work, "layer0.tar.gz"));
  let lastDir = "";
  for (let i = 0; i < files; i++) {
    const { dir, name } = pathOf(i);
    if (dir !== lastDir) { await big.dir(dir); lastDir = dir; }
    const p = byIndex.get(i);
    const line = p ? r.range(2, 4) : 0;
    await big.file(name, smallFile(r, p ? { text: p.text, line } : undefined));
    if (p) planted.push({ id: p.id, kind: p.kind, layer: 0, path: name, line, ...(p.deletedLater || p.overwrittenLater ? { deletedLater: true } : {}) });
  }
  const top = new LayerTar(join(work, "layer1.tar.gz"));
  for (const p of toPlant) {
    const { dir, name } = pathOf(p.index);
    if (p.deletedLater) await top.file(`${dir}/.wh.${name.slice(dir.length + 1)}`, Buffer.alloc(0));
    if (p.overwrittenLater) await top.file(name, smallFile(r));
  }
  const layers = [await finish(big, files, "COPY node_modules /app/node_modules"), await finish(top, 2, "RUN rm and patch")];
  return { layers, planted };
}

async function finish(t: LayerTar, files: number, createdBy: string): Promise<LayerResult> {
  const { diffId, digest } = await t.close();
  return { index: 0, diffId, digest, uncompressedBytes: t.bytes, storedBytes: t.storedBytes, files, createdBy, blobPath: t.blobPath, planted: [], spent: { pythonText: 0, extensions: 0, pyc: 0, configDocs: 0, blobs: 0 } };
}

function configOf(layers: LayerResult[]): Buffer {
  const created = "2024-06-03T09:30:00Z";
  return Buffer.from(JSON.stringify({
    architecture: "amd64", os: "linux", created,
    config: { User: "1001:1001", Cmd: ["node", "/app/index.js"], WorkingDir: "/app", Env: ["NODE_ENV=production"] },
    rootfs: { type: "layers", diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created, created_by: l.createdBy })),
  }));
}

async function cli(): Promise<void> {
  const arg = (name: string, fallback: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
  };
  const t0 = performance.now();
  const img = await manyFilesImage({ dir: arg("dir", ".cache/bench"), files: Number(arg("files", "500000")), seed: Number(arg("seed", "1")) });
  const size = (await stat(img.path)).size;
  console.log(`${img.path}: ${img.files} files, ${(img.uncompressedBytes / 1e6).toFixed(0)} MB uncompressed, ${(size / 1e6).toFixed(0)} MB stored, ${img.planted.length} planted; ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await cli().catch((e: unknown) => {
    process.stderr.write(`many-files: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
