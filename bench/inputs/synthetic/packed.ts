/**
 * Packed and compiled files with planted secrets, where text scanners are blind: a CPython 3.12 .pyc (its
 * marshal data written here, so no Python is needed and the bytes never change), a wheel, a UTF-16 config
 * and a .tar.gz backup holding a .env. Zips come from fflate, tars from tar-stream, gzip from zlib: with
 * fixed times, the same Node build gives the same bytes.
 *
 * A plant's place inside an archive is `<archive path>!<member path>` and the member's line; in a .pyc the
 * "line" is the constant's 1-based ordinal in the module's co_consts walk (how our scanner reports it).
 */
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { pack as tarPack } from "tar-stream";
import { MTIME } from "./constants.js";
import type { LayerWriter } from "./layer-writer.js";
import type { PlantValues } from "./plants.js";

/** A plant inside a packed file: the place our scanner reports, relative to the file. */
interface Inner {
  id: string;
  kind: string;
  member: string;
  line: number;
}

/** Writes `content` at `path` and records plants at `<path>` (member "") or `<path>!<member>`. */
async function packedFile(w: LayerWriter, path: string, content: Buffer, plants: Inner[]): Promise<void> {
  for (const p of plants) w.planted.push({ id: p.id, kind: p.kind, layer: w.index, path: p.member ? `${path}!${p.member}` : path, line: p.line });
  await w.file(path, content, "configDocs");
}

/** The four packed plants, in the app layer. */
export async function packedPlants(w: LayerWriter, pv: PlantValues): Promise<void> {
  const consts = ['Keys of the payment provider, vendored by the build.', "eu-west-1", pv.stripePyc, "https://api.stripe.com"];
  await packedFile(w, "app/vendor/__pycache__/payment_keys.cpython-312.pyc", pyc312(consts, ["REGION", "STRIPE_KEY", "API_BASE"]), [
    { id: "stripe-key-in-pyc", kind: "stripe-live-key", member: "", line: 3 },
  ]);

  const settings = `"""Defaults of the billing client."""\nTIMEOUT = 10\nGITLAB_TOKEN = "${pv.gitlabWheel}"\n`;
  const wheel = zip({
    "billing_client/__init__.py": "from .settings import *\n",
    "billing_client/settings.py": settings,
    "billing_client-1.4.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: billing-client\nVersion: 1.4.0\n",
    "billing_client-1.4.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.44.0)\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
  });
  await packedFile(w, "app/wheels/billing_client-1.4.0-py3-none-any.whl", wheel, [
    { id: "gitlab-pat-in-wheel", kind: "gitlab-pat", member: "billing_client/settings.py", line: 3 },
  ]);

  const appsettings = `{\r\n  "Logging": { "LogLevel": { "Default": "Information" } },\r\n  "Aws": {\r\n    "AccessKeyId": "${pv.awsKeyIdUtf16}",\r\n    "Region": "eu-west-1"\r\n  }\r\n}\r\n`;
  await packedFile(w, "app/config/legacy/appsettings.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(appsettings, "utf16le")]), [
    { id: "aws-key-id-in-utf16-config", kind: "aws-access-key-id", member: "", line: 4 },
  ]);

  const env = `APP_ENV=production\nDATABASE_URL=postgresql://site:${pv.postgresBackup}@db.internal:5432/site\nLOG_LEVEL=info\n`;
  const backup = gzipSync(await tar({ "site/README": "Nightly backup of the site config.\n", "site/.env": env }));
  await packedFile(w, "app/backups/site-2024-11-01.tar.gz", backup, [
    { id: "postgres-url-in-backup-env", kind: "database-url-password", member: "site/.env", line: 2 },
  ]);
}

function zip(files: Record<string, string>): Buffer {
  const mtime = MTIME;
  return Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([n, c]) => [n, [Buffer.from(c), { level: 6, mtime }]]))));
}

async function tar(files: Record<string, string>): Promise<Buffer> {
  const p = tarPack();
  for (const [name, content] of Object.entries(files)) p.entry({ name, size: Buffer.byteLength(content), mtime: MTIME, mode: 0o644 }, content);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

// --- A minimal marshal writer: a CPython 3.12 module whose code object holds `consts` and stores `names`.

const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
};
const str = (s: string): Buffer => {
  const b = Buffer.from(s, "utf8");
  return b.length < 256 && /^[\x20-\x7e]*$/.test(s) ? Buffer.concat([Buffer.from([0x7a, b.length]), b]) : Buffer.concat([Buffer.from("u"), i32(b.length), b]);
};
const bytes = (b: Buffer): Buffer => Buffer.concat([Buffer.from("s"), i32(b.length), b]);
const tuple = (items: Buffer[]): Buffer => Buffer.concat([Buffer.from([0x29, items.length]), ...items]);

/** 3.11+ layout: 5 ints, code, consts, names, localsplusnames, localspluskinds, filename, name, qualname, firstlineno, linetable, exceptiontable. */
function pyc312(consts: string[], names: string[]): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt16LE(3531, 0); // 3.12's magic
  header.write("\r\n", 2, "latin1");
  const code = Buffer.concat([
    Buffer.from("c"), i32(0), i32(0), i32(0), i32(2), i32(0),
    bytes(Buffer.from([0x97, 0x00, 0x64, 0x00, 0x53, 0x00])), // RESUME; LOAD_CONST 0; RETURN_VALUE
    tuple([...consts.map(str), Buffer.from("N")]), tuple(names.map(str)), tuple([]), bytes(Buffer.alloc(0)),
    str("/app/vendor/payment_keys.py"), str("<module>"), str("<module>"), i32(1), bytes(Buffer.alloc(0)), bytes(Buffer.alloc(0)),
  ]);
  return Buffer.concat([header, code]);
}
