/**
 * The one place that knows how to invoke the PID 1 harness (./harness/pid1.c) and read its report.
 * Both runtimes (DockerRuntime in tests, DaggerRuntime in src) go through these two functions, so they
 * cannot drift: the invocation is a plain argv, the scenario env, and two paths.
 */
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { lastLine } from "../text.js";
import { RuntimeError, UnstartableImageError, type RunEvidence, type ScenarioSpec } from "./types.js";

/** Where runtimes mount the static harness binary inside the image. */
export const HARNESS_PATH = "/.verify/pid1";
/** Where runtimes mount (or read back) the output directory: app.stdout, app.stderr, report.json. */
export const HARNESS_OUT = "/.verify/out";

/** Absolute path of the harness C source, for runtimes that compile it (gcc -static -O2). */
export function harnessSourceFile(): string {
  return fileURLToPath(new URL("./harness/pid1.c", import.meta.url));
}

/**
 * The full argv to run inside the image as root with CAP_SYS_ADMIN: argv[0] is the harness itself.
 * The scenario's env is passed as the process environment (not in argv); the image's own env stays.
 */
export function harnessArgv(spec: ScenarioSpec, paths: { harness: string; out: string }): string[] {
  if (spec.argv.length === 0) {
    throw new RuntimeError("the image has no ENTRYPOINT or CMD: set one so the app can be started");
  }
  const opts: [string, string | number][] = [
    ["--user", spec.user],
    ["--set-home", spec.setHome ? 1 : 0],
    ["--port", spec.port],
    ["--health-path", spec.healthPath],
    ["--health-timeout-ms", Math.round(spec.healthTimeoutMs)],
    ["--grace-ms", Math.round(spec.graceMs)],
    ["--exit-timeout-ms", Math.round(spec.exitTimeoutMs)],
    ["--workdir", spec.workingDir || "/"],
    ["--out", paths.out],
    ...(spec.unsetEnv ?? []).map((name): [string, string] => ["--unset", name]),
  ];
  return [paths.harness, spec.kind, ...opts.flatMap(([k, v]) => [k, String(v)]), "--", ...spec.argv];
}

/** pid1's exit code when the image's USER names no user or group in the image (docker run refuses it too). */
export const HARNESS_EXIT_UNSTARTABLE = 3;

/**
 * The one-line error of a harness run that ended without a report (its exit code was not 0): exit 3 is
 * the image's doing (UnstartableImageError: the runtime checks skip with the reason), any other the
 * harness's own failure. `stderr` is the harness's, whose last line is its `pid1: ...` message.
 */
export function harnessFailure(what: string, exitCode: number, stderr: string): RuntimeError {
  const why = lastLine(stderr).replace(/^pid1: /, "").slice(0, 300) || "no output";
  if (exitCode === HARNESS_EXIT_UNSTARTABLE) return new UnstartableImageError(`the image cannot be started as its USER says: ${why}`);
  return new RuntimeError(`${what}: the harness failed (exit ${exitCode}): ${why}`);
}

const count = z.number().int().min(0);
const reportSchema = z.object({
  harness: z.literal("pid1/1"),
  kind: z.enum(["serve", "missing-env"]),
  timeToHealthyMs: count.optional(),
  health: z.object({ status: z.number().int(), body: z.string() }).optional(),
  healthError: z.string().optional(),
  uids: z.array(count).optional(),
  gids: z.array(count).optional(),
  nsPid: count.optional(),
  listening: z.array(z.string()),
  portAnswered: z.boolean(),
  signalSent: z.literal("SIGTERM").optional(),
  exitCode: count.optional(),
  timeToExitMs: count.optional(),
  killed: z.boolean(),
  filesWritten: z.array(z.string()),
  harnessErrors: z.array(z.string()),
});

/**
 * Turn the harness's stdout (one JSON line; anything else the engine printed is ignored) and the app's
 * captured output into RunEvidence. Throws a one-line RuntimeError quoting at most 200 characters.
 */
export function parseHarnessReport(stdout: string, appStdout: string, appStderr: string): RunEvidence {
  const line = stdout
    .split("\n")
    .map((l) => l.trim())
    .reverse()
    .find((l) => l.startsWith('{"harness"'));
  const quoted = JSON.stringify(stdout.trim().slice(0, 200));
  if (!line) throw new RuntimeError(`the PID 1 harness printed no report: ${quoted}`);
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new RuntimeError(`the PID 1 harness report is not valid JSON: ${quoted}`);
  }
  const parsed = reportSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RuntimeError(
      `the PID 1 harness report is malformed at '${issue?.path.join(".")}': ${issue?.message}: ${quoted}`,
    );
  }
  const { harness: _version, ...report } = parsed.data;
  return { ...report, stdout: appStdout, stderr: appStderr };
}
