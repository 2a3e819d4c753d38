/**
 * The only engine-facing interface. Two implementations: DaggerRuntime (src/runtime/dagger.ts, the
 * product) and DockerRuntime (tests/support/docker-runtime.ts, which runs the same verify() here, where
 * no Dagger engine exists). Everything else is engine-free.
 */
import type { ImageConfig } from "../image/types.js";

export interface BuildSpec {
  /** Absolute path (Docker) or a handle understood by the runtime (Dagger) of the build context. */
  context: string;
  dockerfile: string;
  target: string;
  buildArgs: Record<string, string>;
  /**
   * Build secrets, id -> value, for RUN --mount=type=secret,id=<id>. Runtimes hand them over as secrets
   * (docker build --secret from the environment, Dagger Secrets), never as arguments or files.
   */
  secrets?: Record<string, string>;
  /**
   * A harmless change to an application file, applied to a copy of the context before building:
   * used to build the "source-only change" variant for the dependency-layer cache check.
   */
  touch?: { path: string; content: string };
}

/** An image a runtime built, opaque outside it. */
export interface BuiltImage {
  /** A human-readable name for messages and reports. */
  name: string;
}

/** One run of the PID 1 harness (src/runtime/harness/) inside the image, with the app as PID 1. */
export interface ScenarioSpec {
  /** Which scenario: "serve" probes and stops, "missing-env" only watches the start. */
  kind: "serve" | "missing-env";
  /** Full environment added to the image's own for this run. */
  env: Record<string, string>;
  /**
   * The image's USER as its config has it ("", "app", "1001:1001", ...): the harness resolves it in the
   * image's own /etc/passwd and /etc/group, with the same rules as runc.
   */
  user: string;
  /** Set HOME from the user's passwd entry ("/" without one), as `docker run` does when the image's ENV has none. */
  setHome: boolean;
  /** argv of the app: the image's entrypoint + cmd. */
  argv: string[];
  workingDir: string;
  port: number;
  healthPath: string;
  healthTimeoutMs: number;
  graceMs: number;
  /** missing-env: how long the app may take to exit. */
  exitTimeoutMs: number;
  /** Variables removed from the environment before exec (a required variable the image sets in its own ENV). */
  unsetEnv?: string[];
}

/** What the harness observed; produced by the harness as JSON and parsed by src/runtime/harness.ts. */
export interface RunEvidence {
  kind: ScenarioSpec["kind"];
  /** ms from start until the health endpoint answered 200; undefined if it never did. */
  timeToHealthyMs?: number;
  health?: { status: number; body: string };
  /** Last non-200 health status seen while waiting (e.g. 404, 500), and why the wait ended. */
  healthError?: string;
  /** Real, effective and saved UIDs/GIDs of the app process, from /proc/<pid>/status. */
  uids?: number[];
  gids?: number[];
  /** The app's PID inside its own PID namespace (last NSpid field): 1 when it runs as PID 1. */
  nsPid?: number;
  /** Listening TCP sockets as "addr:port" (e.g. "0.0.0.0:8000", "127.0.0.1:8000", "[::]:8000"). */
  listening: string[];
  /** Did anything ever answer on the port (missing-env scenario: must be false)? */
  portAnswered: boolean;
  signalSent?: "SIGTERM";
  /** Exit code as a shell reports it: 0..255, or 128+signal when killed. */
  exitCode?: number;
  /** ms from SIGTERM (serve) or start (missing-env) until exit. */
  timeToExitMs?: number;
  /** True when the harness had to SIGKILL the app at the grace or exit limit. */
  killed: boolean;
  /** Files written by the app during the run (outside /proc, /sys, /dev, /tmp). */
  filesWritten: string[];
  stdout: string;
  stderr: string;
  /** Problems of the harness itself (not of the app). */
  harnessErrors: string[];
}

/** What of the image config starting the app needs: the scenarios are built from it alone. */
export type StartConfig = Pick<ImageConfig, "user" | "entrypoint" | "cmd" | "env" | "workingDir">;

export interface Runtime {
  /** A short name for reports: "dagger" or "docker". */
  readonly name: string;
  build(spec: BuildSpec): Promise<BuiltImage>;
  /**
   * The image's start settings as the engine holds them, without exporting it: verify() starts the
   * scenarios from these while the tarball is still being exported and read.
   */
  startConfig(image: BuiltImage): Promise<StartConfig>;
  /** Write the image as a tarball (OCI layout or docker-archive) and return its local path. */
  exportTarball(image: BuiltImage): Promise<string>;
  /** Run the harness for one scenario inside the image and return what it observed. */
  runScenario(image: BuiltImage, scenario: ScenarioSpec): Promise<RunEvidence>;
  /** Release what the runtime holds (temporary files, images); safe to call twice. */
  close(): Promise<void>;
}

/** A clear, one-line error for a runtime step that failed (build error, engine missing, ...). */
export class RuntimeError extends Error {
  override name = "RuntimeError";
}

/**
 * A build of the image failed, in the same words whichever runtime built it: the Dockerfile, the
 * target and the builder's reason on one line; the end of the build log apart, when the runtime has it.
 */
export class BuildError extends RuntimeError {
  override name = "BuildError";
  constructor(
    spec: Pick<BuildSpec, "dockerfile" | "target">,
    why: string,
    readonly logTail = "",
  ) {
    super(`build of ${spec.dockerfile} (target ${spec.target || "last"}) failed: ${why}`);
  }
}

/**
 * The image cannot be started as its config says (its USER names a user or group the image lacks), as
 * `docker run` would refuse it: the runtime checks skip with this reason; the static checks still judge.
 */
export class UnstartableImageError extends RuntimeError {
  override name = "UnstartableImageError";
}
