/**
 * The local Docker engine for tests and DockerRuntime: Debian's engine 20.10 driven through
 * /usr/bin/docker with BuildKit. Every call has a time bound and keeps a bounded tail of its output.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { RuntimeError } from "../../src/runtime/types.js";

/** The docker client that talks to the local 20.10 engine (the first `docker` on PATH may be another). */
export const DOCKER = process.env.DOCKER ?? "/usr/bin/docker";
/** Kept of a command's output: enough for a build log tail, bounded so a chatty build cannot eat memory. */
const MAX_OUTPUT = 1 << 20;

export interface DockerResult {
  /** Exit code; null when the client was killed at the time bound. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Run the docker CLI with a bound; resolves with the exit code instead of throwing. On timeout the
 * client is killed (callers remove what it started). `env` adds to the client's environment, so values
 * passed as `-e NAME` never show in a process list.
 */
export function docker(args: string[], timeoutMs = 120_000, env: Record<string, string> = {}): Promise<DockerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, args, { env: { ...process.env, DOCKER_BUILDKIT: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const out = { stdout: "", stderr: "" };
    const keep = (key: "stdout" | "stderr") => (chunk: Buffer) => {
      out[key] = (out[key] + chunk.toString("utf8")).slice(-MAX_OUTPUT);
    };
    child.stdout.on("data", keep("stdout"));
    child.stderr.on("data", keep("stderr"));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new RuntimeError(`cannot run ${DOCKER}: ${err.message} (is the Docker CLI installed?)`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, ...out, timedOut });
    });
  });
}

/** Like docker(), but a non-zero exit or a timeout is an error carrying the tail of stderr. */
export async function dockerOk(args: string[], timeoutMs?: number, env: Record<string, string> = {}): Promise<string> {
  const result = await docker(args, timeoutMs, env);
  if (result.timedOut) throw new Error(`docker ${args[0]} did not finish within ${timeoutMs} ms`);
  if (result.code !== 0) {
    const tail = result.stderr.trim().split("\n").slice(-15).join("\n");
    throw new Error(`docker ${args.slice(0, 2).join(" ")} failed with exit ${result.code}:\n${tail}`);
  }
  return result.stdout;
}

/** Whether an engine answers, decided once per process. */
export const dockerAvailable: boolean = spawnSync(DOCKER, ["info"], { timeout: 15_000, stdio: "ignore" }).status === 0;

/**
 * The build args that select the offline stand-in base images (PYTHON_IMAGE, UV_IMAGE), as
 * scripts/offline-base-images.sh names them: the script is the one place that knows.
 */
export const OFFLINE_BASE_IMAGES: Record<string, string> = Object.fromEntries(
  execFileSync("bash", [resolve(import.meta.dirname, "../../scripts/offline-base-images.sh"), "--print-build-args"], { encoding: "utf8", timeout: 10_000 })
    .trim()
    .split("\n")
    .map((flag) => flag.replace(/^--build-arg=/, "").split("=", 2) as [string, string]),
);

/** The offline base images' build args when they are in the engine, else none (the real bases then). */
export async function baseImageBuildArgs(): Promise<Record<string, string>> {
  const present = await docker(["image", "inspect", OFFLINE_BASE_IMAGES.PYTHON_IMAGE], 30_000);
  return present.code === 0 ? OFFLINE_BASE_IMAGES : {};
}

/** `--build-arg` flags for a record of build args. */
export function buildArgFlags(args: Record<string, string>): string[] {
  return Object.entries(args).flatMap(([name, value]) => ["--build-arg", `${name}=${value}`]);
}

/** A name unique to this process and call, for tags and containers that are removed afterwards. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
