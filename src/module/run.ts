/**
 * The module functions' steps on the Dagger engine: read verify.yaml from a Directory, build the production
 * image, run verify() or verifyBuilt() through DaggerRuntime. src/index.ts only wires arguments to these.
 */
import { join } from "node:path";
import { dag, type Container, type Directory, type File, type Secret } from "@dagger.io/dagger";
import type { Report } from "../checks/types.js";
import { CONFIG_FILE } from "../config/load.js";
import type { VerifyConfig } from "../config/schema.js";
import { DaggerRuntime, toRuntimeError, type DaggerRuntimeOptions } from "../runtime/dagger.js";
import { serveScenario } from "../runtime/scenarios.js";
import { RuntimeError, type BuildSpec, type RunEvidence } from "../runtime/types.js";
import { verify, verifyBuilt } from "../verify.js";
import { projectReads, verifyReads, withLocalCopy } from "./local-copy.js";
import { mergeSettings, type ImageOverrides, type SharedSettings } from "./settings.js";

/** verify.yaml from `dir` when it holds one (else the defaults), then the shared settings and image arguments. */
export async function readSettings(dir: Directory | undefined, settings: SharedSettings, images?: ImageOverrides): Promise<VerifyConfig> {
  const yaml = dir && (await dir.entries()).includes(CONFIG_FILE) ? { text: await dir.file(CONFIG_FILE).contents(), name: CONFIG_FILE } : undefined;
  return mergeSettings(yaml, settings, images);
}

/** Build secrets id → value, as src/module/build-secrets.ts matched and read them. */
export type SecretValues = Record<string, string>;

/** The BuildSpec of the production image from the config. */
export function productionSpec(config: VerifyConfig, secrets: SecretValues = {}): BuildSpec {
  return { context: config.context, dockerfile: config.dockerfile, target: config.target, buildArgs: config.buildArgs, secrets };
}

/** What DaggerRuntime takes from the config. */
function runtimeOptions(config: VerifyConfig): DaggerRuntimeOptions {
  return { harnessBuilderImage: config.images.harnessBuilder };
}

/** The production image, built now so that a Dockerfile error fails the call with one line. */
export async function buildProduction(source: Directory, config: VerifyConfig, secrets: SecretValues): Promise<Container> {
  const runtime = new DaggerRuntime(source, runtimeOptions(config));
  return runtime.container(await runtime.build(productionSpec(config, secrets)));
}

/** Build, then run the serve scenario from the image's start settings: the steps verify() uses. */
export async function serveEvidence(source: Directory, config: VerifyConfig, secrets: SecretValues): Promise<RunEvidence> {
  const runtime = new DaggerRuntime(source, runtimeOptions(config));
  try {
    const image = await runtime.build(productionSpec(config, secrets));
    return await runtime.runScenario(image, serveScenario(config, await runtime.startConfig(image)));
  } finally {
    await runtime.close();
  }
}

/**
 * verify() through DaggerRuntime. verify() reads the Dockerfile, the project files and a gitleaks config
 * from a local path, so those are exported first (./local-copy.ts) and removed afterwards.
 */
export async function runVerify(
  source: Directory,
  config: VerifyConfig,
  options: { skipRuntime: boolean; skipCache: boolean; buildSecrets: SecretValues },
): Promise<Report> {
  return withLocalCopy(source, verifyReads(config), async (repoRoot) => {
    const runtime = new DaggerRuntime(source, { ...runtimeOptions(config), repoRoot });
    try {
      return await verify({ config, runtime, repoRoot, rootName: "the source directory", ...options, onProgress: progressLog() });
    } finally {
      await runtime.close();
    }
  });
}

/** An image built elsewhere, as the engine holds it; `tarball` is the archive it came from, read as given. */
export interface Prebuilt {
  container: Container;
  name: string;
  tarball?: File;
}

/**
 * verifyBuilt() through DaggerRuntime. `project`, when given, is exported like the source in runVerify:
 * with a verify.yaml in it, its `project` key (default `context`) names the folder with the project
 * files, as for verify; without one, the folder itself is the project.
 */
export async function runVerifyBuilt(
  image: Prebuilt,
  project: Directory | undefined,
  config: VerifyConfig,
  options: { skipRuntime: boolean; buildSecrets: SecretValues },
): Promise<Report> {
  // With a verify.yaml in the folder, its `project` key (default `context`) is where the project files are.
  const hasConfig = project !== undefined && (await project.entries()).includes(CONFIG_FILE);
  const projectPath = hasConfig ? (config.project ?? config.context) : ".";
  const judge = async (local?: string): Promise<Report> => {
    const runtime = new DaggerRuntime(dag.directory(), runtimeOptions(config));
    try {
      const built = runtime.adopt(image.container, image.name, image.tarball);
      const projectDir = local && join(local, projectPath);
      return await verifyBuilt({ config, runtime, image: built, projectDir, repoRoot: local, ...options, onProgress: progressLog() });
    } finally {
      await runtime.close();
    }
  };
  return project ? withLocalCopy(project, projectReads(projectPath, config), judge) : judge();
}

/** A published image, pulled now (with credentials when given) so that a bad address fails with one line. */
export async function pullImage(address: string, auth?: { username: string; secret: Secret }): Promise<Prebuilt> {
  const base = auth ? dag.container().withRegistryAuth(address, auth.username, auth.secret) : dag.container();
  const container = base.from(address);
  try {
    await container.sync();
  } catch (error) {
    const failure = toRuntimeError(`pulling ${address}`, error);
    // The engine's words name the refusal, not what fixes it.
    if (!REFUSED.test(failure.message)) throw failure;
    throw new RuntimeError(`${failure.message}: ${auth ? "check the address, and the credentials given" : "if the registry is private, give --registry-username and --registry-password"}`);
  }
  return { container, name: address };
}

/** How registries (and the engine for them) word a pull that needs, or refused, credentials. */
const REFUSED = /unauthori[sz]ed|authoriz|authenticat|denied|\b401\b|\b403\b/i;

/** An image tarball (docker save or OCI layout), imported for the scenarios and read as given for the static checks. */
export async function importTarball(tarball: File): Promise<Prebuilt> {
  const container = dag.container().import_(tarball);
  const name = await tarball.name();
  try {
    await container.sync();
  } catch (error) {
    throw toRuntimeError(`importing ${name} as an image`, error);
  }
  return { container, name, tarball };
}

/** Each step with the seconds since the call started, so a slow step shows in the call's log. */
function progressLog(): (line: string) => void {
  const started = performance.now();
  return (line) => console.error(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`);
}
