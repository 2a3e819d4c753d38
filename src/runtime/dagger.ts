/**
 * DaggerRuntime: the product's Runtime, a thin layer of Dagger calls. Everything that is not a Dagger
 * call (scenario specs, the harness protocol, checks) lives in shared code that the Docker path runs too.
 *
 * Where things live, inside a module function:
 * - `source` is the repository root as a Directory (the module's `source` argument); a BuildSpec's
 *   `context` is a path inside it ("api"), or an absolute path under `repoRoot` (where the module
 *   exported the same directory for verify() to read the project's metadata files).
 * - `exportTarball` writes to the filesystem of the module's runtime container (File.export inside a
 *   function writes there, not to the caller's host), in a temporary folder that close() removes.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, posix, relative, sep } from "node:path";
import {
  dag,
  ImageLayerCompression,
  ReturnType,
  type BuildArg,
  type Container,
  type Directory,
  type File,
  type Secret,
} from "@dagger.io/dagger";
import { HARNESS_OUT, HARNESS_PATH, harnessArgv, harnessFailure, parseHarnessReport } from "./harness.js";
import { BuildError, RuntimeError, type BuildSpec, type BuiltImage, type RunEvidence, type Runtime, type ScenarioSpec, type StartConfig } from "./types.js";
import { DEFAULT_IMAGES } from "../config/images.js";
import { firstLine, lastLine, tailLines } from "../text.js";

/** The harness source, relative to the module's own source directory (dagger.json "source": "."). */
export const HARNESS_SOURCE = "src/runtime/harness/pid1.c";
/** A per-run nonce mounted beside the harness (see prepareForHarness). */
const NONCE_PATH = "/.verify/run-id";

export interface DaggerRuntimeOptions {
  /** Local path (in the module's runtime container) where `source` was exported, to map absolute contexts. */
  repoRoot?: string;
  /** The harness's C source; default: the module's own pid1.c (only inside a module function call). */
  harnessSource?: File;
  /** The image the harness is compiled in (verify.yaml `images.harnessBuilder`). */
  harnessBuilderImage?: string;
  /** Layer compression of exported tarballs (default gzip, which the engine caches once made). */
  layerCompression?: "gzip" | "zstd";
}

/** The Runtime that builds, exports and runs through the Dagger engine of the current module call. */
export class DaggerRuntime implements Runtime {
  readonly name = "dagger";
  private readonly images = new Map<BuiltImage, Container>();
  /** The archives adopted images came from: exported as given instead of re-exported from the engine. */
  private readonly tarballs = new Map<BuiltImage, File>();
  private harnessFile?: File;
  private tempDir?: Promise<string>;
  private exported = 0;

  /** `source` is the repository root; `options.repoRoot` is where it was exported locally, if it was. */
  constructor(
    private readonly source: Directory,
    private readonly options: DaggerRuntimeOptions = {},
  ) {}

  /** `dockerBuild` of the spec's context, evaluated now so that a build error surfaces here. */
  async build(spec: BuildSpec): Promise<BuiltImage> {
    const image: BuiltImage = { name: imageName(spec) };
    const container = this.contextDirectory(spec).dockerBuild(dockerBuildOptions(spec));
    try {
      await container.sync();
    } catch (error) {
      throw toBuildError(spec, error);
    }
    this.images.set(image, container);
    return image;
  }

  /**
   * An image built elsewhere (another module's Container, a pulled image, an imported tarball), judged
   * like a built one. With `tarball`, the static checks read that archive as it was given.
   */
  adopt(container: Container, name: string, tarball?: File): BuiltImage {
    const image: BuiltImage = { name };
    this.images.set(image, container);
    if (tarball) this.tarballs.set(image, tarball);
    return image;
  }

  /** The start settings of the image's config, queried at once (no export). */
  async startConfig(image: BuiltImage): Promise<StartConfig> {
    const container = this.container(image);
    try {
      const [user, entrypoint, cmd, workingDir, variables] = await Promise.all([
        container.user(), container.entrypoint(), container.defaultArgs(), container.workdir(), container.envVariables(),
      ]);
      const env = await Promise.all(variables.map(async (v) => `${await v.name()}=${await v.value()}`));
      return { user, entrypoint, cmd, env, workingDir };
    } catch (error) {
      throw toRuntimeError(`reading the config of ${image.name}`, error);
    }
  }

  /** The image as an OCI tarball (gzip layers unless options say zstd; an adopted archive as given) in a temporary folder of the module's runtime container. */
  async exportTarball(image: BuiltImage): Promise<string> {
    const path = join(await this.workDir(), `image-${++this.exported}.tar`);
    const forcedCompression = this.options.layerCompression === "zstd" ? ImageLayerCompression.Zstd : ImageLayerCompression.Gzip;
    const tarball = this.tarballs.get(image) ?? this.container(image).asTarball({ forcedCompression });
    try {
      return await tarball.export(path);
    } catch (error) {
      throw toRuntimeError(`exporting ${image.name} as a tarball`, error);
    }
  }

  /**
   * One harness run: as root with CAP_SYS_ADMIN (insecureRootCapabilities) so the harness can clone the
   * app into its own PID namespace and drop to the image's user, with Docker's default capabilities
   * (the harness's own end at exec); the app argv is in the harness argv,
   * so the image's entrypoint is not applied (withExec ignores it by default).
   */
  async runScenario(image: BuiltImage, scenario: ScenarioSpec): Promise<RunEvidence> {
    const what = `running the ${scenario.kind} scenario in ${image.name}`;
    const ran = withScenarioEnv(this.prepareForHarness(this.container(image)), scenario.env).withExec(
      harnessArgv(scenario, { harness: HARNESS_PATH, out: HARNESS_OUT }),
      { insecureRootCapabilities: true, expect: ReturnType.Any },
    );
    try {
      const [exitCode, stdout, stderr] = await Promise.all([ran.exitCode(), ran.stdout(), ran.stderr()]);
      if (exitCode !== 0) throw harnessFailure(what, exitCode, stderr);
      const [appStdout, appStderr] = await Promise.all([
        ran.file(`${HARNESS_OUT}/app.stdout`).contents(),
        ran.file(`${HARNESS_OUT}/app.stderr`).contents(),
      ]);
      return parseHarnessReport(stdout, appStdout, appStderr);
    } catch (error) {
      throw toRuntimeError(what, error);
    }
  }

  /** Forget the images and remove exported tarballs; safe to call twice. */
  async close(): Promise<void> {
    this.images.clear();
    this.tarballs.clear();
    const dir = this.tempDir;
    this.tempDir = undefined;
    if (dir) await rm(await dir, { recursive: true, force: true });
  }

  /** The Dagger container behind a BuiltImage (for module functions that return it). */
  container(image: BuiltImage): Container {
    const container = this.images.get(image);
    if (!container) throw new RuntimeError(`image '${image.name}' was not built by this DaggerRuntime: build it with build() first`);
    return container;
  }

  private contextDirectory(spec: BuildSpec): Directory {
    const path = contextPath(spec.context, this.options.repoRoot);
    const context = path === "." ? this.source : this.source.directory(path);
    if (!spec.touch) return context;
    const absoluteContext = this.options.repoRoot ? join(this.options.repoRoot, path) : undefined;
    return context.withNewFile(touchPath(spec.touch.path, absoluteContext), spec.touch.content);
  }

  /**
   * Root (the harness needs CAP_SYS_ADMIN; it drops to the app's uid itself), an empty output folder,
   * the harness mounted (not copied, so it is in no layer), and a fresh nonce: without it the engine
   * would serve a cached result of an identical earlier run instead of running the app again.
   */
  private prepareForHarness(container: Container): Container {
    return container
      .withUser("0")
      .withDirectory(HARNESS_OUT, dag.directory())
      .withMountedFile(HARNESS_PATH, this.harness())
      .withMountedFile(NONCE_PATH, dag.file("run-id", randomUUID()));
  }

  private harness(): File {
    this.harnessFile ??= buildHarness(
      this.options.harnessSource ?? dag.currentModule().source().file(HARNESS_SOURCE),
      this.options.harnessBuilderImage ?? DEFAULT_IMAGES.harnessBuilder,
    );
    return this.harnessFile;
  }

  private workDir(): Promise<string> {
    this.tempDir ??= mkdtemp(join(tmpdir(), "prod-image-verify-"));
    return this.tempDir;
  }
}

/**
 * A C compiler and a static libc in whatever the builder image is: Debian's gcc and libc6-dev through
 * apt-get (the default builder, python:3.12-slim, is Debian), or Alpine's build-base through apk.
 */
const INSTALL_COMPILER = [
  "command -v gcc >/dev/null && exit 0",
  "if command -v apt-get >/dev/null; then apt-get update -qq && exec apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null; fi",
  "if command -v apk >/dev/null; then exec apk add --no-cache build-base; fi",
  "echo 'the harness builder image has neither apt-get nor apk: set images.harnessBuilder (verify.yaml) to a Debian or Alpine image' >&2; exit 1",
].join("\n");

/**
 * Compile the PID 1 harness statically, so it runs in any image whatever its libc. The engine caches the
 * result by its inputs (the builder image and the source's content), so it compiles once per version of
 * pid1.c, not once per call.
 */
export function buildHarness(source: File, builderImage: string): File {
  return dag
    .container()
    .from(builderImage)
    .withExec(["sh", "-c", INSTALL_COMPILER])
    .withFile("/build/pid1.c", source)
    .withWorkdir("/build")
    .withExec(["gcc", "-static", "-O2", "-o", "/build/pid1", "pid1.c"])
    .file("/build/pid1");
}

/** Dagger's build-arg list for a record, sorted by name so equal args give equal cache keys. */
export function toBuildArgs(args: Record<string, string>): BuildArg[] {
  return Object.keys(args)
    .sort()
    .map((name) => ({ name, value: args[name] }));
}

/**
 * The options of `Directory.dockerBuild` for a spec; an empty target means the last stage. Build secrets
 * become Dagger Secrets named by their ids, which is how dockerBuild matches them to RUN --mount ids.
 */
export function dockerBuildOptions(spec: BuildSpec): { dockerfile: string; target?: string; buildArgs: BuildArg[]; secrets?: Secret[] } {
  const secrets = Object.keys(spec.secrets ?? {})
    .sort()
    .map((id) => dag.setSecret(id, (spec.secrets as Record<string, string>)[id] as string));
  return {
    dockerfile: spec.dockerfile,
    ...(spec.target ? { target: spec.target } : {}),
    buildArgs: toBuildArgs(spec.buildArgs),
    ...(secrets.length ? { secrets } : {}),
  };
}

/**
 * The context as a relative path inside the source directory: "api" stays "api"; an absolute path
 * must lie under `repoRoot` (where the source was exported). Anything escaping the source is an error.
 */
export function contextPath(context: string, repoRoot?: string): string {
  let rel = context;
  if (isAbsolute(context)) {
    if (!repoRoot) throw new RuntimeError(`build context '${context}' is absolute: give a path relative to the repository root (e.g. "api")`);
    rel = relative(repoRoot, context).split(sep).join("/");
  }
  const normal = posix.normalize(rel || ".").replace(/\/+$/, "") || ".";
  if (normal === ".." || normal.startsWith("../") || posix.isAbsolute(normal)) {
    throw new RuntimeError(`build context '${context}' is outside the source directory: use a folder inside the repository`);
  }
  return normal;
}

/**
 * A touch path relative to the context ("app/main.py"). An absolute one is taken relative to the
 * context's local path when there is one (`absoluteContext`), else its leading "/" is dropped.
 */
export function touchPath(path: string, absoluteContext?: string): string {
  const rel = isAbsolute(path) && absoluteContext ? relative(absoluteContext, path).split(sep).join("/") : path.replace(/^\/+/, "");
  const normal = posix.normalize(rel || ".");
  if (normal === "." || normal === ".." || normal.startsWith("../")) {
    throw new RuntimeError(`touch path '${path}' is not a file inside the build context: give a relative file path`);
  }
  return normal;
}

/** A short, readable name for messages: "api/Dockerfile.prod:runtime", "+ touched" for the cache variant. */
export function imageName(spec: BuildSpec): string {
  const base = `${posix.join(spec.context, spec.dockerfile)}${spec.target ? `:${spec.target}` : ""}`;
  return spec.touch ? `${base} (touched ${spec.touch.path})` : base;
}

/** Add the scenario's environment, in name order (stable cache keys); values are never expanded. */
export function withScenarioEnv(container: Container, env: Record<string, string>): Container {
  return Object.keys(env)
    .sort()
    .reduce((c, name) => c.withEnvVariable(name, env[name]), container);
}

/** The fields of the SDK's ExecError that a message needs. */
interface ExecErrorLike {
  exitCode: number;
  stdout?: string;
  stderr?: string;
}

/**
 * Whether an error is the SDK's ExecError, matched by name and shape: inside a module the SDK is a
 * bundle whose index does not export the ExecError class, so `instanceof` cannot be used there.
 */
export function isExecError(error: unknown): error is ExecErrorLike {
  return error instanceof Error && error.name === "ExecError" && typeof (error as Partial<ExecErrorLike>).exitCode === "number";
}

/**
 * One line for a failed Dagger step. An ExecError (a command's exit code not allowed, e.g. 128-191
 * with ReturnType.Any) carries the command's stderr: its last line usually says why. The command line
 * itself is left out: it may hold values that should not be printed.
 */
export function toRuntimeError(what: string, error: unknown): RuntimeError {
  if (error instanceof RuntimeError) return error;
  if (isExecError(error)) {
    return new RuntimeError(`${what}: a command exited ${error.exitCode}: ${lastLine(error.stderr ?? "") || lastLine(error.stdout ?? "") || "no output"}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RuntimeError(`${what}: ${firstLine(message.trim()).trim() || "unknown Dagger error"}`);
}

/** A failed dockerBuild as the runtimes' shared BuildError: the failing step's last stderr line, or the engine's first. */
export function toBuildError(spec: BuildSpec, error: unknown): BuildError {
  if (isExecError(error)) {
    // Worded as BuildKit ends Docker's message ("...: exit code: 1"), so both runtimes read alike.
    const last = lastLine(error.stderr ?? "");
    return new BuildError(spec, `${last || "a RUN step failed"}: exit code: ${error.exitCode}`, tailLines(error.stderr ?? "", 20));
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BuildError(spec, firstLine(message.trim()).trim() || "unknown Dagger error");
}
