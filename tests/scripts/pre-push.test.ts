/** The pre-push hook: skippable, saying so; a clear line when the dagger CLI is missing. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const HOOK = resolve(import.meta.dirname, "../../scripts/pre-push");
const run = (env: Record<string, string>) =>
  // An empty PATH: the hook uses only shell builtins before it would run make, so no dagger can be found.
  spawnSync("/bin/bash", [HOOK], { env: { PATH: "/nonexistent", ...env }, encoding: "utf8", timeout: 10_000 });

describe("scripts/pre-push", () => {
  it("is skipped with SKIP_VERIFY, and says the image was not verified", () => {
    const r = run({ SKIP_VERIFY: "1" });
    expect(r.status).toBe(0);
    expect(r.stderr.trim()).toBe("pre-push: SKIP_VERIFY is set: the production image was NOT verified");
  });

  it("refuses the push with one line saying what to do when the dagger CLI is missing", () => {
    const r = run({});
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe("pre-push: the dagger CLI is not installed: install it (v0.21.8 or later, see dagger.json) or push with SKIP_VERIFY=1");
  });

  it("runs dagger check verify when the dagger CLI is there", () => {
    // A stand-in for the CLI, so the test sees what the hook runs without an engine.
    const bin = mkdtempSync(join(tmpdir(), "pre-push-"));
    try {
      writeFileSync(join(bin, "dagger"), '#!/bin/sh\necho "dagger $*"\n');
      chmodSync(join(bin, "dagger"), 0o755);
      const r = run({ PATH: bin });
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe("dagger check verify");
      expect(r.stderr.trim()).toBe("pre-push: running 'dagger check verify' (skip once with SKIP_VERIFY=1 git push)");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
