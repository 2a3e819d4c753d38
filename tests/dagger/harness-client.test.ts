/**
 * Client mode: the PID 1 harness through DaggerRuntime on the real engine, with the tiny apps of
 * tests/fixtures/runtime-apps. What differs most between engines is privilege: Dagger runs the harness
 * with every capability (insecureRootCapabilities), Docker with its default set plus SYS_ADMIN. The app
 * must end with exactly what `docker run` gives it either way, and with the same user resolution.
 */
import path from "node:path";
import { dag } from "@dagger.io/dagger";
import { afterAll, beforeAll, expect, it } from "vitest";
import { defaultConfig, type VerifyConfig } from "../../src/config/schema.js";
import { SOURCE_IGNORE } from "../../src/index.js";
import { DaggerRuntime } from "../../src/runtime/dagger.js";
import { harnessSourceFile } from "../../src/runtime/harness.js";
import { serveScenario } from "../../src/runtime/scenarios.js";
import { UnstartableImageError, type BuiltImage, type RunEvidence, type StartConfig } from "../../src/runtime/types.js";
import { openDaggerSession } from "../support/dagger.js";
import { describeWithDagger } from "../support/describe-dagger.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DOCKER_DEFAULT_CAPS = "00000000a80425fb";
const NONE = "0000000000000000";
const config: VerifyConfig = {
  ...defaultConfig(),
  healthPath: "/health",
  requiredEnv: { DATABASE_URL: "postgresql://verify:verify@127.0.0.1:5432/verify" },
  // The apps exit well under a second; a roomy grace so that a loaded CI machine cannot turn a clean
  // exit into a kill (what is asserted here is privilege and user resolution, not timing).
  gracePeriodSeconds: 10,
  healthTimeoutSeconds: 30,
};

describeWithDagger("PID 1 harness through DaggerRuntime (client mode)", () => {
  let session: { close: () => Promise<void> };
  let runtime: DaggerRuntime;
  const images: Record<string, BuiltImage> = {};
  let start: StartConfig;

  beforeAll(async () => {
    session = await openDaggerSession();
    runtime = new DaggerRuntime(dag.host().directory(ROOT, { exclude: SOURCE_IGNORE }), { repoRoot: ROOT, harnessSource: dag.host().file(harnessSourceFile()) });
    for (const target of ["good", "root"]) {
      images[target] = await runtime.build({ context: "tests/fixtures/runtime-apps", dockerfile: "Dockerfile", target, buildArgs: {} });
    }
    start = await runtime.startConfig(images.good);
  }, 900_000);
  afterAll(async () => {
    await runtime?.close();
    await session?.close();
  });

  const serve = (name: string, user = start.user): Promise<RunEvidence> => runtime.runScenario(images[name], serveScenario(config, { ...start, user }));
  const caps = (run: RunEvidence) => JSON.parse(run.stdout.split("\n").find((l) => l.includes('"listening"')) ?? "{}").caps;

  it("reads the start settings from the engine", () => {
    expect(start).toMatchObject({ user: "app", cmd: ["python3", "/app/app.py"], workingDir: "/app" });
  });

  it("gives the app Docker's default capabilities as root and none otherwise, not the engine's", async () => {
    const [root, app] = await Promise.all([serve("root", "0"), serve("good")]);
    expect(root).toMatchObject({ uids: [0, 0, 0], nsPid: 1, exitCode: 0 });
    expect(caps(root)).toEqual({ CapInh: NONE, CapPrm: DOCKER_DEFAULT_CAPS, CapEff: DOCKER_DEFAULT_CAPS, CapBnd: DOCKER_DEFAULT_CAPS, CapAmb: NONE });
    expect(app).toMatchObject({ uids: [1001, 1001, 1001], gids: [1001, 1001, 1001], nsPid: 1, exitCode: 0 });
    expect(caps(app)).toMatchObject({ CapPrm: NONE, CapEff: NONE, CapBnd: DOCKER_DEFAULT_CAPS });
  });

  it("resolves a numeric uid:gid as given, and refuses a USER the image does not know", async () => {
    expect(await serve("good", "1001:0")).toMatchObject({ uids: [1001, 1001, 1001], gids: [0, 0, 0] });
    const err = await serve("good", "ghost").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnstartableImageError);
    expect((err as Error).message).toMatch(/unable to find user ghost: no matching entries in passwd file/);
  });
});
