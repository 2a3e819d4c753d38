/**
 * The API's production and dev images, built for real on the local engine and checked the simple way
 * the user's seed script did: build, health, UID, JSON logs on stdout, SIGTERM exit, missing env,
 * no dev packages or uv, and a source-only change that reuses the dependency layer.
 * (The verifier itself, in src/, replaces these ad-hoc checks with evidence-based ones.)
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { baseImageBuildArgs, buildArgFlags, docker, dockerOk, uniqueName } from "../support/docker.js";
import { describeWithDocker } from "../support/describe-docker.js";

const API = resolve(import.meta.dirname, "../../api");
const ENV = ["-e", "DATABASE_URL=postgresql://verify:verify@127.0.0.1:5432/verify"];
const HEALTH = "http://127.0.0.1:8000/api/v1/health";

describeWithDocker("api images (real Docker engine)", () => {
  const prod = uniqueName("api-prod");
  const prodTouched = `${prod}-touched`;
  const dev = uniqueName("api-dev");
  const containers: string[] = [];
  let touchedDir = "";

  const build = async (tag: string, dockerfile: string, context: string, target?: string) => {
    const args = buildArgFlags(await baseImageBuildArgs());
    const targetFlags = target ? ["--target", target] : [];
    await dockerOk(["build", "--network", "host", "-q", "-f", join(context, dockerfile), ...targetFlags, ...args, "-t", tag, context], 900_000);
  };

  /** Start the production image detached, with the app as PID 1, no network but loopback. */
  const start = async (extra: string[] = ENV): Promise<string> => {
    const name = uniqueName("api-run");
    containers.push(name);
    await dockerOk(["run", "-d", "--name", name, "--network", "none", ...extra, prod]);
    return name;
  };

  const waitHealthy = async (name: string): Promise<string> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const probe = await docker(["exec", name, "curl", "-fsS", HEALTH], 10_000);
      if (probe.code === 0) return probe.stdout;
      if (Date.now() > deadline) throw new Error(`${name} not healthy within 30 s: ${probe.stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  beforeAll(async () => {
    touchedDir = await mkdtemp(join(tmpdir(), "api-touched-"));
    await cp(API, touchedDir, { recursive: true, filter: (src) => !/[/](\.venv|__pycache__|\.pytest_cache|\.ruff_cache)$/.test(src) });
    await writeFile(join(touchedDir, "app", "__init__.py"), "# a source-only change\n", { flag: "a" });
    // The first build fills the cache; the dev image and the touched prod image then share it.
    await build(prod, "Dockerfile.prod", API, "runtime");
    await Promise.all([build(prodTouched, "Dockerfile.prod", touchedDir, "runtime"), build(dev, "Dockerfile", API)]);
  });

  afterAll(async () => {
    if (containers.length) await docker(["rm", "-f", ...containers]);
    await docker(["rmi", "-f", prod, prodTouched, dev]);
    if (touchedDir) await rm(touchedDir, { recursive: true, force: true });
  });

  it("answers the health endpoint with 200 and a small JSON body, as UID 1001, logging JSON to stdout", async () => {
    const name = await start();
    expect(JSON.parse(await waitHealthy(name))).toEqual({ status: "ok" });

    const status = await dockerOk(["exec", name, "cat", "/proc/1/status"]);
    expect(status).toMatch(/^Uid:\s+1001\s+1001\s+1001\s+1001$/m);
    expect(status).toMatch(/^Gid:\s+1001\s+1001\s+1001\s+1001$/m);

    const logs = await docker(["logs", name]);
    const lines = logs.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(logs.stdout).toContain("/api/v1/health");
    expect(logs.stdout).not.toContain("color_message");
    expect(logs.stderr).toBe("");
  });

  it("exits 0 well within the 30 s grace period on SIGTERM as PID 1", async () => {
    const name = await start();
    await waitHealthy(name);
    const started = Date.now();
    await dockerOk(["stop", "-t", "30", name], 60_000);
    const seconds = (Date.now() - started) / 1000;
    expect(await dockerOk(["inspect", "-f", "{{.State.ExitCode}}", name])).toBe("0\n");
    // About 1 s idle; "well within" leaves room for a loaded CI machine (the speed itself is the bench's).
    expect(seconds).toBeLessThan(10);
  });

  it.each([["missing", []], ["empty", ["-e", "DATABASE_URL="]]])(
    "exits non-zero with one clear line naming DATABASE_URL when it is %s",
    async (_, env) => {
      const result = await docker(["run", "--rm", "--network", "none", ...env, prod], 60_000);
      expect(result.code).not.toBe(0);
      const output = result.stdout + result.stderr;
      expect(output).toContain("DATABASE_URL");
      expect(output).not.toContain("Traceback");
      expect(output).not.toContain("Uvicorn running");
    },
  );

  it("holds no dev packages, no uv and no pip cache", async () => {
    const probe = "import importlib.util as u; print([m for m in ('pytest', 'httpx2', 'ruff') if u.find_spec(m)])";
    const found = await dockerOk(["run", "--rm", "--network", "none", "--entrypoint", "python3", prod, "-c", probe]);
    expect(found.trim()).toBe("[]");
    const uv = await docker(["run", "--rm", "--network", "none", "--entrypoint", "sh", prod, "-c", "command -v uv uvx; ls /root/.cache 2>/dev/null"]);
    expect(uv.stdout.trim()).toBe("");
  });

  it("the dev image carries the dev dependencies", async () => {
    const found = await dockerOk(["run", "--rm", "--network", "none", "--entrypoint", "python3", dev, "-c", "import pytest, httpx2; print('ok')"]);
    expect(found.trim()).toBe("ok");
  });

  it("reuses the dependency layer after a source-only change (same layer digests up to the source layer)", async () => {
    const layers = async (tag: string) => JSON.parse(await dockerOk(["inspect", "-f", "{{json .RootFS.Layers}}", tag])) as string[];
    const [a, b] = await Promise.all([layers(prod), layers(prodTouched)]);
    expect(b.length).toBe(a.length);
    const firstDiff = a.findIndex((digest, i) => digest !== b[i]);
    // Only the last layer, the application source, may differ.
    expect(firstDiff).toBe(a.length - 1);
  });
});
