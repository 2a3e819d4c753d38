/**
 * prod-image-verify, the Dagger module: proves a Python API's production image is production-ready.
 *
 * Thin on purpose: each function reads its arguments and verify.yaml, then calls verify() or one of
 * its steps through DaggerRuntime. Every judgement lives in shared code that the Docker path runs too.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  argument,
  Container,
  check,
  dag,
  Directory,
  File,
  func,
  ImageLayerCompression,
  object,
  ReturnType,
  Service,
} from "@dagger.io/dagger";
import type { Report } from "./checks/types.js";
import { applyOverrides, CONFIG_FILE, parseConfig } from "./config/load.js";
import { defaultConfig, type VerifyConfig } from "./config/schema.js";
import type { ImageName } from "./config/images.js";
import { findingLine } from "./checks/image/no-secrets.js";
import { REPORT_FORMATS, renderJson, renderJUnit, renderReport, renderSarif, renderTable, summaryLine, type ReportFormat } from "./report/index.js";
import { devImage, hadolint, postgres, PYTEST, RUFF, runTool, shellcheck, typescript } from "./module/pipelines.js";
import { lastLine, tailLines } from "./text.js";
import { DaggerRuntime, type DaggerRuntimeOptions } from "./runtime/dagger.js";
import { serveScenario } from "./runtime/scenarios.js";
import type { BuildSpec, RunEvidence } from "./runtime/types.js";
import type { SecretFinding } from "./secrets/types.js";
import { verify } from "./verify.js";

/**
 * Loaded from the repository root, minus what no build context should see and what would only make
 * the upload slow. Keep it short: a pattern here hides files from the Dagger build that the Docker
 * path would still send, so the two paths would judge different contexts.
 */
export const SOURCE_IGNORE = [".git", "**/node_modules", "**/.venv", "**/__pycache__", "**/.pytest_cache", "**/.ruff_cache"];

/** Settings a function argument may override; undefined keeps verify.yaml's value. */
interface Overrides {
  context?: string;
  dockerfile?: string;
  target?: string;
  buildArg?: string[];
  port?: number;
  healthPath?: string;
  expectedUid?: number;
  gracePeriodSeconds?: number;
  sizeBudgetMB?: number;
  /** Images given as arguments; an undefined one keeps verify.yaml's. */
  images?: Partial<Record<ImageName, string | undefined>>;
}

/** Proves a Python API's production image is production-ready: image config, every layer, secrets, PID 1 behaviour. */
@object()
export class ProdImageVerify {
  /** Build the production stage (verify.yaml `context`, `dockerfile`, `target`) as a container. */
  @func()
  async build(
    /** The repository root: holds verify.yaml and the build context. */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** Build context relative to the repository root (default: verify.yaml `context`, "api"). */
    context?: string,
    /** Dockerfile relative to the context (default: verify.yaml `dockerfile`, "Dockerfile.prod"). */
    dockerfile?: string,
    /** Build stage; "" means the last stage (default: verify.yaml `target`, "runtime"). */
    target?: string,
    /** Build arguments as NAME=value, added to verify.yaml `buildArgs`. */
    buildArg?: string[],
  ): Promise<Container> {
    const config = await moduleConfig(source, { context, dockerfile, target, buildArg });
    return (await buildProduction(source, config)).container;
  }

  /** The production image as a service, started as in production (its entrypoint as PID 1), for `serve up`. */
  @func()
  async serve(
    /** The repository root: holds verify.yaml and the build context. */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** Port the app listens on (default: verify.yaml `port`, 8000). */
    port?: number,
    /** Build arguments as NAME=value, added to verify.yaml `buildArgs`. */
    buildArg?: string[],
  ): Promise<Service> {
    const config = await moduleConfig(source, { port, buildArg });
    const { container } = await buildProduction(source, config);
    return Object.entries({ ...config.requiredEnv, ...config.extraEnv })
      .reduce((c, [name, value]) => c.withEnvVariable(name, value), container)
      .withExposedPort(config.port)
      .asService({ useEntrypoint: true, noInit: true });
  }

  /** Start the app as PID 1 with the required environment and report how its health endpoint answered (JSON). */
  @func({ cache: "never" })
  async probeHealth(
    /** The repository root: holds verify.yaml and the build context. */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** Port the app listens on (default: verify.yaml `port`). */
    port?: number,
    /** Health endpoint path (default: verify.yaml `healthPath`). */
    healthPath?: string,
    /** Build arguments as NAME=value, added to verify.yaml `buildArgs`. */
    buildArg?: string[],
  ): Promise<string> {
    const config = await moduleConfig(source, { port, healthPath, buildArg });
    const evidence = await serveEvidence(source, config);
    const summary = healthSummary(evidence);
    if (evidence.timeToHealthyMs === undefined) {
      throw new Error(`${config.healthPath} on port ${config.port} never answered 200: ${JSON.stringify(summary)}`);
    }
    return JSON.stringify(summary, null, 2);
  }

  /** Run the serve scenario (health, then SIGTERM, SIGKILL at the grace limit) and return what it observed (JSON). */
  @func({ cache: "never" })
  async stopGracefully(
    /** The repository root: holds verify.yaml and the build context. */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** Build arguments as NAME=value, added to verify.yaml `buildArgs`. */
    buildArg?: string[],
  ): Promise<string> {
    const config = await moduleConfig(source, { buildArg });
    return JSON.stringify(await serveEvidence(source, config), null, 2);
  }

  /** The production image as an OCI tarball with gzip layers (`export --path=image.tar` to keep it). */
  @func()
  async exportLayers(
    /** The repository root: holds verify.yaml and the build context. */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** Build arguments as NAME=value, added to verify.yaml `buildArgs`. */
    buildArg?: string[],
  ): Promise<File> {
    const config = await moduleConfig(source, { buildArg });
    const { container } = await buildProduction(source, config);
    return container.asTarball({ forcedCompression: ImageLayerCompression.Gzip });
  }

  /** Scan every layer and the image config for secrets; returns the findings (JSON) and fails when there is any. */
  @func()
  async scanSecrets(
    /** The repository root: holds verify.yaml (secret rules, allowlists) and the build context. */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** Build arguments as NAME=value, added to verify.yaml `buildArgs`. */
    buildArg?: string[],
  ): Promise<string> {
    const config = await moduleConfig(source, { buildArg });
    const report = await runVerify(source, config, { skipRuntime: true, skipCache: true });
    if (report.secrets.length > 0) throw new Error(secretsMessage(report.secrets));
    return JSON.stringify(report.secrets, null, 2);
  }

  /**
   * Verify the production image: every static, secret and runtime check. Returns the report; fails
   * naming each failed check, then the whole report. Also `dagger check verify`.
   */
  @func({ cache: "never" })
  @check()
  async verify(
    /** The repository root: holds verify.yaml and the build context. */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** Output format: table, json, junit or sarif. */
    format = "table",
    /** Skip the runtime scenarios (static checks and secret scan only). */
    skipRuntime = false,
    /** Skip the second build of the dependency-layer cache check. */
    skipCache = false,
    /** Build arguments as NAME=value, added to verify.yaml `buildArgs`. */
    buildArg?: string[],
    /** Build context relative to the repository root (default: verify.yaml `context`, "api"). */
    context?: string,
    /** Dockerfile relative to the context (default: verify.yaml `dockerfile`, "Dockerfile.prod"). */
    dockerfile?: string,
    /** Build stage; "" means the last stage (default: verify.yaml `target`, "runtime"). */
    target?: string,
    /** Port the app listens on (default: verify.yaml `port`, 8000). */
    port?: number,
    /** Health endpoint path (default: verify.yaml `healthPath`, "/api/v1/health"). */
    healthPath?: string,
    /** The UID the app must run as (default: verify.yaml `expectedUid`, 1001). */
    expectedUid?: number,
    /** Seconds from SIGTERM to SIGKILL (default: verify.yaml `gracePeriodSeconds`, 30). */
    gracePeriodSeconds?: number,
    /** Size budget of the uncompressed image in MB (default: verify.yaml `sizeBudgetMB`, 400). */
    sizeBudgetMb?: number,
  ): Promise<string> {
    const chosen = reportFormat(format);
    const config = await moduleConfig(source, {
      buildArg,
      context,
      dockerfile,
      target,
      port,
      healthPath,
      expectedUid,
      gracePeriodSeconds,
      sizeBudgetMB: sizeBudgetMb,
    });
    const report = await runVerify(source, config, { skipRuntime, skipCache });
    const output = renderReport(report, chosen);
    if (report.passed) return output;
    // The error is all a caller gets on failure (`dagger --silent` shows no function log): it starts with
    // the failed checks, then carries the whole report in the chosen format.
    throw new Error(`${failureMessage(report)}\n\n${output}`);
  }

  /** Every check, as report.txt, report.json, report.xml (JUnit) and report.sarif; does not fail on failed checks. */
  @func({ cache: "never" })
  async verifyReports(
    /** The repository root: holds verify.yaml and the build context. */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** Skip the runtime scenarios (static checks and secret scan only). */
    skipRuntime = false,
    /** Skip the second build of the dependency-layer cache check. */
    skipCache = false,
    /** Build arguments as NAME=value, added to verify.yaml `buildArgs`. */
    buildArg?: string[],
  ): Promise<Directory> {
    const config = await moduleConfig(source, { buildArg });
    const report = await runVerify(source, config, { skipRuntime, skipCache });
    return dag
      .directory()
      .withNewFile("report.txt", renderTable(report))
      .withNewFile("report.json", renderJson(report))
      .withNewFile("report.xml", renderJUnit(report))
      .withNewFile("report.sarif", renderSarif(report));
  }

  /** The API's integration tests: pytest in its dev image, against a throwaway PostgreSQL bound as host "db". Also `dagger check test-integration`. */
  @func({ cache: "never" })
  @check()
  async testIntegration(
    /** The repository root: holds verify.yaml and the build context. */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** The dev Dockerfile, relative to the context. */
    dockerfile = "Dockerfile",
    /** Build stage of the dev image; "" means the last stage. */
    target = "",
    /** The PostgreSQL image of the test database (default: verify.yaml `images.postgres`, "postgres:16-alpine"). */
    postgresImage?: string,
    /** The test command, run in the dev image's working directory (default: python -m pytest -q -p no:cacheprovider). */
    cmd?: string[],
  ): Promise<string> {
    const config = await moduleConfig(source, { images: { postgres: postgresImage } });
    const api = source.directory(config.context);
    const run = devImage(api, config, dockerfile, target)
      .withMountedDirectory("tests", api.directory("tests"))
      .withServiceBinding("db", postgres(config.images.postgres))
      .withEnvVariable("DATABASE_URL", "postgresql://verify@db:5432/verify")
      .withExec(cmd ?? PYTEST, { expect: ReturnType.Any });
    const [code, output] = await Promise.all([run.exitCode(), run.combinedOutput()]);
    if (code !== 0) throw new Error(`integration tests failed (exit ${code}): ${lastLine(output)}\n${tailLines(output, 40)}`);
    return output;
  }

  /** Lint, as the Makefile's: ruff (dev image), hadolint, shellcheck, tsc, eslint; fails when any fails. Also `dagger check lint`. */
  @func()
  @check()
  async lint(
    /** The repository root. */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** The dev Dockerfile (it installs ruff), relative to the context. */
    dockerfile = "Dockerfile",
    /** The image hadolint and shellcheck run in (default: verify.yaml `images.lintPython`, "python:3.12-slim"). */
    pythonImage?: string,
    /** The image tsc and eslint run in (default: verify.yaml `images.lintNode`, "node:20-bookworm-slim"). */
    nodeImage?: string,
  ): Promise<string> {
    const { context, images, ...config } = await moduleConfig(source, { images: { lintPython: pythonImage, lintNode: nodeImage } });
    const results = await Promise.all([
      runTool("ruff", devImage(source.directory(context), { ...config, context, images }, dockerfile, ""), RUFF),
      hadolint(source, context, images.lintPython),
      shellcheck(source, images.lintPython),
      typescript(source, images.lintNode),
    ]);
    const text = results.map((r) => `== ${r.tool}: ${r.code === 0 ? "ok" : `exit ${r.code}`}\n${r.output.trim()}`).join("\n\n");
    const failed = results.filter((r) => r.code !== 0).map((r) => r.tool);
    if (failed.length > 0) throw new Error(`lint failed: ${failed.join(", ")}\n${text}`);
    return text;
  }
}

/** verify.yaml from the source root when present (else the defaults), then the function's arguments. */
async function moduleConfig(source: Directory, overrides: Overrides): Promise<VerifyConfig> {
  const base = (await source.entries()).includes(CONFIG_FILE)
    ? parseConfig(await source.file(CONFIG_FILE).contents(), CONFIG_FILE)
    : defaultConfig();
  const { buildArg, images, ...rest } = overrides;
  const buildArgs = buildArg ? { ...base.buildArgs, ...parseBuildArgs(buildArg) } : undefined;
  const given = Object.fromEntries(Object.entries(images ?? {}).filter(([, image]) => image !== undefined));
  return applyOverrides(base, { ...rest, buildArgs, images: { ...base.images, ...given } });
}

/** `NAME=value` strings as a record; a malformed one is a one-line error naming it. */
export function parseBuildArgs(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new Error(`--build-arg '${item.split("=")[0]}': write it as NAME=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** The BuildSpec of the production image from the config. */
export function productionSpec(config: VerifyConfig): BuildSpec {
  return { context: config.context, dockerfile: config.dockerfile, target: config.target, buildArgs: config.buildArgs };
}

/** What DaggerRuntime takes from the config. */
function runtimeOptions(config: VerifyConfig): DaggerRuntimeOptions {
  return { harnessBuilderImage: config.images.harnessBuilder };
}

async function buildProduction(source: Directory, config: VerifyConfig): Promise<{ container: Container }> {
  const runtime = new DaggerRuntime(source, runtimeOptions(config));
  const image = await runtime.build(productionSpec(config));
  return { container: runtime.container(image) };
}

/** Build, then run the serve scenario from the image's start settings: the steps verify() uses. */
async function serveEvidence(source: Directory, config: VerifyConfig): Promise<RunEvidence> {
  const runtime = new DaggerRuntime(source, runtimeOptions(config));
  try {
    const image = await runtime.build(productionSpec(config));
    return await runtime.runScenario(image, serveScenario(config, await runtime.startConfig(image)));
  } finally {
    await runtime.close();
  }
}

/**
 * verify() through DaggerRuntime. verify() reads pyproject.toml, uv.lock and a gitleaks config from a
 * local path, so the source is exported first into the module's runtime container (Directory.export
 * inside a function writes there, not to the caller's host) and removed afterwards.
 */
async function runVerify(
  source: Directory,
  config: VerifyConfig,
  options: { skipRuntime: boolean; skipCache: boolean },
): Promise<Report> {
  const repoRoot = await source.export(await mkdtemp(join(tmpdir(), "prod-image-verify-src-")));
  const runtime = new DaggerRuntime(source, { ...runtimeOptions(config), repoRoot });
  try {
    const started = performance.now();
    // Each step with the seconds since the function started, so a slow step shows in the call's log.
    const onProgress = (line: string) => console.error(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${line}`);
    return await verify({ config, runtime, repoRoot, rootName: "the source directory", ...options, onProgress });
  } finally {
    await runtime.close();
    await rm(repoRoot, { recursive: true, force: true });
  }
}

/** A `--format` value checked against the report formats; an unknown one is a one-line error listing them. */
export function reportFormat(format: string): ReportFormat {
  const chosen = REPORT_FORMATS.find((f) => f === format.toLowerCase());
  if (!chosen) throw new Error(`--format '${format}' is not one of ${REPORT_FORMATS.join(", ")}: pick one of those`);
  return chosen;
}

/** The error of a failed verify: the count line, then one line per failed check. */
export function failureMessage(report: Report): string {
  const failed = report.results.filter((r) => r.verdict === "fail");
  const lines = failed.map((r) => `FAIL ${r.id} (${r.severity}): ${r.summary}`);
  return [`${report.image}: ${summaryLine(report)}`, ...lines].join("\n");
}

/** The error of scan-secrets: one line per finding (the shared format: redacted values only). */
export function secretsMessage(findings: SecretFinding[]): string {
  return [`${findings.length} secret(s) found in the image:`, ...findings.map(findingLine)].join("\n");
}

/** The health part of the serve evidence, short enough for a terminal. */
export function healthSummary(evidence: RunEvidence): Record<string, unknown> {
  return {
    healthy: evidence.timeToHealthyMs !== undefined,
    timeToHealthyMs: evidence.timeToHealthyMs,
    status: evidence.health?.status,
    body: evidence.health?.body.slice(0, 200),
    healthError: evidence.healthError,
    listening: evidence.listening,
    uids: evidence.uids,
  };
}
