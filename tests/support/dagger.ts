/**
 * The real Dagger engine for tests: the `dagger` CLI (module mode, as users run it) and a client session
 * (client mode, DaggerRuntime driven from the test process). Whatever engine the CLI's environment
 * points at; in CI that is the kit of ../shared/dagger-engine (.ci/run sources its env.sh).
 * Every call has a time bound. (The `describe` that skips without an engine is in ./describe-dagger.ts,
 * so the benchmark can use this file outside vitest.)
 */
import { spawn, spawnSync } from "node:child_process";
import { connection } from "@dagger.io/dagger";

/** The CLI: the first `dagger` on PATH unless DAGGER says otherwise. */
export const DAGGER = process.env.DAGGER ?? "dagger";
/** Kept of a command's output: bounded, so a chatty log cannot eat memory. */
const MAX_OUTPUT = 4 << 20;

/**
 * Does an engine answer? Asked from "/" so that no dagger.json is loaded (a module load would take
 * long and could fail for reasons of its own). Bounded: a CLI that tries to start an engine it cannot
 * pull gives up within the bound.
 */
export function probeDagger(): { ok: boolean; why: string } {
  const r = spawnSync(DAGGER, ["--silent", "query"], { cwd: "/", input: "{ version }", encoding: "utf8", timeout: 60_000 });
  if (r.error) return { ok: false, why: `cannot run ${DAGGER}: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, why: `${DAGGER} query failed: ${(r.stderr || r.stdout).trim().split("\n").pop()}` };
  return /"version"/.test(r.stdout) ? { ok: true, why: "" } : { ok: false, why: `${DAGGER} query printed no version` };
}

export interface DaggerResult {
  /** Exit code; null when the CLI was killed at the bound. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** `dagger --silent <args>` in `cwd`, bounded; resolves with the exit code instead of throwing. */
export function daggerCli(args: string[], options: { cwd: string; timeoutMs: number }): Promise<DaggerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(DAGGER, ["--silent", ...args], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const out = { stdout: "", stderr: "" };
    const keep = (key: "stdout" | "stderr") => (chunk: Buffer) => {
      out[key] = (out[key] + chunk.toString("utf8")).slice(-MAX_OUTPUT);
    };
    child.stdout.on("data", keep("stdout"));
    child.stderr.on("data", keep("stderr"));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole group: the CLI's session helper goes too, and the engine cancels the call.
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }, options.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${DAGGER}: ${err.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, ...out, timedOut });
    });
  });
}

/** The error line `dagger call` prints for a function that threw, without its trace id. */
export function callError(result: DaggerResult): string {
  const line = result.stderr.split("\n").find((l) => l.startsWith("Error: ")) ?? "";
  return line.replace(/^Error: /, "").replace(/\s*\[traceparent:[^\]]*\]\s*$/, "");
}

/**
 * A client session for the whole suite: the SDK's global `dag` is connected until close(). The SDK
 * starts `dagger session` itself; _EXPERIMENTAL_DAGGER_CLI_BIN points it at the CLI on PATH instead of
 * a download (the machine has no route to one).
 */
export async function openDaggerSession(): Promise<{ close: () => Promise<void> }> {
  process.env._EXPERIMENTAL_DAGGER_CLI_BIN ??= resolveCli();
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let ready!: () => void;
  const opened = new Promise<void>((resolve) => (ready = resolve));
  const session = connection(async () => {
    ready();
    await released;
  }, { LogOutput: undefined });
  await Promise.race([opened, session.then(() => Promise.reject(new Error("the Dagger session ended before it opened")))]);
  return {
    close: async () => {
      release();
      await session;
    },
  };
}

function resolveCli(): string {
  const r = spawnSync("sh", ["-c", `command -v ${DAGGER}`], { encoding: "utf8" });
  return r.stdout.trim() || DAGGER;
}
