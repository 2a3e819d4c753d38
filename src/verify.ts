/**
 * The orchestration, written once against the Runtime interface: build (and, concurrently, the
 * source-only-change variant for the cache check), export, read with the secret scan in the same pass,
 * run the scenarios, judge every check. DaggerRuntime runs it in the product; DockerRuntime in tests.
 */
import { runChecks, buildReport } from "./checks/run.js";
import type { CacheEvidence, Evidence, Report } from "./checks/types.js";
import type { VerifyConfig } from "./config/schema.js";
import { readLayerIds } from "./image/read.js";
import type { ImageIndex } from "./image/types.js";
import { inspectTarball } from "./inspect.js";
import { resolveBuildSecrets } from "./config/build-secrets.js";
import { readProjectFactsFromDir, type ProjectRead } from "./project/facts.js";
import type { ProjectFacts } from "./project/types.js";
import { missingEnvScenarios, serveScenario } from "./runtime/scenarios.js";
import { UnstartableImageError, type BuildSpec, type BuiltImage, type Runtime, type StartConfig } from "./runtime/types.js";
import { stat } from "node:fs/promises";
import { isAbsolute, posix, relative, resolve, sep } from "node:path";

/** Bad input to verify() (a missing context, Dockerfile or project dir): one line that says what to fix. */
export class VerifyError extends Error {
  override name = "VerifyError";
}

export interface VerifyOptions {
  config: VerifyConfig;
  runtime: Runtime;
  /** Absolute local path of the repository root (config.context, config.project, gitleaks config). */
  repoRoot: string;
  /** Skip the runtime scenarios (static checks and secret scan only). */
  skipRuntime?: boolean;
  /** Skip the second build of the dependency-layer cache check. */
  skipCache?: boolean;
  /** One line per step, for a progress display on stderr. */
  onProgress?: (line: string) => void;
  /** How messages name the repository root (default: its path); the module's is a temporary copy. */
  rootName?: string;
  /** Build secrets id → value, as the module got them (Dagger Secrets); default: verify.yaml buildSecrets, resolved here. */
  buildSecrets?: Record<string, string>;
}

/** Everything, concurrently where independent; the report says what passed and what did not. */
export async function verify(options: VerifyOptions): Promise<Report> {
  const { config, runtime, repoRoot } = options;
  const progress = options.onProgress ?? (() => {});
  const startedAt = new Date();
  const { contextDir, projectDir } = await checkInputs(config, repoRoot, options.rootName ?? repoRoot);
  const buildSecrets = options.buildSecrets ?? (await resolveBuildSecrets(config.buildSecrets, repoRoot));
  const spec: BuildSpec = {
    context: contextDir,
    dockerfile: config.dockerfile,
    target: config.target,
    buildArgs: config.buildArgs,
    secrets: buildSecrets,
  };
  const name = `${config.context}/${config.dockerfile}${config.target ? `:${config.target}` : ""}`;
  progress(`build ${name}`);
  const built = await runtime.build(spec);
  // Started now, awaited last: the variant build reuses the first build's cache.
  const variant = options.skipCache ? undefined : handledLater(touchedVariant(runtime, spec, config, progress));
  return judgeImage({
    ...options,
    buildSecrets,
    built,
    name,
    startedAt,
    projectDir,
    variant,
    cacheSkipped: options.skipCache ? "the second build was skipped on request" : undefined,
    // Repository-relative with forward slashes, as code-scanning UIs expect (SARIF artifact URIs).
    dockerfile: relative(repoRoot, resolve(contextDir, config.dockerfile)).split(sep).join(posix.sep),
  });
}

export interface VerifyBuiltOptions {
  config: VerifyConfig;
  runtime: Runtime;
  /** The image to judge, built elsewhere and handed to the runtime (a Container, a pulled image, a tarball). */
  image: BuiltImage;
  /** Local directory with the project files (pyproject.toml, lock files, requirements); without it no-dev-dependencies skips. */
  projectDir?: string;
  /** Where secrets.gitleaksConfig resolves (default: projectDir, else the working directory). */
  repoRoot?: string;
  /** Skip the runtime scenarios (static checks and secret scan only). */
  skipRuntime?: boolean;
  onProgress?: (line: string) => void;
  /** Build secrets the image was built with (id → value), when known: searched for in the image. */
  buildSecrets?: Record<string, string>;
}

/** Why the cache check cannot judge an image that was built elsewhere. */
export const PREBUILT_CACHE_REASON = "the image was built elsewhere: there is no build context to rebuild with a source-only change; verify the sources for this check";
/** Why no-dev-dependencies cannot judge a prebuilt image when no project files were given. */
export const NO_PROJECT_REASON = "no project files were given: pass the folder with pyproject.toml and its lock, requirements*.txt or Pipfile";

/**
 * An image built elsewhere: every check that needs no sources. The cache check skips (there is nothing
 * to rebuild); no-dev-dependencies judges only when project files are given.
 */
export async function verifyBuilt(options: VerifyBuiltOptions): Promise<Report> {
  const repoRoot = options.repoRoot ?? options.projectDir ?? process.cwd();
  return judgeImage({
    ...options,
    repoRoot,
    built: options.image,
    name: options.image.name,
    startedAt: new Date(),
    variant: undefined,
    cacheSkipped: PREBUILT_CACHE_REASON,
  });
}

interface JudgeInputs {
  config: VerifyConfig;
  runtime: Runtime;
  repoRoot: string;
  built: BuiltImage;
  name: string;
  startedAt: Date;
  skipRuntime?: boolean;
  onProgress?: (line: string) => void;
  /** Without one, no-dev-dependencies skips with NO_PROJECT_REASON. */
  projectDir?: string;
  variant?: ReturnType<typeof touchedVariant>;
  /** Why there is no variant, when there is none. */
  cacheSkipped?: string;
  dockerfile?: string;
  buildSecrets?: Record<string, string>;
}

/** Why build-secret-not-leaked skips: nothing to search for. */
export const NO_BUILD_SECRETS_REASON = "no build secrets were given: set buildSecrets in verify.yaml, or --build-secret through Dagger";

/** Gather the evidence of a built image (scenarios while the tarball is exported, read and scanned), then judge it. */
async function judgeImage(inputs: JudgeInputs): Promise<Report> {
  const { config, runtime, built, repoRoot, variant } = inputs;
  const progress = inputs.onProgress ?? (() => {});
  const notGathered: Evidence["notGathered"] = {};
  const project = inputs.projectDir === undefined ? undefined : handledLater(readProjectFactsFromDir(inputs.projectDir, config.devExtras));
  // The scenarios need only the start settings, which the engine has without an export: they run
  // while the tarball is exported, read and scanned.
  const scenarios = inputs.skipRuntime
    ? undefined
    : handledLater(runtime.startConfig(built).then((start) => runScenarios(runtime, built, config, start, progress, notGathered)));
  progress("export and read the image, scanning every layer for secrets");
  const inspected = await runtime
    .exportTarball(built)
    .then((tarball) => inspectTarball(tarball, { config, repoRoot, buildSecrets: inputs.buildSecrets }))
    .catch(async (error: unknown) => {
      // An image that cannot be exported or read fails verify(), once the scenarios started have ended.
      await scenarios?.catch(() => undefined);
      throw error;
    });
  progress(`read ${inspected.image.layers.length} layers, ${inspected.secrets.length} secret finding(s)`);
  if (inputs.skipRuntime) notGathered.serve = notGathered.missingEnv = "the runtime scenarios were skipped on request";
  if (inputs.cacheSkipped) notGathered.cache = inputs.cacheSkipped;
  if (!project) notGathered.project = NO_PROJECT_REASON;
  if (!inspected.buildSecrets) notGathered.buildSecrets = NO_BUILD_SECRETS_REASON;
  const evidence: Evidence = {
    config,
    image: inspected.image,
    secrets: inspected.secrets,
    scanNotes: inspected.scanNotes,
    project: project && (await projectFacts(project, notGathered)),
    ...(await scenarios),
    cache: variant && (await cacheEvidence(inspected.image, variant)),
    buildSecrets: inspected.buildSecrets,
    notGathered,
  };
  progress("judge");
  const results = runChecks(evidence);
  return buildReport({ image: inputs.name, runtime: runtime.name, dockerfile: inputs.dockerfile, startedAt: inputs.startedAt, results, secrets: inspected.secrets });
}

/**
 * The project facts for the evidence; a directory without Python project metadata is not an error, it
 * leaves the facts out and says why, so no-dev-dependencies skips and every other check still runs.
 */
async function projectFacts(read: Promise<ProjectRead>, notGathered: NonNullable<Evidence["notGathered"]>): Promise<ProjectFacts | undefined> {
  const { facts, missing } = await read;
  if (missing) notGathered.project = missing;
  return facts;
}

/**
 * Mark a promise that is awaited only later as handled now: if it rejects while other steps run, its
 * error is still thrown where it is awaited, instead of an unhandled rejection ending the process.
 */
function handledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** What kind of file system entry `path` is, or undefined when there is none. */
async function kindOf(path: string): Promise<"dir" | "file" | "other" | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  return info.isDirectory() ? "dir" : info.isFile() ? "file" : "other";
}

/**
 * The local inputs, checked before anything is built: a missing context, Dockerfile or project dir is a
 * VerifyError naming the setting to fix, instead of an engine error minutes later.
 */
async function checkInputs(config: VerifyConfig, repoRoot: string, rootName: string): Promise<{ contextDir: string; projectDir: string }> {
  const contextDir = insideRoot(repoRoot, config.context, "build context", "context");
  if ((await kindOf(contextDir)) !== "dir") {
    throw new VerifyError(`build context ${config.context} is not a directory under ${rootName}: set context (verify.yaml) to the folder that holds the Dockerfile`);
  }
  if ((await kindOf(resolve(contextDir, config.dockerfile))) !== "file") {
    throw new VerifyError(`no Dockerfile at ${config.context}/${config.dockerfile}: set dockerfile (verify.yaml) to its path relative to the context ${config.context}`);
  }
  const projectDir = insideRoot(repoRoot, config.project ?? config.context, "project directory", "project");
  if (config.project !== undefined && (await kindOf(projectDir)) !== "dir") {
    throw new VerifyError(`project directory ${config.project} is not a directory under ${rootName}: set project (verify.yaml) to the folder with pyproject.toml, requirements*.txt or Pipfile`);
  }
  return { contextDir, projectDir };
}

/** `path` resolved under the repository root; one that climbs out of it is a VerifyError naming the key. */
function insideRoot(repoRoot: string, path: string, what: string, key: string): string {
  const full = resolve(repoRoot, path);
  const rel = relative(repoRoot, full);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new VerifyError(`${what} ${path} is outside the repository root: set ${key} (verify.yaml) to a folder inside it`);
  }
  return full;
}

async function cacheEvidence(first: ImageIndex, variant: ReturnType<typeof touchedVariant>): Promise<CacheEvidence> {
  const { layers, touched } = await variant;
  return { first, second: { layers }, touched };
}

/** serve, and one missing-env start per required variable, all at once. */
async function runScenarios(
  runtime: Runtime,
  built: BuiltImage,
  config: VerifyConfig,
  start: StartConfig,
  progress: (line: string) => void,
  notGathered: NonNullable<Evidence["notGathered"]>,
): Promise<Pick<Evidence, "serve" | "missingEnv">> {
  const serveSpec = serveScenario(config, start);
  const missing = Object.entries(missingEnvScenarios(config, start));
  progress("run the scenarios: serve, and a start without each required variable");
  try {
    const [serve, ...runs] = await Promise.all([
      runtime.runScenario(built, serveSpec),
      ...missing.map(([, scenario]) => runtime.runScenario(built, scenario)),
    ]);
    progress(`scenarios done: ${1 + runs.length} run(s)`);
    return { serve, missingEnv: Object.fromEntries(missing.map(([name], i) => [name, runs[i]])) };
  } catch (error) {
    // An image whose USER names no passwd entry cannot be started as that user: say so on the skips.
    if (!(error instanceof UnstartableImageError)) throw error;
    notGathered.serve = notGathered.missingEnv = error.message;
    return {};
  }
}

/** Build again with a harmless application change and read that image's layer ids (no layer is streamed). */
async function touchedVariant(runtime: Runtime, spec: BuildSpec, config: VerifyConfig, progress: (line: string) => void) {
  const touch = { path: config.cacheProbeFile, content: "# written by image-verify: a source-only change\n" };
  progress(`build again with a source-only change (${touch.path}) for the cache check`);
  const image = await runtime.build({ ...spec, touch });
  return { layers: await readLayerIds(await runtime.exportTarball(image)), touched: touch.path };
}
