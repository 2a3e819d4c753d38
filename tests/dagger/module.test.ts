/**
 * The Dagger module without a Dagger engine: proves that src/index.ts loads (decorators included)
 * without connecting anywhere, exposes the expected functions, and that the pure parts of
 * DaggerRuntime behave. It does NOT prove that the Dagger calls run: no engine exists here.
 */
import { copyFile, mkdtemp, readdir, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ExecError } from "@dagger.io/dagger";
import type { CheckResult, Report } from "../../src/checks/types.js";
import { RuntimeError, type BuildSpec } from "../../src/runtime/types.js";

type IndexModule = typeof import("../../src/index.js");
type DaggerModule = typeof import("../../src/runtime/dagger.js");
let index: IndexModule;
let runtime: DaggerModule;
const connect = vi.spyOn(net.Socket.prototype, "connect");

beforeAll(async () => {
  index = await import("../../src/index.js");
  runtime = await import("../../src/runtime/dagger.js");
});
afterAll(() => connect.mockRestore());

const spec = (over: Partial<BuildSpec> = {}): BuildSpec => ({
  context: "api",
  dockerfile: "Dockerfile.prod",
  target: "runtime",
  buildArgs: {},
  ...over,
});

describe("the module loads without an engine", () => {
  it("opens no socket while importing", () => {
    expect(connect).not.toHaveBeenCalled();
  });

  it("exposes the expected functions on the class named after dagger.json's module", () => {
    const names = Object.getOwnPropertyNames(index.ProdImageVerify.prototype);
    for (const fn of [
      "build",
      "serve",
      "probeHealth",
      "stopGracefully",
      "exportLayers",
      "scanSecrets",
      "verify",
      "verifyReports",
      "testIntegration",
      "lint",
    ]) {
      expect(names, fn).toContain(fn);
    }
    expect(index.ProdImageVerify.name).toBe("ProdImageVerify");
  });
});

/** Every .ts file under src/, as the TypeScript SDK's runtime hands them to its introspector. */
async function moduleFiles(dir = "src"): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? moduleFiles(join(dir, e.name)) : Promise.resolve(e.name.endsWith(".ts") ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
}

describe("the SDK's own introspector (what `dagger functions` shows)", () => {
  it("reads every function, argument type, default and description", async () => {
    const { scan } = await import("../../node_modules/@dagger.io/dagger/dist/src/module/introspector/index.js");
    // The runtime resolves core types (Container, Directory...) in the generated sdk/.../client.gen.ts;
    // here the published declarations stand in for it under that file name.
    const dir = await mkdtemp(join(tmpdir(), "dagger-introspect-"));
    try {
      const clientGen = join(dir, "client.gen.ts");
      await copyFile("node_modules/@dagger.io/dagger/dist/src/api/client.gen.d.ts", clientGen);
      const scanned = await scan([...(await moduleFiles()), clientGen], "prod-image-verify", false);
      const main = scanned.objects.ProdImageVerify;
      expect(main, "main object").toBeDefined();
      const shared = main._constructor?.arguments ?? {};
      expect(shared.source?.defaultPath, "the constructor's source").toBe("/");
      for (const [arg, def] of Object.entries(shared)) expect(def.description, `constructor(${arg})`).not.toBe("");
      const fns = main.methods;
      expect(Object.keys(fns).sort()).toEqual([
        "build", "exportLayers", "lint", "probeHealth", "scanSecrets", "serve", "stopGracefully", "testIntegration",
        "verify", "verifyContainer", "verifyImage", "verifyReports", "verifyTarball",
      ]);
      for (const [name, fn] of Object.entries(fns)) {
        expect(fn.description, `${name} description`).not.toBe("");
        for (const [arg, def] of Object.entries(fn.arguments)) {
          expect(def.description, `${name}(${arg})`).not.toBe("");
          // A setting every function shares lives on the constructor only.
          expect(Object.keys(shared), `${name}(${arg}) repeats a constructor setting`).not.toContain(arg);
        }
      }
      expect(fns.verify.arguments.format.defaultValue).toBe("table");
      expect(fns.verify.cache).toBe("never");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("DaggerRuntime pure parts", () => {
  it("maps build args to Dagger's list, sorted by name", () => {
    expect(runtime.toBuildArgs({ UV_IMAGE: "u", PYTHON_IMAGE: "p" })).toEqual([
      { name: "PYTHON_IMAGE", value: "p" },
      { name: "UV_IMAGE", value: "u" },
    ]);
    expect(runtime.toBuildArgs({})).toEqual([]);
  });

  it("leaves the target out for the last stage", () => {
    expect(runtime.dockerBuildOptions(spec({ target: "", buildArgs: { A: "1" } }))).toEqual({
      dockerfile: "Dockerfile.prod",
      buildArgs: [{ name: "A", value: "1" }],
    });
    expect(runtime.dockerBuildOptions(spec()).target).toBe("runtime");
  });

  it("resolves the context inside the source, relative or under the exported root", () => {
    expect(runtime.contextPath("api")).toBe("api");
    expect(runtime.contextPath("./api/")).toBe("api");
    expect(runtime.contextPath("")).toBe(".");
    expect(runtime.contextPath("/tmp/src-1/api", "/tmp/src-1")).toBe("api");
    expect(runtime.contextPath("/tmp/src-1", "/tmp/src-1")).toBe(".");
  });

  it("refuses a context outside the source with a one-line error", () => {
    expect(() => runtime.contextPath("../elsewhere")).toThrow(RuntimeError);
    expect(() => runtime.contextPath("/etc", "/tmp/src-1")).toThrow(/outside the source directory/);
    expect(() => runtime.contextPath("/tmp/src-1/api")).toThrow(/relative to the repository root/);
  });

  it("takes touch paths relative to the context", () => {
    expect(runtime.touchPath("app/main.py")).toBe("app/main.py");
    expect(runtime.touchPath("/tmp/src-1/api/app/main.py", "/tmp/src-1/api")).toBe("app/main.py");
    expect(() => runtime.touchPath("../pyproject.toml")).toThrow(/not a file inside the build context/);
  });

  it("names images for messages", () => {
    expect(runtime.imageName(spec())).toBe("api/Dockerfile.prod:runtime");
    expect(runtime.imageName(spec({ target: "", touch: { path: "app/x.py", content: "" } }))).toBe(
      "api/Dockerfile.prod (touched app/x.py)",
    );
  });

  it("turns an ExecError into one line with the exit code and the last stderr line, not the command", () => {
    const error = new ExecError("exec failed\nmore", {
      cmd: ["/.verify/pid1", "serve", "--", "python", "-c", "TOKEN=abc"],
      exitCode: 137,
      stdout: "",
      stderr: "starting\nkilled by the engine\n",
    });
    const converted = runtime.toRuntimeError("running the serve scenario", error);
    expect(converted).toBeInstanceOf(RuntimeError);
    expect(converted.message).toBe("running the serve scenario: a command exited 137: killed by the engine");
    expect(converted.message).not.toContain("TOKEN");
  });

  it("recognises the bundle's ExecError by name and shape, as instanceof cannot inside a module", () => {
    const bundled = Object.assign(new Error("exec failed"), { name: "ExecError", exitCode: 2, stderr: "pid1: no CAP_SYS_ADMIN\n" });
    expect(runtime.isExecError(bundled)).toBe(true);
    expect(runtime.toRuntimeError("running", bundled).message).toBe("running: a command exited 2: pid1: no CAP_SYS_ADMIN");
    expect(runtime.isExecError(Object.assign(new Error("x"), { name: "ExecError" }))).toBe(false);
    expect(runtime.isExecError({ name: "ExecError", exitCode: 1 })).toBe(false);
  });

  it("keeps RuntimeErrors and shortens other errors to their first line", () => {
    const original = new RuntimeError("already clear");
    expect(runtime.toRuntimeError("x", original)).toBe(original);
    expect(runtime.toRuntimeError("building api", new Error("failed to solve\nstack...")).message).toBe(
      "building api: failed to solve",
    );
  });

  it("refuses an image it did not build, and closes twice", async () => {
    const { dag } = await import("@dagger.io/dagger");
    const dr = new runtime.DaggerRuntime(dag.directory());
    expect(() => dr.container({ name: "elsewhere" })).toThrow(/was not built by this DaggerRuntime/);
    await dr.close();
    await dr.close();
    expect(dr.name).toBe("dagger");
    expect(connect).not.toHaveBeenCalled();
  });
});

describe("module helpers", () => {
  let messages: typeof import("../../src/module/messages.js");
  let settings: typeof import("../../src/module/settings.js");
  beforeAll(async () => {
    messages = await import("../../src/module/messages.js");
    settings = await import("../../src/module/settings.js");
  });
  const result = (id: string, verdict: CheckResult["verdict"], fix?: string): CheckResult => ({
    id,
    title: id,
    severity: "high",
    verdict,
    summary: `${id} summary`,
    evidence: [],
    ...(fix ? { fix } : {}),
  });
  const report: Report = {
    image: "api/Dockerfile.prod:runtime",
    runtime: "dagger",
    startedAt: "2025-01-01T00:00:00.000Z",
    durationMs: 1,
    results: [result("non-root", "fail", "add USER app"), result("healthcheck", "pass"), result("sigterm", "fail")],
    secrets: [],
    passed: false,
  };

  it("names each failed check on its own line, under the count line", () => {
    expect(messages.failureMessage(report).split("\n")).toEqual([
      "api/Dockerfile.prod:runtime: 1 passed, 2 failed, 0 warnings, 0 skipped",
      "FAIL non-root (high): non-root summary",
      "FAIL sigterm (high): sigterm summary",
    ]);
  });

  it("lists secret findings by their redacted form and location", () => {
    const layer = { index: 3, digest: "sha256:ab", createdBy: "COPY . ." };
    const message = messages.secretsMessage([
      {
        ruleId: "aws-access-key",
        description: "AWS key",
        location: { kind: "file", layer, path: "app/.env", line: 2 },
        redacted: "AKIA************MPLE",
        fingerprint: "aws-access-key:sha256:ab:app/.env:2",
        shadowed: true,
      },
      {
        ruleId: "generic",
        description: "generic",
        location: { kind: "config", field: "Env", key: "API_TOKEN" },
        redacted: "sk-***",
        fingerprint: "generic:config:API_TOKEN:0",
      },
    ]);
    const lines = message.split("\n");
    expect(lines[0]).toBe("2 secret(s) found in the image:");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^aws-access-key: .*app\/\.env.* AKIA\*{12}MPLE \(deleted in a later layer, still shipped\)$/);
    expect(lines[2]).toMatch(/^generic: .*API_TOKEN.* sk-\*\*\*$/);
  });

  it("parses NAME=value lists and rejects others in one line naming the flag", () => {
    expect(settings.parseAssignments(["A=1", "B=x=y", "C="], "--build-arg")).toEqual({ A: "1", B: "x=y", C: "" });
    expect(() => settings.parseAssignments(["NOVALUE"], "--build-arg")).toThrow("--build-arg 'NOVALUE': write it as NAME=value");
    expect(() => settings.parseAssignments(["=v"], "--required-env")).toThrow(/^--required-env '': write it as NAME=value$/);
  });

  it("merges verify.yaml, then the constructor's settings, then image arguments", () => {
    const yaml = { text: "port: 9000\nbuildArgs: {A: '1'}\nrequiredEnv: {DB: x, KEY: y}\n", name: "verify.yaml" };
    const merged = settings.mergeSettings(yaml, { buildArg: ["B=2"], healthPath: "/healthz", sizeBudgetMb: 50 }, { postgres: "pg:15", lintNode: undefined });
    expect(merged).toMatchObject({ port: 9000, healthPath: "/healthz", sizeBudgetMB: 50, buildArgs: { A: "1", B: "2" }, requiredEnv: { DB: "x", KEY: "y" } });
    expect(merged.images).toMatchObject({ postgres: "pg:15", lintNode: "node:20-bookworm-slim" });
    // --required-env replaces the file's map as a whole; "" alone means none.
    expect(settings.mergeSettings(yaml, { requiredEnv: ["TOKEN=t"] }).requiredEnv).toEqual({ TOKEN: "t" });
    expect(settings.mergeSettings(yaml, { requiredEnv: [""] }).requiredEnv).toEqual({});
    expect(settings.mergeSettings(undefined, {}).port).toBe(8000);
    expect(() => settings.mergeSettings(undefined, { port: 70000 })).toThrow(/^arguments: 'port': /);
  });

  it("matches build secrets to ids: by name, else by verify.yaml's source; one line for what does not match", async () => {
    const { matchBuildSecrets } = await import("../../src/module/build-secrets.js");
    const declared = { "stripe-key": "env:STRIPE_KEY", npmrc: "file:.npmrc" };
    expect(matchBuildSecrets([{ name: "", uri: "env://STRIPE_KEY" }, { name: "", uri: "file:///home/ci/repo/.npmrc" }], declared)).toEqual(["stripe-key", "npmrc"]);
    expect(matchBuildSecrets([{ name: "token", uri: "" }], {})).toEqual(["token"]);
    expect(() => matchBuildSecrets([{ name: "", uri: "env://OTHER" }], {})).toThrow(/^--build-secret env:\/\/OTHER: no id for it: declare it in verify.yaml buildSecrets/);
    expect(() => matchBuildSecrets([{ name: "", uri: "env://STRIPE_KEY" }], declared)).toThrow(
      'build secret "npmrc" (verify.yaml buildSecrets: file:.npmrc) was not given: add --build-secret file://<absolute path of .npmrc>',
    );
  });

  it("knows the four formats and names them when given another", () => {
    expect(["table", "json", "junit", "sarif", "JSON"].map(settings.reportFormat)).toEqual(["table", "json", "junit", "sarif", "json"]);
    expect(() => settings.reportFormat("html")).toThrow("--format 'html' is not one of table, json, junit, sarif: pick one of those");
  });

  it("summarises health evidence briefly", () => {
    const summary = messages.healthSummary({
      kind: "serve",
      timeToHealthyMs: 850,
      health: { status: 200, body: "x".repeat(500) },
      listening: ["0.0.0.0:8000"],
      portAnswered: true,
      killed: false,
      filesWritten: [],
      stdout: "",
      stderr: "",
      harnessErrors: [],
      uids: [1001, 1001, 1001, 1001],
    });
    expect(summary).toMatchObject({ healthy: true, timeToHealthyMs: 850, status: 200, listening: ["0.0.0.0:8000"] });
    expect(String(summary.body)).toHaveLength(200);
  });
});
