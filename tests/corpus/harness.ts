/**
 * Small helpers of the broken-image corpus suite: a fixture's verify config, a concurrency limit for
 * the engine, the zstd re-export wrapper, and running a bad-input fixture to its one-line error.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { CheckResult } from "../../src/checks/types.js";
import { applyOverrides, parseConfig } from "../../src/config/load.js";
import { defaultConfig, type VerifyConfig } from "../../src/config/schema.js";
import type { Runtime } from "../../src/runtime/types.js";
import { verify } from "../../src/verify.js";
import type { Fixture } from "./expect.js";
import { recompress } from "../support/recompress.js";
import { dockerOk, OFFLINE_BASE_IMAGES } from "../support/docker.js";

/**
 * Every fixture is built with this build secret, which its Dockerfile may ignore: the leak canary must find
 * no trace of it in any image that does not leak it. Values are fixed (seeded hashes, made at run time, so
 * no file holds them): BuildKit does not key its cache on a secret's value, so a cached layer holds the
 * value of the run that built it, and a new value each run would not be what that layer leaked.
 */
export const CORPUS_SECRET_ENV = "IMAGE_VERIFY_CORPUS_SECRET";
const seeded = (seed: string): string => createHash("sha256").update(`image-verify corpus/${seed}`).digest("base64url");
process.env[CORPUS_SECRET_ENV] ??= seeded("corpus-token");
const CORPUS_BUILD_SECRETS = { "corpus-token": `env:${CORPUS_SECRET_ENV}` };
/** build-secret-pyc's build secret: a Stripe-shaped live key (fake), so the format rules know it too. */
process.env.IMAGE_VERIFY_CORPUS_STRIPE_KEY ??= ["sk", "live", seeded("stripe-key").replace(/[^A-Za-z0-9]/g, "")].join("_");

/** The shared fixture project and base image folder, relative to the repository root. */
export const BASE_DIR = "tests/fixtures/broken/_base";

/**
 * verify.yaml for a fixture: its own folder as the context, its Dockerfile's last stage, the shared
 * fixture project, then the overrides of its expect.yaml (validated by the verifier's schema).
 */
export function fixtureConfig(fixture: Fixture, repoRoot: string): VerifyConfig {
  const context = path.relative(repoRoot, fixture.dir);
  const base: VerifyConfig = { ...defaultConfig(), context, dockerfile: "Dockerfile", target: "", project: BASE_DIR, buildSecrets: CORPUS_BUILD_SECRETS };
  const own = fixture.expect.config as Partial<VerifyConfig>;
  return applyOverrides(base, { ...own, buildSecrets: { ...CORPUS_BUILD_SECRETS, ...own.buildSecrets } }, `${context}/expect.yaml config`);
}

/**
 * Build the corpus's shared base (BASE_DIR) on the local Docker engine under `tag`, from the offline
 * Python stand-in: every fixture starts FROM it.
 */
export async function buildCorpusBase(repoRoot: string, tag: string): Promise<void> {
  await dockerOk(["build", "--network", "host", "--build-arg", `PYTHON_IMAGE=${OFFLINE_BASE_IMAGES.PYTHON_IMAGE}`, "-t", tag, path.join(repoRoot, BASE_DIR)], 600_000);
}

/** A function that runs at most `n` tasks at once: the engine has two cores. */
export function limit(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** The runtime, but every exported image is re-written as an OCI layout with zstd layers. */
export function withZstdExport(runtime: Runtime): Runtime {
  return {
    name: runtime.name,
    build: (spec) => runtime.build(spec),
    startConfig: (image) => runtime.startConfig(image),
    runScenario: (image, scenario) => runtime.runScenario(image, scenario),
    close: () => runtime.close(),
    async exportTarball(image) {
      const archive = await runtime.exportTarball(image);
      return recompress(archive, archive.replace(/\.tar$/, "") + ".zstd.oci.tar", "zstd");
    },
  };
}

/** A check's summary and evidence lines, the text the expected evidence substrings are looked up in. */
export function resultText(result: CheckResult): string {
  return [result.summary, ...result.evidence].join("\n");
}

/** How a bad-input run ended: its error line (or stderr), the CLI's exit code, and the time it took. */
export interface BadInputOutcome {
  message: string;
  exitCode?: number;
  seconds: number;
}

/** Run a bad-input fixture as its expect.yaml says; it must end with an error, never succeed. */
export async function runBadInput(fixture: Fixture, runtime: Runtime, repoRoot: string, buildArgs: Record<string, string> = {}): Promise<BadInputOutcome> {
  const started = Date.now();
  const done = (message: string, exitCode?: number) => ({ message, exitCode, seconds: (Date.now() - started) / 1000 });
  const { run, file } = fixture.expect;
  if (run === "inspect-cli") {
    const r = await runCli(["inspect", path.join(fixture.dir, file ?? "")], (fixture.expect.withinSeconds ?? 60) * 1000 + 10_000);
    return done(r.stderr.trimEnd(), r.code);
  }
  try {
    if (run === "parse-config") {
      const source = path.relative(repoRoot, path.join(fixture.dir, file ?? ""));
      parseConfig(await readFile(path.join(fixture.dir, file ?? ""), "utf8"), source);
    } else {
      const config = fixtureConfig(fixture, repoRoot);
      await verify({ config: { ...config, buildArgs: { ...buildArgs, ...config.buildArgs } }, runtime, repoRoot });
    }
  } catch (error) {
    return done(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
  throw new Error(`${fixture.name}: ${run} succeeded, but the fixture expects the error "${fixture.expect.error?.join(" ... ")}"`);
}

const BIN = path.resolve(import.meta.dirname, "../../bin/image-verify.mjs");

/** The image-verify CLI as a user runs it, with a bound; cwd is a throwaway dir (no verify.yaml there). */
async function runCli(args: string[], timeoutMs: number): Promise<{ code: number; stderr: string }> {
  const cwd = await mkdtemp(path.join(tmpdir(), "corpus-cli-"));
  try {
    return await new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { cwd, timeout: timeoutMs }, (error, _stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stderr });
      });
    });
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}
