/**
 * The local Docker engine for tests: Debian's engine 20.10 driven through /usr/bin/docker with BuildKit.
 * Every call has a time bound; containers run with --network none and are reached only on loopback.
 */
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { describe } from "vitest";

const run = promisify(execFile);

/** The docker client that talks to the local 20.10 engine (the first `docker` on PATH may be another). */
export const DOCKER = process.env.DOCKER ?? "/usr/bin/docker";
const env = { ...process.env, DOCKER_BUILDKIT: "1" };

export interface DockerResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run a docker command; resolves with its exit code instead of throwing, unless the time bound is hit. */
export async function docker(args: string[], timeoutMs = 120_000): Promise<DockerResult> {
  try {
    const { stdout, stderr } = await run(DOCKER, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number | string; killed?: boolean };
    if (e.killed) throw new Error(`docker ${args[0]} did not finish within ${timeoutMs} ms`);
    if (typeof e.code !== "number") throw error;
    return { stdout: e.stdout ?? "", stderr: e.stderr ?? "", code: e.code };
  }
}

/** Like docker(), but a non-zero exit is an error carrying the tail of stderr. */
export async function dockerOk(args: string[], timeoutMs?: number): Promise<string> {
  const result = await docker(args, timeoutMs);
  if (result.code !== 0) {
    const tail = result.stderr.trim().split("\n").slice(-15).join("\n");
    throw new Error(`docker ${args.slice(0, 2).join(" ")} failed with exit ${result.code}:\n${tail}`);
  }
  return result.stdout;
}

/** Whether an engine answers, decided once per test file. */
export const dockerAvailable: boolean = spawnSync(DOCKER, ["info"], { timeout: 15_000, stdio: "ignore" }).status === 0;

/**
 * `describe` for tests that need the engine: without one they are skipped with a visible message,
 * except in CI (CI=true), where a missing engine fails the run.
 */
export function describeWithDocker(name: string, body: () => void): void {
  if (dockerAvailable) {
    describe(name, body);
    return;
  }
  if (process.env.CI === "true") throw new Error(`${name}: no Docker engine answers through ${DOCKER}, and CI=true requires one`);
  console.warn(`SKIPPED ${name}: no Docker engine answers through ${DOCKER} (start dockerd to run these tests)`);
  describe.skip(name, body);
}

/** Build args selecting the offline stand-in base images when they exist (see scripts/offline-base-images.sh). */
export async function baseImageBuildArgs(): Promise<Record<string, string>> {
  const offline = { PYTHON_IMAGE: "offline/python:3.12-slim", UV_IMAGE: "offline/uv:0.13.9" };
  const present = await docker(["image", "inspect", offline.PYTHON_IMAGE], 30_000);
  return present.code === 0 ? offline : {};
}

/** `--build-arg` flags for a record of build args. */
export function buildArgFlags(args: Record<string, string>): string[] {
  return Object.entries(args).flatMap(([name, value]) => ["--build-arg", `${name}=${value}`]);
}

/** A name unique to this process and call, for tags and containers that tests remove afterwards. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
