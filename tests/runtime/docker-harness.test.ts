/**
 * The PID 1 harness driven through DockerRuntime on the real engine, with tiny stdlib apps
 * (tests/fixtures/runtime-apps): PID 1, UID, sockets, SIGTERM/SIGKILL, missing env, captured output.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runtimeChecks } from "../../src/checks/runtime/index.js";
import type { Evidence } from "../../src/checks/types.js";
import { defaultConfig, type VerifyConfig } from "../../src/config/schema.js";
import { missingEnvScenarios, serveScenario } from "../../src/runtime/scenarios.js";
import { BuildError, UnstartableImageError, type BuiltImage, type RunEvidence, type StartConfig } from "../../src/runtime/types.js";
import { readImageConfig } from "../../src/image/read.js";
import { baseImageBuildArgs, docker } from "../support/docker.js";
import { describeWithDocker } from "../support/describe-docker.js";
import { buildHarness } from "../support/harness-build.js";
import { DockerRuntime } from "../support/docker-runtime.js";

const CONTEXT = path.resolve("tests/fixtures/runtime-apps");
const DB = "postgresql://verify:verify@127.0.0.1:5432/verify";
const config: VerifyConfig = {
  ...defaultConfig(),
  healthPath: "/health",
  requiredEnv: { DATABASE_URL: DB },
  gracePeriodSeconds: 2,
  healthTimeoutSeconds: 15,
  missingEnvTimeoutSeconds: 5,
};

describeWithDocker("PID 1 harness through DockerRuntime", () => {
  let runtime: DockerRuntime;
  const images: Record<string, BuiltImage> = {};
  let image: StartConfig;

  beforeAll(async () => {
    runtime = new DockerRuntime({ buildArgs: await baseImageBuildArgs() });
    const targets = ["good", "ignore", "shell", "root"];
    const built = await Promise.all(
      targets.map((target) => runtime.build({ context: CONTEXT, dockerfile: "Dockerfile", target, buildArgs: {} })),
    );
    targets.forEach((t, i) => (images[t] = built[i]));
    // The good image's scenarios come from its real config, as verify() builds them.
    image = await runtime.startConfig(images.good);
  });
  afterAll(async () => {
    await runtime?.close();
    await runtime?.close(); // idempotent
  });

  const serve = (name: string, cfg: VerifyConfig = config, img: StartConfig = image): Promise<RunEvidence> =>
    runtime.runScenario(images[name], serveScenario(cfg, img));
  const judgeAll = (e: Omit<Evidence, "config">, cfg = config) =>
    Object.fromEntries(runtimeChecks.map((c) => [c.id, c.needs.every((n) => e[n]) ? c.judge({ config: cfg, ...e }).verdict : "skip"]));

  it("runs the well-behaved app as PID 1 with the image's UID, and it exits 0 on SIGTERM", async () => {
    // Well under a second to exit; a roomy grace so that a loaded CI machine cannot
    // turn a clean exit into a kill. The kill at the limit has its own test below.
    const roomy = { ...config, gracePeriodSeconds: 10 };
    const run = await serve("good", roomy);
    expect(run.nsPid).toBe(1);
    expect(JSON.parse(run.health?.body ?? "{}")).toEqual({ status: "ok", pid: 1, uid: 1001 });
    expect(run.uids).toEqual([1001, 1001, 1001]);
    expect(run.gids).toEqual([1001, 1001, 1001]);
    expect(run.listening).toContain("0.0.0.0:8000");
    expect(run).toMatchObject({ signalSent: "SIGTERM", exitCode: 0, killed: false, portAnswered: true });
    expect(run.timeToExitMs).toBeLessThan(10_000);
    expect(run.filesWritten).toContain("/home/app/written.txt");
    // The app's output is captured apart from the harness report.
    expect(run.stdout).toContain('"msg": "listening"');
    expect(run.stdout).not.toContain('"harness"');
    expect(run.stderr).toBe("");
    expect(judgeAll({ serve: run }, roomy)).toMatchObject({
      "health-endpoint": "pass", "runtime-uid": "pass", "listens-all-interfaces": "pass",
      "graceful-shutdown": "pass", "stdout-json-logs": "pass", "no-log-files": "pass",
    });
  });

  it("reads the start settings from the engine exactly as the exported tarball's config has them", async () => {
    const { user, entrypoint, cmd, env, workingDir } = await readImageConfig(await runtime.exportTarball(images.good));
    expect(image).toEqual({ user, entrypoint, cmd, env, workingDir });
    expect(image).toMatchObject({ user: "app", cmd: ["python3", "/app/app.py"], workingDir: "/app" });
  });

  it("holds exactly the capabilities `docker run` gives: Docker's default set as root, none otherwise", async () => {
    const caps = (run: RunEvidence) => JSON.parse(run.stdout.split("\n").find((l) => l.includes('"listening"')) ?? "{}").caps;
    const DEFAULT = "00000000a80425fb";
    const [root, app] = await Promise.all([serve("root", config, { ...image, user: "0" }), serve("good")]);
    expect(root.uids).toEqual([0, 0, 0]);
    expect(caps(root)).toEqual({ CapInh: "0000000000000000", CapPrm: DEFAULT, CapEff: DEFAULT, CapBnd: DEFAULT, CapAmb: "0000000000000000" });
    expect(caps(app)).toMatchObject({ CapPrm: "0000000000000000", CapEff: "0000000000000000", CapBnd: DEFAULT });
  });

  it("resolves USER as runc does: a name from the image's passwd, a numeric uid:gid as given", async () => {
    const named = await serve("good", config, { ...image, user: "app" });
    expect(named).toMatchObject({ uids: [1001, 1001, 1001], gids: [1001, 1001, 1001], exitCode: 0 });
    const numeric = await serve("good", config, { ...image, user: "1001:0" });
    expect(numeric).toMatchObject({ uids: [1001, 1001, 1001], gids: [0, 0, 0] });
  });

  it("refuses an image whose USER is in no passwd entry, in Docker's words", async () => {
    const err = await serve("good", config, { ...image, user: "ghost" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnstartableImageError);
    expect((err as Error).message).toMatch(/unable to find user ghost: no matching entries in passwd file/);
    expect((err as Error).message).not.toContain("\n");
  });

  it("decodes a loopback-only socket and fails listens-all-interfaces", async () => {
    const cfg = { ...config, extraEnv: { BIND_HOST: "127.0.0.1" } };
    const run = await serve("good", cfg);
    expect(run.listening).toEqual(["127.0.0.1:8000"]);
    expect(judgeAll({ serve: run }, cfg)["listens-all-interfaces"]).toBe("fail");
  });

  it("reports the last status when the health path never answers 200, and still stops the app", async () => {
    const cfg = { ...config, healthPath: "/missing", healthTimeoutSeconds: 1 };
    const run = await serve("good", cfg);
    expect(run.timeToHealthyMs).toBeUndefined();
    expect(run.health).toEqual({ status: 404, body: '{"error":"not found"}' });
    expect(run.healthError).toBe("no 200 within 1000 ms; last: status 404");
    expect(run).toMatchObject({ signalSent: "SIGTERM", exitCode: 0 });
    expect(judgeAll({ serve: run }, cfg)["health-endpoint"]).toBe("fail");
  });

  it("decodes an IPv6 wildcard socket as [::]", async () => {
    const run = await serve("good", { ...config, extraEnv: { BIND_HOST: "::" } });
    expect(run.listening).toEqual(["[::]:8000"]);
  });

  it("SIGKILLs an app that ignores SIGTERM at the grace limit (137)", async () => {
    const run = await serve("ignore");
    expect(run).toMatchObject({ exitCode: 137, killed: true, nsPid: 1 });
    expect(run.timeToExitMs).toBeGreaterThanOrEqual(2000);
    expect(run.timeToExitMs).toBeLessThan(4000);
    expect(judgeAll({ serve: run })["graceful-shutdown"]).toBe("fail");
  });

  it("SIGKILLs a shell-form CMD, whose shell is PID 1 and the app its child", async () => {
    const run = await serve("shell", config, { ...image, cmd: ["/bin/sh", "-c", "python3 /app/app.py"] });
    expect(JSON.parse(run.health?.body ?? "{}").pid).not.toBe(1);
    expect(run).toMatchObject({ exitCode: 137, killed: true });
  });

  it("sees a start without a required variable exit non-zero, never answering on its port", async () => {
    const scenarios = missingEnvScenarios(config, image);
    expect(Object.keys(scenarios)).toEqual(["DATABASE_URL"]);
    const run = await runtime.runScenario(images.good, scenarios.DATABASE_URL);
    expect(run).toMatchObject({ kind: "missing-env", exitCode: 1, killed: false, portAnswered: false });
    expect(run.stderr).toContain("DATABASE_URL is not set");
    expect(judgeAll({ missingEnv: { DATABASE_URL: run } })["missing-env-fails-fast"]).toBe("pass");
  });

  it("unsets a variable even when it is present in the environment (an image ENV)", async () => {
    const spec = { ...missingEnvScenarios(config, image).DATABASE_URL, env: { DATABASE_URL: DB } };
    const run = await runtime.runScenario(images.good, spec);
    expect(run.exitCode).toBe(1);
  });

  it("reports an entrypoint that cannot be executed as exit 127 with the reason", async () => {
    const run = await serve("good", config, { ...image, cmd: ["no-such-binary"] });
    expect(run).toMatchObject({ exitCode: 127, killed: false });
    expect(run.harnessErrors).toEqual(["exec the app 'no-such-binary': No such file or directory"]);
    expect(run.healthError).toMatch(/^app exited \(code 127\) before answering 200/);
  });

  it("fails in one line without CAP_SYS_ADMIN, and on a bad option", async () => {
    const harness = await buildHarness();
    const base = ["run", "--rm", "--network", "none", "--user", "0", "--entrypoint", "/.verify/pid1", "-v", `${harness}:/.verify/pid1:ro`];
    const noCap = await docker([...base, images.good.name, "serve", "--out", "/tmp", "--", "true"], 60_000);
    expect(noCap.code).toBe(2);
    expect(noCap.stdout).toBe("");
    expect(noCap.stderr.trim()).toMatch(/^pid1: clone\(CLONE_NEWPID\|CLONE_NEWNS\) failed: Operation not permitted: run the harness as root with CAP_SYS_ADMIN/);
    const badOpt = await docker([...base, images.good.name, "serve", "--grace", "1", "--", "true"], 60_000);
    expect(badOpt.code).toBe(2);
    expect(badOpt.stderr.trim()).toBe("pid1: unknown option --grace (see src/runtime/harness/README.md)");
  });

  it("builds a copy of the context with one file changed (touch), leaving the original alone", async () => {
    const touched = await runtime.build({
      context: CONTEXT, dockerfile: "Dockerfile", target: "good", buildArgs: {},
      touch: { path: "app.py", content: "print('touched', flush=True)\n" },
    });
    const r = await docker(["run", "--rm", "--network", "none", touched.name], 60_000);
    expect(r.stdout.trim()).toBe("touched");
    expect(await readFile(path.join(CONTEXT, "app.py"), "utf8")).toContain("class Handler");
  });

  it("reports a failed build in one line, with the log tail apart", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "broken-build-"));
    try {
      await writeFile(path.join(dir, "Dockerfile"), "ARG PYTHON_IMAGE\nFROM ${PYTHON_IMAGE} AS runtime\nRUN echo about-to-fail && exit 3\n");
      const err = await runtime.build({ context: dir, dockerfile: "Dockerfile", target: "runtime", buildArgs: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BuildError);
      expect((err as Error).message).not.toContain("\n");
      expect((err as Error).message).toMatch(/^build of Dockerfile \(target runtime\) failed: .*exit code: 3/);
      expect((err as BuildError).logTail).toContain("about-to-fail");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
