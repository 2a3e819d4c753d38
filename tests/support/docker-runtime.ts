/**
 * DockerRuntime: the Runtime interface on a local Docker engine (/usr/bin/docker, BuildKit), so the same
 * verify() runs here, where no Dagger engine exists. Every docker call has a bound; whatever it leaves
 * behind (containers, tags, temp dirs) is removed on timeout or by close().
 */
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { HARNESS_OUT, HARNESS_PATH, harnessArgv, harnessFailure, parseHarnessReport } from "../../src/runtime/harness.js";
import { BuildError, RuntimeError, type BuildSpec, type BuiltImage, type RunEvidence, type Runtime, type ScenarioSpec, type StartConfig } from "../../src/runtime/types.js";
import { docker } from "./docker.js";
import { buildHarness } from "./harness-build.js";
import { lastLine } from "../../src/text.js";
import { redact } from "../../src/secrets/redact.js";

/** Time for the harness's own work around the app's bounds: start, file walk (5 s bound), teardown. */
const RUN_MARGIN_MS = 20_000;

export interface DockerRuntimeOptions {
  /** Build args added to every build (e.g. the offline base images). */
  buildArgs?: Record<string, string>;
  /** Path of a compiled harness; default: compile src/runtime/harness/pid1.c with the host gcc. */
  harness?: string;
  /** Bound of one `docker build` (default 10 minutes). */
  buildTimeoutMs?: number;
}

/** The last meaningful lines of a BuildKit plain-progress log, and a one-line summary of the failure. */
export function summariseBuildLog(log: string): { summary: string; tail: string } {
  const lines = log.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim() !== "");
  const tail = lines.slice(-25).join("\n");
  const error = [...lines].reverse().find((l) => /\bERROR\b|error:/i.test(l) && !/^#\d+ \[.*\]$/.test(l));
  // "#7 0.231 ERROR: ...", "#7 ERROR: ...", "error: failed to solve: ...": keep what follows.
  const summary = (error ?? lines.at(-1) ?? "no output")
    .replace(/^#\d+ (?:[\d.]+ )?/, "")
    .replace(/^(?:ERROR|error):\s*(?:failed to solve:\s*)?/, "")
    .slice(0, 300);
  return { summary, tail };
}

const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;

/** The Runtime on a local Docker engine; see the file comment. */
export class DockerRuntime implements Runtime {
  readonly name = "docker";
  private readonly tags = new Set<string>();
  private readonly temps = new Set<string>();
  private readonly containers = new Set<string>();
  private harness?: Promise<string>;

  constructor(private readonly options: DockerRuntimeOptions = {}) {}

  /** `docker build` of the context (a copy with `touch` applied, when given) under a unique tag. */
  async build(spec: BuildSpec): Promise<BuiltImage> {
    const context = spec.touch ? await this.touchedCopy(spec.context, spec.touch) : spec.context;
    const tag = `image-verify-test:${unique("b")}`;
    const buildArgs = { ...this.options.buildArgs, ...spec.buildArgs };
    const args = ["build", "--network", "host", "--progress", "plain", "-f", path.resolve(context, spec.dockerfile)];
    if (spec.target) args.push("--target", spec.target);
    for (const [k, v] of Object.entries(buildArgs)) args.push("--build-arg", `${k}=${v}`);
    // Build secrets reach BuildKit through the docker client's environment: never in argv, never on disk.
    const secrets = Object.entries(spec.secrets ?? {});
    const env = Object.fromEntries(secrets.map(([, value], i) => [`IMAGE_VERIFY_BUILD_SECRET_${i}`, value]));
    secrets.forEach(([id], i) => args.push("--secret", `id=${id},env=IMAGE_VERIFY_BUILD_SECRET_${i}`));
    this.tags.add(tag);
    const r = await docker([...args, "-t", tag, context], this.options.buildTimeoutMs ?? 600_000, env);
    if (r.code !== 0) {
      // A step that prints a secret must not carry it into the error.
      const log = secrets.reduce((text, [, value]) => text.split(value).join(redact(value)), r.stderr + r.stdout);
      const { summary, tail } = summariseBuildLog(log);
      const why = r.timedOut ? `timed out after ${this.options.buildTimeoutMs ?? 600_000} ms` : summary;
      throw new BuildError(spec, why, tail);
    }
    return { name: tag };
  }

  /** The start settings from `docker image inspect` (null lists in Docker's JSON are empty ones). */
  async startConfig(image: BuiltImage): Promise<StartConfig> {
    const r = await docker(["image", "inspect", "--format", "{{json .Config}}", image.name], 60_000);
    if (r.code !== 0) throw new RuntimeError(`docker image inspect ${image.name} failed: ${lastErrorLine(r.stderr)}`);
    const c = JSON.parse(r.stdout) as { User?: string; Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string };
    return { user: c.User ?? "", entrypoint: c.Entrypoint ?? [], cmd: c.Cmd ?? [], env: c.Env ?? [], workingDir: c.WorkingDir ?? "" };
  }

  /** `docker save` into a temp dir; returns the docker-archive tarball's path. */
  async exportTarball(image: BuiltImage): Promise<string> {
    const dir = await this.tempDir("export");
    const file = path.join(dir, "image.tar");
    const r = await docker(["save", "-o", file, image.name], 300_000);
    if (r.code !== 0) throw new RuntimeError(`docker save ${image.name} failed: ${lastErrorLine(r.stderr)}`);
    return file;
  }

  /** Run the harness in the image with the app as PID 1 of its own namespace; see src/runtime/harness/. */
  async runScenario(image: BuiltImage, scenario: ScenarioSpec): Promise<RunEvidence> {
    const harness = await (this.harness ??= this.options.harness ? Promise.resolve(this.options.harness) : buildHarness());
    const out = await this.tempDir("run");
    const name = unique("image-verify-run");
    const [entry, ...rest] = harnessArgv(scenario, { harness: HARNESS_PATH, out: HARNESS_OUT });
    // Values travel in the client's environment (`-e NAME`), so they never show in a process list.
    const envFlags = Object.keys(scenario.env).flatMap((k) => ["-e", k]);
    const args = [
      "run", "--rm", "--name", name, "--network", "none", "--user", "0", "--cap-add", "SYS_ADMIN",
      "--security-opt", "apparmor=unconfined", "--entrypoint", entry,
      "-v", `${harness}:${HARNESS_PATH}:ro`, "-v", `${out}:${HARNESS_OUT}`, ...envFlags, image.name, ...rest,
    ];
    const bound = scenario.kind === "serve" ? scenario.healthTimeoutMs + scenario.graceMs : scenario.exitTimeoutMs;
    this.containers.add(name);
    const r = await docker(args, bound + RUN_MARGIN_MS, scenario.env);
    if (r.timedOut) {
      await this.removeContainer(name);
      throw new RuntimeError(`the ${scenario.kind} run of ${image.name} did not finish within ${bound + RUN_MARGIN_MS} ms; container removed`);
    }
    this.containers.delete(name);
    if (r.code !== 0) throw harnessFailure(`running the ${scenario.kind} scenario in ${image.name}`, r.code ?? -1, r.stderr);
    const [appOut, appErr] = await Promise.all(["app.stdout", "app.stderr"].map((f) => readFile(path.join(out, f), "utf8").catch(() => "")));
    return parseHarnessReport(r.stdout, appOut, appErr);
  }

  /** Remove the containers, tags and temp dirs this runtime made; safe to call twice. */
  async close(): Promise<void> {
    await Promise.all([...this.containers].map((c) => this.removeContainer(c)));
    const tags = [...this.tags];
    this.tags.clear();
    if (tags.length > 0) await docker(["rmi", "-f", ...tags], 60_000).catch(() => undefined);
    const temps = [...this.temps];
    this.temps.clear();
    await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
  }

  private async removeContainer(name: string): Promise<void> {
    this.containers.delete(name);
    await docker(["rm", "-f", name], 30_000).catch(() => undefined);
  }

  private async tempDir(kind: string): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), `image-verify-${kind}-`));
    this.temps.add(dir);
    return dir;
  }

  private async touchedCopy(context: string, touch: { path: string; content: string }): Promise<string> {
    const dir = await this.tempDir("context");
    await cp(context, dir, { recursive: true });
    const target = path.resolve(dir, touch.path);
    if (!target.startsWith(dir + path.sep)) throw new RuntimeError(`touch path ${touch.path} leaves the build context`);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, touch.content);
    return dir;
  }
}

/** The last line of a failed docker command's stderr, bounded for a one-line error. */
function lastErrorLine(text: string): string {
  return lastLine(text).slice(0, 300) || "no output";
}
