/**
 * Secrets inside packed and compiled files, end to end through inspectTarball: .pyc constants (several
 * CPython versions), wheels, UTF-16 configs, a .tar.gz backup, archives nested in archives, and hostile
 * archives (a zip bomb, `../` member names, a truncated member, nesting ten deep, corrupt data), each of
 * which must end in exactly one scan note while a secret in a later, ordinary file is still found.
 *
 * Every packed file is built at run time (fflate, tar-stream, zlib, the machine's python3), and every fake
 * secret from seeded hashes: this file holds no secret-looking literal. No planted value may reach the
 * findings, the notes or the check results.
 */
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { imageChecks } from "../../src/checks/index.js";
import { runChecks } from "../../src/checks/run.js";
import type { CheckResult } from "../../src/checks/types.js";
import { defaultConfig } from "../../src/config/schema.js";
import { inspectTarball, type TarballEvidence } from "../../src/inspect.js";
import { base62, crc32 } from "../../src/secrets/checksum.js";
import type { SecretFinding } from "../../src/secrets/types.js";
import { buildImage, type SyntheticFile, type SyntheticImage } from "../support/synthetic-image.js";
import { MAGIC, compilePyc, gzip, pyc38, tar, tarGz, utf16, withMagic, zip, zlibZip } from "../support/packed.js";
import { ALNUM, seeded, UPPER } from "../support/fakes.js";

const REPO_ROOT = join(import.meta.dirname, "../..");

const stripe = (seed: string) => ["sk", "_live_"].join("") + seeded(seed, ALNUM, 32);
const awsKeyId = (seed: string) => ["AK", "IA"].join("") + seeded(seed, `${UPPER}234567`, 16);
const githubToken = (seed: string) => {
  const random = seeded(seed, ALNUM, 30);
  return ["gh", "p_"].join("") + random + base62(crc32(random), 6);
};

/** Every value planted by a test, for the leak check. */
const planted: string[] = [];
const plant = (value: string): string => (planted.push(value), value);

/** Redacted forms, as the scanner promises (see tests/inspect/planted.test.ts). */
const mask = (s: string): string =>
  s.length >= 20 ? `${s.slice(0, 4)}${"*".repeat(Math.min(s.length - 6, 16))}${s.slice(-2)}` : `${s.slice(0, 2)}${"*".repeat(s.length - 3)}${s.slice(-1)}`;

const BY = "COPY . /srv";
const built: SyntheticImage[] = [];
afterAll(async () => {
  await Promise.all(built.map((b) => b.cleanup()));
});

interface Inspected {
  img: SyntheticImage;
  ev: TarballEvidence;
  results: CheckResult[];
}

/** An image of one base layer and one layer holding `files`, inspected with the default config. */
async function inspect(files: SyntheticFile[]): Promise<Inspected> {
  const img = await buildImage({
    layers: [{ createdBy: "FROM scratch", files: [{ path: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n" }] }, { createdBy: BY, files }],
    config: { user: "1001", cmd: ["python", "-m", "app"] },
  });
  built.push(img);
  const config = defaultConfig();
  const ev = await inspectTarball(img.path, { config, repoRoot: REPO_ROOT });
  return { img, ev, results: runChecks({ config, image: ev.image, secrets: ev.secrets, scanNotes: ev.scanNotes }, imageChecks) };
}

/** "ruleId path:line redacted" for each finding, in order. */
const brief = (fs: SecretFinding[]): string[] =>
  fs.map((f) => `${f.ruleId} ${f.location.kind === "file" ? `${f.location.path}:${f.location.line}` : f.location.key} ${f.redacted}`);

/** Notes as "path: message". */
const notes = (r: Inspected): string[] => r.ev.scanNotes.map((n) => `${n.path}: ${n.message}`);

function expectNoPlantedValue(r: Inspected): void {
  const reported = JSON.stringify({ secrets: r.ev.secrets, scanNotes: r.ev.scanNotes, results: r.results });
  for (const value of planted) expect.soft(reported.includes(value), `a planted value (${mask(value)}) reached the report`).toBe(false);
}

/** An ordinary file after the packed ones: it must still be scanned. */
function lastFile(seed: string): { file: SyntheticFile; finding: string } {
  const key = plant(awsKeyId(seed));
  return { file: { path: "srv/app/later.py", content: `# after the archive\nKEY_ID = "${key}"\n` }, finding: `aws-access-key-id srv/app/later.py:2 ${mask(key)}` };
}

describe("secrets in compiled and packed files", () => {
  it("finds constants of .pyc files of several CPython versions; the line is the constant's ordinal", async () => {
    const [k311, k313, k38, k310] = ["pyc-311", "pyc-313", "pyc-38", "pyc-310"].map((s) => plant(stripe(s)));
    const source = (k: string) => `"""Vendored keys."""\nimport os\nREGION = "eu-west-1"\nSTRIPE = "${k}"\n`;
    // The module's constants, in marshal order: the docstring, 0, None, "eu-west-1", the key.
    const real = compilePyc(source(k311));
    const module38 = (k: string) => ({
      name: "<module>",
      names: [{ ref: 1 }],
      // A nested code object whose names store the key (FLAG_REF), then a reference to it in the module's consts.
      consts: ["Vendored keys.", { code: { name: "load", names: [{ stored: "api_key" }, { stored: k }], consts: [null] } }, { ref: 1 }, { frozenset: ["a", "b"] }, null],
    });
    const r = await inspect([
      { path: "srv/vendor/__pycache__/keys.cpython-311.pyc", content: real },
      { path: "srv/vendor/__pycache__/keys.cpython-313.pyc", content: withMagic(compilePyc(source(k313)), MAGIC["3.13"]) },
      { path: "srv/vendor/keys38.pyc", content: pyc38(MAGIC["3.8"], module38(k38)) },
      { path: "srv/vendor/keys310.pyc", content: pyc38(MAGIC["3.10"], module38(k310)) },
    ]);
    expect(brief(r.ev.secrets)).toEqual([
      `stripe-live-key srv/vendor/__pycache__/keys.cpython-311.pyc:3 ${mask(k311)}`,
      `stripe-live-key srv/vendor/__pycache__/keys.cpython-313.pyc:3 ${mask(k313)}`,
      `stripe-live-key srv/vendor/keys38.pyc:2 ${mask(k38)}`,
      `stripe-live-key srv/vendor/keys310.pyc:2 ${mask(k310)}`,
    ]);
    expect(r.ev.scanNotes).toEqual([]);
    expectNoPlantedValue(r);
  });

  it("finds a key in a wheel's pkg/settings.py at its own line, named through the wheel", async () => {
    const key = plant(githubToken("wheel"));
    const wheel = zip({
      "pkg/__init__.py": "from .settings import *\n",
      "pkg/settings.py": `import os\nDEBUG = False\nGITHUB = "${key}"\n`,
      "pkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n",
    });
    const r = await inspect([{ path: "usr/lib/app-1.0-py3-none-any.whl", content: wheel }]);
    expect(brief(r.ev.secrets)).toEqual([`github-token usr/lib/app-1.0-py3-none-any.whl!pkg/settings.py:3 ${mask(key)}`]);
    const { diffId } = r.img.layers[1]!;
    expect(r.ev.secrets[0]!.fingerprint).toBe(`github-token:${diffId.slice(7, 19)}:usr/lib/app-1.0-py3-none-any.whl!pkg/settings.py:3`);
    expect(r.ev.secrets[0]!.location).toMatchObject({ kind: "file", layer: { index: 1, createdBy: BY }, line: 3 });
    expect(r.results.find((c) => c.id === "no-secrets")!.evidence[0]).toContain("usr/lib/app-1.0-py3-none-any.whl!pkg/settings.py:3 value");
    expect(r.ev.scanNotes).toEqual([]);
    expectNoPlantedValue(r);
  });

  it("decodes UTF-16 configs: little-endian with a BOM, big-endian without", async () => {
    const [le, be] = [plant(awsKeyId("utf16-le")), plant(awsKeyId("utf16-be"))];
    const r = await inspect([
      { path: "srv/config/appsettings.json", content: utf16(`{\n  "Region": "eu-west-1",\n  "AccessKeyId": "${le}"\n}\r\n`, "le-bom") },
      { path: "srv/config/legacy.ini", content: utf16(`[aws]\r\nkey_id=${be}\r\n`, "be") },
    ]);
    expect(brief(r.ev.secrets)).toEqual([`aws-access-key-id srv/config/appsettings.json:3 ${mask(le)}`, `aws-access-key-id srv/config/legacy.ini:2 ${mask(be)}`]);
    expect(r.ev.scanNotes).toEqual([]);
    expectNoPlantedValue(r);
  });

  it("scans a .env inside a .tar.gz backup with the .env rules", async () => {
    const key = plant(stripe("backup-env"));
    const backup = await tarGz({ "site/README": "nightly backup\n", "site/.env": `DEBUG=0\nSTRIPE_KEY=${key}\n` });
    const r = await inspect([{ path: "var/backups/site-2024.tar.gz", content: backup }]);
    // env-file reports the file's first assignment (DEBUG=0, its value masked); the key is found on line 2.
    expect(brief(r.ev.secrets)).toEqual([
      "env-file var/backups/site-2024.tar.gz!site/.env:1 ****",
      `stripe-live-key var/backups/site-2024.tar.gz!site/.env:2 ${mask(key)}`,
    ]);
    expect(r.ev.scanNotes).toEqual([]);
    expectNoPlantedValue(r);
  });

  it("unpacks archives in archives: a zip in a tar in a gzip, and a plain .gz", async () => {
    const [deep, gz] = [plant(githubToken("nested")), plant(stripe("single-gz"))];
    const inner = zip({ "conf/tokens.py": `# deploy\nTOKEN = "${deep}"\n` });
    const outer = gzip(await tar({ "lib/app.zip": inner, "lib/notes.txt": "nothing\n" }));
    const r = await inspect([
      { path: "opt/bundle.tgz", content: outer },
      { path: "opt/payments.py.gz", content: gzip(`import stripe\nstripe.api_key = "${gz}"\n`) },
    ]);
    expect(brief(r.ev.secrets)).toEqual([
      `github-token opt/bundle.tgz!lib/app.zip!conf/tokens.py:2 ${mask(deep)}`,
      `stripe-live-key opt/payments.py.gz!payments.py:2 ${mask(gz)}`,
    ]);
    expect(r.ev.scanNotes).toEqual([]);
    expectNoPlantedValue(r);
  });
});

describe("hostile archives: one note each, and the scan goes on", () => {
  it("a zip bomb", async () => {
    const later = lastFile("after-bomb");
    // 16 MiB of zeros deflate to ~16 KiB: the ratio guard stops it after its first MiB.
    const bomb = zlibZip("zeros.txt", Buffer.alloc(16 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const r = await inspect([{ path: "srv/data/bomb.zip", content: bomb }, later.file]);
    expect(notes(r)).toEqual([
      expect.stringMatching(/^srv\/data\/bomb\.zip: compression ratio over 200:1 after \d+ bytes, a likely decompression bomb \(maxRatio\); not unpacked further$/),
    ]);
    expect(brief(r.ev.secrets)).toEqual([later.finding]);
    expectNoPlantedValue(r);
  });

  it("a zip whose member names climb out with ../: scanned under the raw name, one note", async () => {
    const later = lastFile("after-traversal");
    const [a, b] = [plant(stripe("traversal-a")), plant(stripe("traversal-b"))];
    const evil = zip({ "../../etc/cron.d/job.py": `K = "${a}"\n`, "../x/../../root/.profile.py": `K = "${b}"\n`, "ok.txt": "fine\n" });
    const r = await inspect([{ path: "srv/upload/evil.zip", content: evil }, later.file]);
    expect(notes(r)).toEqual([
      'srv/upload/evil.zip: member name "../../etc/cron.d/job.py" escapes the archive; scanned under its raw name (and 1 more problem in this archive)',
    ]);
    expect(brief(r.ev.secrets)).toEqual([
      `stripe-live-key srv/upload/evil.zip!../../etc/cron.d/job.py:1 ${mask(a)}`,
      `stripe-live-key srv/upload/evil.zip!../x/../../root/.profile.py:1 ${mask(b)}`,
      later.finding,
    ]);
    expectNoPlantedValue(r);
  });

  it("a zip with a truncated member: the members before it are still scanned", async () => {
    const later = lastFile("after-truncated");
    const early = plant(githubToken("before-truncation"));
    const lines = Array.from({ length: 400 }, (_, i) => `line_${i} = "${seeded(`filler-${i}`, ALNUM, 40)}"`).join("\n");
    const whole = zip({ "a/first.py": `T = "${early}"\n`, "b/second.py": lines });
    const r = await inspect([{ path: "srv/lib/cut.zip", content: truncateMember(whole, "b/second.py") }, later.file]);
    expect(notes(r)).toEqual([expect.stringMatching(/^srv\/lib\/cut\.zip: deflate data is corrupt or truncated \(.+\); not fully unpacked$/)]);
    expect(brief(r.ev.secrets)).toEqual([`github-token srv/lib/cut.zip!a/first.py:1 ${mask(early)}`, later.finding]);
    expectNoPlantedValue(r);
  });

  it("a .tar.gz cut off in the middle", async () => {
    const later = lastFile("after-cut-tgz");
    const whole = await tarGz({ "a.txt": "x".repeat(100_000), "b.txt": "y\n" });
    const r = await inspect([{ path: "srv/backup/cut.tar.gz", content: whole.subarray(0, whole.length >> 1) }, later.file]);
    expect(notes(r)).toEqual([expect.stringMatching(/^srv\/backup\/cut\.tar\.gz: gzip data is corrupt or truncated \(.+\); not fully unpacked$/)]);
    expect(brief(r.ev.secrets)).toEqual([later.finding]);
    expectNoPlantedValue(r);
  });

  it("archives nested ten deep: unpacked to maxDepth (3), one note for the archive below it", async () => {
    const later = lastFile("after-deep");
    const bottom = plant(stripe("depth-10"));
    let packed = zip({ "secret.py": `K = "${bottom}"\n` });
    for (let level = 9; level >= 1; level--) packed = zip({ [`l${level}.zip`]: packed });
    const r = await inspect([{ path: "srv/deep.zip", content: packed }, later.file]);
    expect(notes(r)).toEqual(["srv/deep.zip!l1.zip!l2.zip!l3.zip: archive nested 4 deep, deeper than maxDepth (3); not unpacked"]);
    expect(brief(r.ev.secrets)).toEqual([later.finding]);
    expectNoPlantedValue(r);
  });

  it("corrupt data: a .whl that is not a zip, and a zip with garbage where its deflate data should be", async () => {
    const later = lastFile("after-corrupt");
    const good = zip({ "m.py": "x = 1\n".repeat(200) });
    const garbled = Buffer.from(good);
    const data = 30 + garbled.readUInt16LE(26) + garbled.readUInt16LE(28);
    for (let i = data; i < data + 6; i++) garbled[i] = 0xff;
    const r = await inspect([
      { path: "srv/wheels/broken-1.0-py3-none-any.whl", content: Buffer.concat([Buffer.from("PK\x03\x04"), Buffer.alloc(200, 7)]) },
      { path: "srv/lib/garbled.zip", content: garbled },
      later.file,
    ]);
    expect(notes(r)).toEqual([
      "srv/wheels/broken-1.0-py3-none-any.whl: not a readable zip: no end of central directory (truncated or corrupt)",
      expect.stringMatching(/^srv\/lib\/garbled\.zip: deflate data is corrupt or truncated \(.+\); not fully unpacked$/),
    ]);
    expect(brief(r.ev.secrets)).toEqual([later.finding]);
    // A note makes no-secrets a warning at most; here the later file's secret fails it.
    expect(r.results.find((c) => c.id === "no-secrets")!.verdict).toBe("fail");
    expectNoPlantedValue(r);
  });

  it("a note alone (no secret) makes no-secrets a warning, and the options passed to inspectTarball bound the scan", async () => {
    const img = await buildImage({ layers: [{ createdBy: BY, files: [{ path: "srv/a.zip", content: zip({ "b.zip": zip({ "c.txt": "hello\n" }) }) }] }] });
    built.push(img);
    const config = defaultConfig();
    const ev = await inspectTarball(img.path, { config, repoRoot: REPO_ROOT, unpack: { maxDepth: 1 } });
    expect(ev.scanNotes.map((n) => `${n.path}: ${n.message}`)).toEqual(["srv/a.zip!b.zip: archive nested 2 deep, deeper than maxDepth (1); not unpacked"]);
    const result = runChecks({ config, image: ev.image, secrets: ev.secrets, scanNotes: ev.scanNotes }, imageChecks).find((c) => c.id === "no-secrets")!;
    expect(result.verdict).toBe("warn");
    expect(result.evidence).toEqual(["not fully scanned: layer 0 srv/a.zip!b.zip: archive nested 2 deep, deeper than maxDepth (1); not unpacked"]);
  });
});

/** `zip` with member `name`'s compressed data cut to a third (sizes in both headers say so). */
function truncateMember(z: Buffer, name: string): Buffer {
  const out = Buffer.from(z);
  const nameBytes = Buffer.from(name);
  for (let at = 0; at + 46 < out.length; at++) {
    const sig = out.readUInt32LE(at);
    const isLocal = sig === 0x04034b50 && out.subarray(at + 30, at + 30 + nameBytes.length).equals(nameBytes);
    const isCentral = sig === 0x02014b50 && out.subarray(at + 46, at + 46 + nameBytes.length).equals(nameBytes);
    if (isLocal || isCentral) {
      const field = at + (isLocal ? 18 : 20);
      out.writeUInt32LE(Math.floor(out.readUInt32LE(field) / 3), field);
    }
  }
  return out;
}
