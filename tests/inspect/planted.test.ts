/**
 * Planted secrets and defects, end to end through the static half: synthetic images written in both tarball
 * formats, read once by inspectTarball (secret scan riding the same pass), judged by the image checks.
 *
 * Every finding is asserted exactly (rule, location, layer digest as written, line, redacted form, shadowed).
 * Fake secrets are assembled at run time from seeded hashes, so this file holds no secret-looking literal, and
 * each test asserts that no planted value reaches what is reported (findings, scan notes, check results).
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { imageChecks } from "../../src/checks/index.js";
import { runChecks } from "../../src/checks/run.js";
import type { CheckResult, Verdict } from "../../src/checks/types.js";
import { defaultConfig, type VerifyConfig } from "../../src/config/schema.js";
import { inspectTarball, type TarballEvidence } from "../../src/inspect.js";
import { base62, crc32 } from "../../src/secrets/checksum.js";
import type { SecretFinding } from "../../src/secrets/types.js";
import {
  buildImage, makeTar, type SyntheticConfig, type SyntheticImage, type SyntheticImageSpec, type SyntheticLayer,
} from "../support/synthetic-image.js";
import { ALNUM, seeded, UPPER } from "../support/fakes.js";

type Format = "oci" | "docker-archive";
const REPO_ROOT = join(import.meta.dirname, "../..");
const SP = "app/.venv/lib/python3.12/site-packages";

// ---------------------------------------------------------------------------------------------------------
// Fake secrets: deterministic (seeded sha256), high entropy, built at run time.


/** GitHub / npm token format: prefix + 30 random + base62 CRC32 of the random part (see src/secrets/checksum.ts). */
function checksummed(prefix: string, seed: string): string {
  const random = seeded(seed, ALNUM, 30);
  return prefix + random + base62(crc32(random), 6);
}

const FAKE = {
  awsKeyId: ["AK", "IA"].join("") + seeded("aws-key-id", `${UPPER}234567`, 16),
  awsSecret: seeded("aws-secret", `${ALNUM}/+`, 40),
  npmToken: checksummed(["np", "m_"].join(""), "npm"),
  githubToken: checksummed(["gh", "p_"].join(""), "github"),
  dbPassword: seeded("db-password", ALNUM, 18),
  labelToken: seeded("label-token", ALNUM, 24),
  stripeKey: ["sk", "_live_"].join("") + seeded("stripe", ALNUM, 32),
  /** 192 pseudo-random bytes: 256 base64 characters, no padding. */
  pemBody: Buffer.concat([0, 1, 2, 3, 4, 5].map((i) => createHash("sha256").update(`pem/${i}`).digest())).toString("base64"),
};
/** Every planted value, and each 64-character line of the PEM body: none may be reported. */
const ALL_FAKES = [...Object.values(FAKE), ...FAKE.pemBody.match(/.{64}/g)!];

/** Redacted forms, as the scanner promises: 4 + at most 16 stars + 2 (>= 20 chars), 2 + stars + 1 (12 to 19). */
const mask = (s: string): string =>
  s.length >= 20 ? `${s.slice(0, 4)}${"*".repeat(Math.min(s.length - 6, 16))}${s.slice(-2)}` : `${s.slice(0, 2)}${"*".repeat(s.length - 3)}${s.slice(-1)}`;

// ---------------------------------------------------------------------------------------------------------
// The clean, production-like baseline.

const PASSWD = "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\napp:x:1001:1001::/app:/usr/sbin/nologin\n";
const GROUP = "root:x:0:\nnogroup:x:65534:\napp:x:1001:\n";
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);
const PYC = Buffer.concat([Buffer.from([0xcb, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]), Buffer.from("compiled module")]);

const BY = {
  base: "FROM python:3.12-slim",
  deps: "RUN uv sync --frozen --no-dev --no-install-project",
  app: "COPY app/ /app/app/",
};

function baseLayer(): SyntheticLayer {
  return {
    createdBy: BY.base,
    files: [
      { path: "etc/passwd", content: PASSWD },
      { path: "etc/group", content: GROUP },
      { path: "usr/local/bin/python3.12", content: ELF, mode: 0o755 },
      { path: "usr/local/bin/python3", type: "symlink", linkname: "python3.12" },
    ],
  };
}

function depsLayer(): SyntheticLayer {
  return {
    createdBy: BY.deps,
    files: [
      { path: "app/.venv/bin/python", type: "symlink", linkname: "/usr/local/bin/python3.12" },
      { path: "app/.venv/bin/uvicorn", content: "#!/app/.venv/bin/python\nfrom uvicorn.main import main\nmain()\n", mode: 0o755 },
      { path: `${SP}/fastapi-0.115.0.dist-info/METADATA`, content: "Metadata-Version: 2.3\nName: fastapi\nVersion: 0.115.0\n" },
      { path: `${SP}/fastapi/__init__.py`, content: '__version__ = "0.115.0"\nfrom .applications import FastAPI\n' },
      { path: `${SP}/fastapi/__pycache__/__init__.cpython-312.pyc`, content: PYC },
      { path: `${SP}/fastapi/routing.py`, content: "class APIRouter:\n    pass\n" },
      { path: `${SP}/fastapi/__pycache__/routing.cpython-312.pyc`, content: PYC },
    ],
  };
}

function appLayer(): SyntheticLayer {
  return {
    createdBy: BY.app,
    files: [
      { path: "app/app/__init__.py", content: "" },
      { path: "app/app/main.py", content: 'from fastapi import FastAPI\napp = FastAPI()\n\n@app.get("/api/v1/health")\ndef health():\n    return {"status": "ok"}\n' },
    ],
  };
}

const baseLayers = (): SyntheticLayer[] => [baseLayer(), depsLayer(), appLayer()];

const BASE_CONFIG: SyntheticConfig = {
  user: "1001",
  cmd: ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"],
  healthcheck: {
    Test: ["CMD", "python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=2)"],
    Interval: 10e9, Timeout: 3e9, StartPeriod: 5e9, Retries: 3,
  },
  env: ["PATH=/app/.venv/bin:/usr/local/bin:/usr/bin:/bin", "PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1"],
  workingDir: "/app",
  labels: { "org.opencontainers.image.source": "https://github.com/acme/notes", "org.opencontainers.image.version": "1.4.2" },
  exposedPorts: ["8000/tcp"],
  stopSignal: "SIGTERM",
};

/** The baseline with `extra` layers on top (indexes 3, 4, ...) and config fields overridden. */
function spec(format: Format, extra: SyntheticLayer[] = [], config: SyntheticConfig = {}): SyntheticImageSpec {
  return { format, layers: [...baseLayers(), ...extra], config: { ...BASE_CONFIG, ...config } };
}

/** Verdicts of the clean baseline; the skips are checks whose evidence a tarball alone cannot give. */
const BASELINE: Record<string, Verdict> = {
  "archive-integrity": "pass",
  "non-root": "pass",
  "exec-form": "pass",
  healthcheck: "pass",
  "no-secrets": "pass",
  "forbidden-files": "pass",
  "no-dev-dependencies": "skip", // needs project facts (pyproject.toml dev group)
  "bytecode-compiled": "pass",
  "size-budget": "pass",
  "dependency-layer-cache": "skip", // needs a second, source-only-changed build
  "build-secret-not-leaked": "skip", // needs the build secrets the image was built with
};

// ---------------------------------------------------------------------------------------------------------
// Running and looking up.

interface Inspected {
  img: SyntheticImage;
  ev: TarballEvidence;
  results: CheckResult[];
}

const built: SyntheticImage[] = [];
afterAll(async () => {
  await Promise.all(built.map((b) => b.cleanup()));
});

async function inspect(s: SyntheticImageSpec, config: VerifyConfig = defaultConfig()): Promise<Inspected> {
  const img = await buildImage(s);
  built.push(img);
  const ev = await inspectTarball(img.path, { config, repoRoot: REPO_ROOT });
  const results = runChecks({ config, image: ev.image, secrets: ev.secrets }, imageChecks);
  return { img, ev, results };
}

function check(r: Inspected, id: string): CheckResult {
  const found = r.results.find((c) => c.id === id);
  if (!found) throw new Error(`no result for check ${id}`);
  return found;
}

const verdicts = (r: Inspected): Record<string, Verdict> => Object.fromEntries(r.results.map((c) => [c.id, c.verdict]));

/** The baseline verdicts with `changed` applied: a planted defect must move exactly these checks. */
const baselineWith = (changed: Record<string, Verdict> = {}): Record<string, Verdict> => ({ ...BASELINE, ...changed });

/** Everything reported about the image: it may hold redacted forms only. */
function expectNoPlantedValue(r: Inspected): void {
  const reported = JSON.stringify({ secrets: r.ev.secrets, scanNotes: r.ev.scanNotes, results: r.results });
  for (const value of ALL_FAKES) {
    expect.soft(reported.includes(value), `a planted value (${mask(value)}) reached the report`).toBe(false);
  }
}

/** What is asserted of a finding: all of it but the rule's prose description. */
const brief = (f: SecretFinding) => ({
  ruleId: f.ruleId, location: f.location, redacted: f.redacted, fingerprint: f.fingerprint, shadowed: f.shadowed === true,
});

const shortHex = (digest: string) => digest.slice("sha256:".length, "sha256:".length + 12);

/** A file finding in layer `index` of `img`, attributed to the digest buildImage wrote. */
function inFile(img: SyntheticImage, f: { ruleId: string; index: number; createdBy: string; path: string; line: number; redacted: string; shadowed?: boolean }) {
  const { digest, diffId } = img.layers[f.index];
  return {
    ruleId: f.ruleId,
    location: { kind: "file", layer: { index: f.index, digest, diffId, createdBy: f.createdBy }, path: f.path, line: f.line },
    redacted: f.redacted,
    // Fingerprints name the diff_id: the same whatever compression an exporter chose.
    fingerprint: `${f.ruleId}:${shortHex(diffId)}:${f.path}:${f.line}`,
    shadowed: f.shadowed ?? false,
  };
}

/** The no-secrets evidence line of a file finding. */
const fileLine = (img: SyntheticImage, ruleId: string, index: number, createdBy: string, where: string, redacted: string) =>
  `${ruleId}: layer ${index} sha256:${shortHex(img.layers[index].digest)} (${createdBy}) ${where} value ${redacted}`;

// ---------------------------------------------------------------------------------------------------------

describe.each(["oci", "docker-archive"] as const)("planted secrets and defects (%s)", (format) => {
  describe("clean baseline", () => {
    it("has no findings, no problems, and every static check's verdict is exact", async () => {
      const r = await inspect(spec(format));
      expect(r.ev.image.source.format).toBe(format);
      expect(r.ev.image.layers.map((l) => l.digest)).toEqual(r.img.layers.map((l) => l.digest));
      expect(r.ev.image.layers.map((l) => l.createdBy)).toEqual([BY.base, BY.deps, BY.app]);
      expect(r.ev.secrets).toEqual([]);
      expect(r.ev.scanNotes).toEqual([]);
      expect(r.ev.image.problems).toEqual([]);
      expect(verdicts(r)).toEqual(BASELINE);
      expect(r.results.map((c) => c.id)).toEqual(imageChecks.map((c) => c.id));
      expect(check(r, "non-root").summary).toBe("runs as numeric uid 1001");
      expect(check(r, "exec-form").summary).toBe("exec form: uvicorn is PID 1");
      expect(check(r, "healthcheck").summary).toBe("exec-form HEALTHCHECK probes /api/v1/health");
      expect(check(r, "no-secrets").summary).toBe("no secrets found in any layer or in the image config");
      expect(check(r, "bytecode-compiled").evidence).toEqual(["2 of 2 site-packages modules have a .pyc (100.0 %)"]);
      expect(check(r, "no-dev-dependencies").summary).toBe("not gathered: project");
      expect(check(r, "dependency-layer-cache").summary).toBe("not gathered: cache");
    });
  });

  describe("secrets", () => {
    it("a private key added in layer 1 and deleted in layer 2 is found, shadowed, and still shipped", async () => {
      const pem = `-----BEGIN RSA PRIVATE KEY-----\n${FAKE.pemBody.match(/.{1,64}/g)!.join("\n")}\n-----END RSA PRIVATE KEY-----\n`;
      const add = "COPY deploy_key /root/.ssh/id_rsa";
      const r = await inspect({
        format,
        layers: [
          baseLayer(),
          { createdBy: add, files: [{ path: "root/.ssh/id_rsa", content: pem, mode: 0o600 }] },
          { createdBy: "RUN rm /root/.ssh/id_rsa", whiteouts: ["root/.ssh/id_rsa"] },
          depsLayer(),
          appLayer(),
        ],
        config: BASE_CONFIG,
      });
      expect(r.ev.secrets.map(brief)).toEqual([
        inFile(r.img, { ruleId: "private-key-file", index: 1, createdBy: add, path: "root/.ssh/id_rsa", line: 1, redacted: mask(FAKE.pemBody), shadowed: true }),
      ]);
      const noSecrets = check(r, "no-secrets");
      expect(noSecrets.summary).toBe("1 secret(s) found, 1 in files deleted later but still shipped");
      expect(noSecrets.evidence).toEqual([
        `${fileLine(r.img, "private-key-file", 1, add, "root/.ssh/id_rsa:1", mask(FAKE.pemBody))} (deleted in a later layer, still shipped)`,
      ]);
      expect(verdicts(r)).toEqual(baselineWith({ "no-secrets": "fail" }));
      expect(check(r, "size-budget").evidence).toContain(`wasted ${pem.length} B: root/.ssh/id_rsa (layer 1, deleted in layer 2)`);
      expectNoPlantedValue(r);
    });

    it("an AWS access key id and secret key in config Env", async () => {
      const r = await inspect(spec(format, [], {
        env: [...BASE_CONFIG.env!, `AWS_ACCESS_KEY_ID=${FAKE.awsKeyId}`, `AWS_SECRET_ACCESS_KEY=${FAKE.awsSecret}`, "AWS_DEFAULT_REGION=eu-west-1"],
      }));
      expect(r.ev.secrets.map(brief)).toEqual([
        {
          ruleId: "aws-access-key-id", location: { kind: "config", field: "Env", key: "AWS_ACCESS_KEY_ID" },
          redacted: mask(FAKE.awsKeyId), fingerprint: "aws-access-key-id:config:Env.AWS_ACCESS_KEY_ID:0", shadowed: false,
        },
        {
          ruleId: "aws-secret-access-key", location: { kind: "config", field: "Env", key: "AWS_SECRET_ACCESS_KEY" },
          redacted: mask(FAKE.awsSecret), fingerprint: "aws-secret-access-key:config:Env.AWS_SECRET_ACCESS_KEY:0", shadowed: false,
        },
      ]);
      expect(check(r, "no-secrets").evidence).toEqual([
        `aws-access-key-id: image config Env/AWS_ACCESS_KEY_ID value ${mask(FAKE.awsKeyId)}`,
        `aws-secret-access-key: image config Env/AWS_SECRET_ACCESS_KEY value ${mask(FAKE.awsSecret)}`,
      ]);
      expect(verdicts(r)).toEqual(baselineWith({ "no-secrets": "fail" }));
      expectNoPlantedValue(r);
    });

    describe("a build arg's token in history created_by", () => {
      const npmCi = `|1 NPM_TOKEN=${FAKE.npmToken} /bin/sh -c npm ci`;
      let once: Promise<Inspected> | undefined;
      const image = () => (once ??= inspect({
        ...spec(format, [{ createdBy: npmCi, files: [{ path: "app/static/app.js", content: "console.log('ready');\n" }] }]),
        config: {
          ...BASE_CONFIG,
          history: [
            { created_by: BY.base }, { created_by: BY.deps }, { created_by: BY.app },
            { created_by: "ARG NPM_TOKEN", empty_layer: true },
            { created_by: npmCi },
          ],
        },
      }));

      it("is found and mapped to the layer it made", async () => {
        const r = await image();
        expect(r.ev.image.history.map((h) => h.layerIndex)).toEqual([0, 1, 2, undefined, 3]);
        expect(r.ev.secrets.map((f) => f.ruleId)).toEqual(["npm-token"]);
        const [f] = r.ev.secrets;
        expect(f.location).toMatchObject({ kind: "config", field: "history", key: "4", historyIndex: 4, layer: { index: 3, digest: r.img.layers[3].digest } });
        expect(f).toMatchObject({ redacted: mask(FAKE.npmToken), fingerprint: "npm-token:config:history.4:0" });
        expect(f.shadowed === true).toBe(false);
        expect(check(r, "no-secrets").evidence).toEqual([`npm-token: image config history[4] (layer 3) value ${mask(FAKE.npmToken)}`]);
        expect(verdicts(r)).toEqual(baselineWith({ "no-secrets": "fail" }));
      });

      it("its location.layer is a LayerRef { index, digest, diffId, createdBy }, as for file findings", async () => {
        const { location } = (await image()).ev.secrets[0];
        expect(location.kind === "config" && location.layer ? Object.keys(location.layer).sort() : []).toEqual(["createdBy", "diffId", "digest", "index"]);
      });

      it("the token reaches nothing reported: not the finding's layer, not any check's evidence", async () => {
        expectNoPlantedValue(await image());
      });
    });

    it("a .env file with a database URL password (and the .env file rule)", async () => {
      const copy = "COPY . /app";
      const env = `# local settings\nLOG_LEVEL=info\nDATABASE_URL=postgresql://notes:${FAKE.dbPassword}@db.internal:5432/notes\n`;
      const r = await inspect(spec(format, [{ createdBy: copy, files: [{ path: "app/.env", content: env }] }]));
      expect(r.ev.secrets.map(brief)).toEqual([
        inFile(r.img, { ruleId: "env-file", index: 3, createdBy: copy, path: "app/.env", line: 2, redacted: "****" }),
        inFile(r.img, { ruleId: "database-url-password", index: 3, createdBy: copy, path: "app/.env", line: 3, redacted: mask(FAKE.dbPassword) }),
      ]);
      expect(check(r, "no-secrets").evidence).toEqual([
        fileLine(r.img, "env-file", 3, copy, "app/.env:2", "****"),
        fileLine(r.img, "database-url-password", 3, copy, "app/.env:3", mask(FAKE.dbPassword)),
      ]);
      expect(check(r, "forbidden-files").evidence).toEqual([`app/.env in layer 3 (${copy}) [**/.env]`]);
      expect(verdicts(r)).toEqual(baselineWith({ "no-secrets": "fail", "forbidden-files": "fail" }));
      expectNoPlantedValue(r);
    });

    it("a GitHub token (valid checksum) inside a zstd-compressed layer", async () => {
      const copy = "COPY app/integrations/ /app/app/integrations/";
      const path = "app/app/integrations/github.py";
      const r = await inspect(spec(format, [
        { createdBy: copy, compression: "zstd", files: [{ path, content: `import httpx\n\nGITHUB_TOKEN = "${FAKE.githubToken}"\n` }] },
      ]));
      expect(r.ev.image.layers.map((l) => l.compression)).toEqual(["gzip", "gzip", "gzip", "zstd"]);
      expect(r.ev.secrets.map(brief)).toEqual([
        inFile(r.img, { ruleId: "github-token", index: 3, createdBy: copy, path, line: 3, redacted: mask(FAKE.githubToken) }),
      ]);
      expect(check(r, "no-secrets").evidence).toEqual([fileLine(r.img, "github-token", 3, copy, `${path}:3`, mask(FAKE.githubToken))]);
      expect(verdicts(r)).toEqual(baselineWith({ "no-secrets": "fail" }));
      expectNoPlantedValue(r);
    });

    it("a token in a Label", async () => {
      const r = await inspect(spec(format, [], { labels: { ...BASE_CONFIG.labels, "com.acme.deploy-token": FAKE.labelToken } }));
      expect(r.ev.secrets.map(brief)).toEqual([
        {
          ruleId: "config-secret-variable", location: { kind: "config", field: "Labels", key: "com.acme.deploy-token" },
          redacted: mask(FAKE.labelToken), fingerprint: "config-secret-variable:config:Labels.com.acme.deploy-token:0", shadowed: false,
        },
      ]);
      expect(check(r, "no-secrets").evidence).toEqual([`config-secret-variable: image config Labels/com.acme.deploy-token value ${mask(FAKE.labelToken)}`]);
      expect(verdicts(r)).toEqual(baselineWith({ "no-secrets": "fail" }));
      expectNoPlantedValue(r);
    });

    it("a token on a > 100 KB line of a file inside site-packages", async () => {
      const install = "RUN uv pip install acme-widgets";
      const path = `${SP}/acme_widgets/static/bundle.min.js`;
      const filler = (n: number) => "f(0,1,2);".repeat(Math.ceil(n / 9)).slice(0, n);
      const line = `${filler(70_000)}var k="${FAKE.stripeKey}";${filler(60_000)}`;
      expect(line.length).toBeGreaterThan(100 * 1024);
      const r = await inspect(spec(format, [{
        createdBy: install,
        files: [
          { path: `${SP}/acme_widgets-2.1.0.dist-info/METADATA`, content: "Metadata-Version: 2.3\nName: acme-widgets\nVersion: 2.1.0\n" },
          { path, content: `/*! acme-widgets bundle */\n${line}\n` },
        ],
      }]));
      expect(r.ev.secrets.map(brief)).toEqual([
        inFile(r.img, { ruleId: "stripe-live-key", index: 3, createdBy: install, path, line: 2, redacted: mask(FAKE.stripeKey) }),
      ]);
      expect(r.ev.scanNotes).toEqual([]);
      expect(check(r, "no-secrets").evidence).toEqual([fileLine(r.img, "stripe-live-key", 3, install, `${path}:2`, mask(FAKE.stripeKey))]);
      expect(verdicts(r)).toEqual(baselineWith({ "no-secrets": "fail" }));
      expectNoPlantedValue(r);
    });
  });

  describe("defects", () => {
    const passwdLayer = (extraLine: string): SyntheticLayer => ({
      createdBy: "RUN useradd -o -u 0 -g 0 svc",
      files: [{ path: "etc/passwd", content: PASSWD + extraLine }],
    });
    const userCases: Array<[string, SyntheticConfig, SyntheticLayer[], string, string[]]> = [
      ["USER 0", { user: "0" }, [], 'USER "0" is root (uid 0)', ['config User: "0"', "resolves to uid 0, gid 0"]],
      ["USER root", { user: "root" }, [], 'USER "root" is root (uid 0)', ['config User: "root"', "resolves to uid 0, gid 0"]],
      ["no USER", { user: "" }, [], "no USER is set: the app runs as root (uid 0)", ["config User: (not set)"]],
      ["USER app: uid 1001, but a name", { user: "app" }, [], 'USER "app" is a name, not a numeric UID', ['config User: "app"', "resolves to uid 1001, gid 1001"]],
      ["a name that a later etc/passwd maps to uid 0", { user: "svc" }, [passwdLayer("svc:x:0:0::/app:/bin/sh\n")], 'USER "svc" is root (uid 0)', ['config User: "svc"', "resolves to uid 0, gid 0"]],
    ];
    it.each(userCases)("non-root fails: %s", async (_name, config, extra, summary, evidence) => {
      const r = await inspect(spec(format, extra, config));
      expect(check(r, "non-root")).toMatchObject({ verdict: "fail", summary, evidence });
      expect(verdicts(r)).toEqual(baselineWith({ "non-root": "fail" }));
    });

    it("exec-form fails: shell-form CMD", async () => {
      const r = await inspect(spec(format, [], { cmd: ["/bin/sh", "-c", "uvicorn app.main:app --host 0.0.0.0 --port 8000"] }));
      expect(check(r, "exec-form")).toMatchObject({
        verdict: "fail",
        summary: "starts through a shell (/bin/sh -c): SIGTERM goes to the shell, not the app",
        evidence: ["Entrypoint: []", 'Cmd: ["/bin/sh","-c","uvicorn app.main:app --host 0.0.0.0 --port 8000"]', 'argv of PID 1: ["/bin/sh","-c","uvicorn app.main:app --host 0.0.0.0 --port 8000"]'],
      });
      expect(verdicts(r)).toEqual(baselineWith({ "exec-form": "fail" }));
    });

    it("exec-form fails: `uv run` CMD", async () => {
      const r = await inspect(spec(format, [], { cmd: ["uv", "run", "uvicorn", "app.main:app", "--host", "0.0.0.0"] }));
      expect(check(r, "exec-form")).toMatchObject({
        verdict: "fail",
        summary: "starts through `uv run`: an extra parent process between PID 1 and the app",
      });
      expect(check(r, "exec-form").evidence).toContain('argv of PID 1: ["uv","run","uvicorn","app.main:app","--host","0.0.0.0"]');
      expect(verdicts(r)).toEqual(baselineWith({ "exec-form": "fail" }));
    });

    it("healthcheck fails: no HEALTHCHECK", async () => {
      const r = await inspect(spec(format, [], { healthcheck: undefined }));
      expect(r.ev.image.config.healthcheck).toBeUndefined();
      expect(check(r, "healthcheck")).toMatchObject({ verdict: "fail", summary: "no HEALTHCHECK in the image", evidence: ["config Healthcheck: (not set)"] });
      expect(verdicts(r)).toEqual(baselineWith({ healthcheck: "fail" }));
    });

    it("healthcheck fails: CMD-SHELL", async () => {
      const test = ["CMD-SHELL", "curl -fsS http://127.0.0.1:8000/api/v1/health || exit 1"];
      const r = await inspect(spec(format, [], { healthcheck: { Test: test } }));
      expect(check(r, "healthcheck")).toMatchObject({
        verdict: "fail",
        summary: "HEALTHCHECK uses the shell form (CMD-SHELL)",
        evidence: [`config Healthcheck.Test: ${JSON.stringify(test)}`],
      });
      expect(verdicts(r)).toEqual(baselineWith({ healthcheck: "fail" }));
    });

    const forbiddenCases: Array<[string, SyntheticLayer[], string, string[]]> = [
      [
        "the uv binary at usr/local/bin/uv",
        [{ createdBy: "COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /usr/local/bin/", files: [{ path: "usr/local/bin/uv", content: ELF, mode: 0o755 }] }],
        "1 forbidden file(s): 1 in the final filesystem",
        ["usr/local/bin/uv in layer 3 (COPY --from=ghcr.io/astral-sh/uv:0.5 /uv /usr/local/bin/) [**/bin/uv]"],
      ],
      [
        "a pip cache file under root/.cache/pip",
        [{ createdBy: "RUN pip install --upgrade pip", files: [{ path: "root/.cache/pip/http-v2/3/a/9/f/c/3a9fc0e1.body", content: ELF }] }],
        "1 forbidden file(s): 1 in the final filesystem",
        ["root/.cache/pip/http-v2/3/a/9/f/c/3a9fc0e1.body in layer 3 (RUN pip install --upgrade pip) [root/.cache/pip/**]"],
      ],
      [
        "apt lists",
        [{
          createdBy: "RUN apt-get update && apt-get install -y curl",
          files: [
            { path: "var/lib/apt/lists/lock", content: "" },
            { path: "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4", content: ELF },
          ],
        }],
        "1 forbidden file(s): 1 in the final filesystem",
        ["var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4 in layer 3 (RUN apt-get update && apt-get install -y curl) [var/lib/apt/lists/*_Packages*]"],
      ],
      [
        "a .git directory",
        [{
          createdBy: "COPY . /app",
          files: [
            { path: "app/.git", type: "dir" },
            { path: "app/.git/HEAD", content: "ref: refs/heads/main\n" },
            { path: "app/.git/config", content: "[core]\n\tbare = false\n" },
          ],
        }],
        "2 forbidden file(s): 2 in the final filesystem",
        ["app/.git/config in layer 3 (COPY . /app) [**/.git/**]", "app/.git/HEAD in layer 3 (COPY . /app) [**/.git/**]"],
      ],
      [
        "a cache that exists only in a lower layer, deleted by a later one",
        [
          { createdBy: "RUN uv pip install -r requirements.txt", files: [{ path: "root/.cache/uv/wheels-v2/pypi/fastapi/fastapi-0.115.0-py3-none-any.whl", content: ELF }] },
          { createdBy: "RUN rm -rf /root/.cache/uv", whiteouts: ["root/.cache/uv"] },
        ],
        "1 forbidden file(s): 1 deleted later but still in a layer",
        ["root/.cache/uv/wheels-v2/pypi/fastapi/fastapi-0.115.0-py3-none-any.whl in layer 3 (RUN uv pip install -r requirements.txt) [root/.cache/uv/**] (deleted in layer 4, still shipped)"],
      ],
    ];
    it.each(forbiddenCases)("forbidden-files fails: %s", async (_name, extra, summary, evidence) => {
      const r = await inspect(spec(format, extra));
      expect(check(r, "forbidden-files")).toMatchObject({ verdict: "fail", summary, evidence });
      expect(verdicts(r)).toEqual(baselineWith({ "forbidden-files": "fail" }));
    });

    it("bytecode-compiled fails: site-packages modules without a .pyc", async () => {
      const r = await inspect(spec(format, [{
        createdBy: "RUN pip install --no-compile pydantic",
        files: [
          { path: `${SP}/pydantic-2.9.2.dist-info/METADATA`, content: "Metadata-Version: 2.3\nName: pydantic\nVersion: 2.9.2\n" },
          { path: `${SP}/pydantic/__init__.py`, content: "from .main import BaseModel\n" },
          { path: `${SP}/pydantic/main.py`, content: "class BaseModel:\n    pass\n" },
        ],
      }]));
      const result = check(r, "bytecode-compiled");
      expect(result).toMatchObject({ verdict: "fail", summary: "only 50.0 % of site-packages modules are compiled (need 90 %)" });
      expect(result.evidence[0]).toBe("2 of 4 site-packages modules have a .pyc (50.0 %)");
      expect([...result.evidence.slice(1)].sort()).toEqual([`no bytecode: ${SP}/pydantic/__init__.py`, `no bytecode: ${SP}/pydantic/main.py`]);
      expect(verdicts(r)).toEqual(baselineWith({ "bytecode-compiled": "fail" }));
    });

    it("size-budget: passes half a byte above the total, fails half a byte below it", async () => {
      // The uncompressed size the reader must count, computed here from the same entries.
      let total = 0;
      for (const l of baseLayers()) total += (await makeTar(l.files ?? [])).length;
      expect(total).toBeGreaterThan(1000);
      expect(total).toBeLessThan(1_000_000);
      const withBudget = (bytes: number): VerifyConfig => ({ ...defaultConfig(), sizeBudgetMB: bytes / 1_000_000 });

      const under = await inspect(spec(format), withBudget(total + 0.5));
      expect(check(under, "size-budget").verdict).toBe("pass");

      const budget = withBudget(total - 0.5);
      const over = await inspect(spec(format), budget);
      const shown = `${(total / 1000).toFixed(1)} kB`;
      expect(check(over, "size-budget")).toMatchObject({ verdict: "fail", summary: `${shown} exceeds the ${budget.sizeBudgetMB} MB budget` });
      expect(check(over, "size-budget").evidence[0]).toBe(`total ${shown} uncompressed (budget ${budget.sizeBudgetMB} MB), 3 layers (max 30)`);
      expect(verdicts(over)).toEqual(baselineWith({ "size-budget": "fail" }));
    });

    it("size-budget: 30 layers pass the default maximum, 31 fail it", async () => {
      const steps = (n: number): SyntheticLayer[] =>
        Array.from({ length: n }, (_, i) => ({ createdBy: `RUN echo ${i} > /app/steps/${i}`, files: [{ path: `app/steps/${i}`, content: `${i}\n` }] }));
      const thirty = await inspect(spec(format, steps(27)));
      expect(thirty.ev.image.layers).toHaveLength(30);
      expect(check(thirty, "size-budget").verdict).toBe("pass");

      const r = await inspect(spec(format, steps(28)));
      expect(r.ev.image.layers).toHaveLength(31);
      expect(check(r, "size-budget")).toMatchObject({ verdict: "fail", summary: "31 layers exceed the maximum of 30" });
      expect(verdicts(r)).toEqual(baselineWith({ "size-budget": "fail" }));
    });
  });

  describe("hostile but valid", () => {
    it("a secret in a file whose name escapes the root is still found, under the raw name", async () => {
      const copy = "COPY . /app";
      const r = await inspect(spec(format, [{ createdBy: copy, files: [{ path: "../../root/.aws/credentials.txt", content: `key = ${FAKE.awsKeyId}\n` }] }]));
      expect(r.ev.image.problems.map((p) => p.code)).toEqual(["path-traversal"]);
      expect(r.ev.secrets.map(brief)).toEqual([
        inFile(r.img, { ruleId: "aws-access-key-id", index: 3, createdBy: copy, path: "../../root/.aws/credentials.txt", line: 1, redacted: mask(FAKE.awsKeyId) }),
      ]);
      expectNoPlantedValue(r);
    });

    it("a path traversal entry and an escaping symlink become problems; the scan goes on", async () => {
      const copy = "COPY . /app";
      const r = await inspect(spec(format, [{
        createdBy: copy,
        files: [
          { path: "../../etc/cron.d/evil", content: "* * * * * root /tmp/x\n" },
          { path: "app/static/escape", type: "symlink", linkname: "../../../../etc/shadow" },
          { path: "app/app/settings.py", content: `AWS_KEY_ID = "${FAKE.awsKeyId}"\n` },
        ],
      }]));
      expect(r.ev.image.problems).toEqual([
        { code: "path-traversal", layerIndex: 3, path: "../../etc/cron.d/evil", message: 'entry name "../../etc/cron.d/evil" escapes the image root; left out of the filesystem, its content still scanned' },
        { code: "link-escape", layerIndex: 3, path: "app/static/escape", message: "symlink app/static/escape -> ../../../../etc/shadow points outside the image root" },
      ]);
      expect(r.ev.image.layers[3].entries.map((e) => e.path)).toEqual(["app/static/escape", "app/app/settings.py"]);
      // The entry after the hostile ones is still scanned, in the same pass.
      expect(r.ev.secrets.map(brief)).toEqual([
        inFile(r.img, { ruleId: "aws-access-key-id", index: 3, createdBy: copy, path: "app/app/settings.py", line: 1, redacted: mask(FAKE.awsKeyId) }),
      ]);
      expect(r.results.every((c) => !c.summary.startsWith("the check itself failed"))).toBe(true);
      expect(verdicts(r)).toEqual(baselineWith({ "no-secrets": "fail", "archive-integrity": "fail" }));
      expectNoPlantedValue(r);
    });
  });
});
