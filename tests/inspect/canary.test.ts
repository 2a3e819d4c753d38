/**
 * The build-secret leak canary, end to end through the static half: a value with no known format, planted
 * in every place and form an image can hold it, is found by build-secret-not-leaked with its location and
 * a redacted value, while no-secrets (which knows no rule for it) stays clean. Values are made at run time.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { imageChecks } from "../../src/checks/index.js";
import { runChecks } from "../../src/checks/run.js";
import type { CheckResult } from "../../src/checks/types.js";
import { defaultConfig } from "../../src/config/schema.js";
import { inspectTarball } from "../../src/inspect.js";
import { canaryForms, MIN_CANARY_CHARS } from "../../src/secrets/canary.js";
import { compilePyc, tarGz, utf16, zip } from "../support/packed.js";
import { buildImage, type SyntheticImage, type SyntheticImageSpec } from "../support/synthetic-image.js";

const REPO_ROOT = join(import.meta.dirname, "../..");
/** A value no format rule knows: what a private registry password or an internal token looks like. */
const SECRET = `pw-${randomBytes(18).toString("base64url")}`;
const SHORT = "hunter2";
const built: SyntheticImage[] = [];
afterAll(async () => Promise.all(built.map((b) => b.cleanup())));

/** `value` inside a longer text at a given byte offset, then base64-encoded: how it sits in a config blob. */
const embeddedBase64 = (value: string, offset: number) => Buffer.from(`${"x".repeat(offset)}user:${value};`).toString("base64");

async function judge(spec: SyntheticImageSpec, buildSecrets: Record<string, string> = { "registry-password": SECRET }) {
  const img = await buildImage(spec);
  built.push(img);
  const config = defaultConfig();
  const ev = await inspectTarball(img.path, { config, repoRoot: REPO_ROOT, buildSecrets });
  const results = runChecks({ config, image: ev.image, secrets: ev.secrets, buildSecrets: ev.buildSecrets }, imageChecks);
  const result = (id: string) => results.find((r) => r.id === id) as CheckResult;
  return { ev, results, canary: result("build-secret-not-leaked"), noSecrets: result("no-secrets") };
}

const layer = (files: Record<string, string | Buffer>, createdBy = "COPY . /app") => ({
  createdBy,
  files: Object.entries(files).map(([path, content]) => ({ path, content })),
});

describe("build-secret-not-leaked (the leak canary)", () => {
  it("finds the value in text, base64 at every alignment, hex, a .pyc, a wheel, a .tar.gz, UTF-16 and a binary", async () => {
    const binary = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0]), randomBytes(4096), Buffer.from(SECRET), randomBytes(64)]);
    const { canary, noSecrets, ev } = await judge({
      layers: [
        layer({ "etc/passwd": "root:x:0:0::/root:/bin/sh\n" }, "FROM python:3.12-slim"),
        layer({
          "app/settings.txt": `# settings\nregistry = ${SECRET}\n`,
          "app/b64-0.json": `{"auth": "${embeddedBase64(SECRET, 0)}"}\n`,
          "app/b64-1.json": `{"auth": "${embeddedBase64(SECRET, 1)}"}\n`,
          "app/b64-2.json": `{"auth": "${embeddedBase64(SECRET, 2)}"}\n`,
          "app/hex.txt": `token_hex=${Buffer.from(SECRET).toString("hex").toUpperCase()}\n`,
          "app/vendor/keys.pyc": compilePyc(`PASSWORD = "${SECRET}"\n`),
          "app/wheels/vendor-1.0-py3-none-any.whl": zip({ "vendor/conf.py": `# conf\nTOKEN = "${SECRET}"\n` }),
          "app/backup.tar.gz": await tarGz({ "etc/pip.conf": `[global]\nindex-url = https://ci:${SECRET}@pypi.internal/simple\n` }),
          "app/win.ini": utf16(`[auth]\npassword=${SECRET}\n`, "le-bom"),
          "app/lib/native.so": binary,
        }),
      ],
      config: { user: "1001:1001", env: [`REGISTRY_PASSWORD=${SECRET}`], labels: { "org.example.token": SECRET } },
    });
    expect(canary.verdict).toBe("fail");
    expect(canary.summary).toBe(`build secret(s) "registry-password" found in the image, 12 place(s)`);
    const text = canary.evidence.join("\n");
    for (const where of [
      "app/settings.txt:2", "app/b64-0.json:1", "app/b64-1.json:1", "app/b64-2.json:1", "app/hex.txt:1", "app/vendor/keys.pyc:1",
      "app/wheels/vendor-1.0-py3-none-any.whl!vendor/conf.py:2", "app/backup.tar.gz!etc/pip.conf:2", "app/win.ini:2",
      "app/lib/native.so:0", "image config Env/REGISTRY_PASSWORD", "image config Labels/org.example.token",
    ]) expect(text, where).toContain(where);
    // The canary's finds are its own: no-secrets reports what the format rules saw (here the "password="
    // assignments), never a build secret's value as such.
    expect(noSecrets.evidence.join("\n")).not.toContain("build-secret:");
    expect(noSecrets.evidence.join("\n")).not.toContain("app/b64-1.json");
    expect(JSON.stringify({ canary, secrets: ev.secrets, image: ev.image.config })).not.toContain(SECRET);
  });

  it("finds a value in a build arg left in the history, and masks it there", async () => {
    const { canary, ev } = await judge({
      layers: [layer({ "app/x.txt": "nothing\n" }, `|1 PIP_INDEX_PASSWORD=${SECRET} /bin/sh -c pip install -r requirements.txt`)],
    });
    expect(canary.verdict).toBe("fail");
    expect(canary.evidence.join("\n")).toContain("image config history[0]");
    expect(JSON.stringify(ev.image)).not.toContain(SECRET);
  });

  it("passes when the value is nowhere, naming what it searched for, and skips with no build secret given", async () => {
    const spec = { layers: [layer({ "app/main.py": "print('hello')\n" })] };
    const clean = await judge(spec);
    expect(clean.canary).toMatchObject({ verdict: "pass", summary: 'no trace of build secret(s) "registry-password" in any layer or in the image config' });
    const none = await judge(spec, {});
    expect(none.canary.verdict).toBe("skip");
  });

  it("says a value too short to search for was not searched, rather than passing it silently", async () => {
    const { canary } = await judge({ layers: [layer({ "app/main.py": `pw = "${SHORT}"\n` })] }, { pin: SHORT });
    expect(SHORT.length).toBeLessThan(MIN_CANARY_CHARS);
    expect(canary.verdict).toBe("warn");
    expect(canary.evidence).toContain('not searched: "pin" is shorter than 8 characters (it would match by chance)');
  });

  it("derives base64 cores that occur in the encoding of any text holding the value", () => {
    const forms = canaryForms(SECRET);
    for (let offset = 0; offset < 6; offset++) {
      const encoded = embeddedBase64(SECRET, offset);
      expect(forms.some((f) => encoded.includes(f)), `offset ${offset}`).toBe(true);
      expect(forms.some((f) => encoded.replace(/\+/g, "-").replace(/\//g, "_").includes(f)), `url-safe, offset ${offset}`).toBe(true);
    }
  });
});
