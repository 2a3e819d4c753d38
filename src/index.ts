/**
 * prod-image-verify, the Dagger module: proves a Python API's production image is production-ready.
 *
 * Thin on purpose: the constructor holds the source and the settings every function shares; each function
 * reads them with verify.yaml and calls a step of src/module/run.ts. Every judgement lives in shared code
 * that the Docker path runs too.
 */
import { argument, check, Container, dag, Directory, File, func, ImageLayerCompression, object, ReturnType, Secret, Service } from "@dagger.io/dagger";
import type { Report } from "./checks/types.js";
import { renderJson, renderJUnit, renderReport, renderSarif, renderTable, type ReportFormat } from "./report/index.js";
import { failureMessage, healthSummary, secretsMessage } from "./module/messages.js";
import { devImage, hadolint, postgres, PYTEST, RUFF, runTool, shellcheck, typescript } from "./module/pipelines.js";
import {
  buildProduction, importTarball, pullImage, readSettings, runVerify, runVerifyBuilt, serveEvidence, type Prebuilt,
} from "./module/run.js";
import { reportFormat, type ImageOverrides, type SharedSettings } from "./module/settings.js";
import { buildSecretValues } from "./module/build-secrets.js";
import type { VerifyConfig } from "./config/schema.js";
import { lastLine, tailLines } from "./text.js";

/**
 * Loaded from the repository root, minus what no build context should see and what would only make
 * the upload slow. Keep it short: a pattern here hides files from the Dagger build that the Docker
 * path would still send, so the two paths would judge different contexts.
 */
export const SOURCE_IGNORE = [".git", "**/node_modules", "**/.venv", "**/__pycache__", "**/.pytest_cache", "**/.ruff_cache"];

/** Proves a Python API's production image is production-ready: image config, every layer, secrets, PID 1 behaviour. */
@object()
export class ProdImageVerify {
  /** The repository root: holds verify.yaml and the build context. */
  source: Directory;
  context?: string;
  dockerfile?: string;
  target?: string;
  buildArg?: string[];
  buildSecret?: Secret[];
  port?: number;
  healthPath?: string;
  expectedUid?: number;
  gracePeriodSeconds?: number;
  requiredEnv?: string[];
  sizeBudgetMb?: number;

  constructor(
    /** The repository root: holds verify.yaml and the build context (default: this repository). */
    @argument({ defaultPath: "/", ignore: SOURCE_IGNORE }) source: Directory,
    /** Build context relative to the repository root (default: verify.yaml `context`, "api"). */
    context?: string,
    /** Dockerfile relative to the context (default: verify.yaml `dockerfile`, "Dockerfile.prod"). */
    dockerfile?: string,
    /** Build stage; "" means the last stage (default: verify.yaml `target`, "runtime"). */
    target?: string,
    /** Build arguments as NAME=value, added to verify.yaml `buildArgs`. */
    buildArg?: string[],
    /**
     * Build secrets for RUN --mount=type=secret, e.g. env://STRIPE_KEY; each is matched to its id by
     * verify.yaml `buildSecrets` (stripe-key: env:STRIPE_KEY), or by its name. The image is then searched for their values.
     */
    buildSecret?: Secret[],
    /** Port the app listens on (default: verify.yaml `port`, 8000). */
    port?: number,
    /** Health endpoint path (default: verify.yaml `healthPath`, "/api/v1/health"). */
    healthPath?: string,
    /** The UID the app must run as (default: verify.yaml `expectedUid`, 1001). */
    expectedUid?: number,
    /** Seconds from SIGTERM to SIGKILL (default: verify.yaml `gracePeriodSeconds`, 30). */
    gracePeriodSeconds?: number,
    /** Variables the app needs, as NAME=harmless-test-value; replaces verify.yaml `requiredEnv` ("" for none). */
    requiredEnv?: string[],
    /** Size budget of the uncompressed image in MB (default: verify.yaml `sizeBudgetMB`, 400). */
    sizeBudgetMb?: number,
  ) {
    this.source = source;
    this.context = context;
    this.dockerfile = dockerfile;
    this.target = target;
    this.buildArg = buildArg;
    this.buildSecret = buildSecret;
    this.port = port;
    this.healthPath = healthPath;
    this.expectedUid = expectedUid;
    this.gracePeriodSeconds = gracePeriodSeconds;
    this.requiredEnv = requiredEnv;
    this.sizeBudgetMb = sizeBudgetMb;
  }

  /** Build the production stage (verify.yaml `context`, `dockerfile`, `target`) as a container. */
  @func()
  async build(): Promise<Container> {
    const config = await this.config();
    return buildProduction(this.source, config, await this.secrets(config));
  }

  /** The production image as a service, started as in production (its entrypoint as PID 1), for `serve up`. */
  @func()
  async serve(): Promise<Service> {
    const config = await this.config();
    return Object.entries({ ...config.requiredEnv, ...config.extraEnv })
      .reduce((c, [name, value]) => c.withEnvVariable(name, value), await buildProduction(this.source, config, await this.secrets(config)))
      .withExposedPort(config.port)
      .asService({ useEntrypoint: true, noInit: true });
  }

  /** Start the app as PID 1 with the required environment and report how its health endpoint answered (JSON). */
  @func({ cache: "never" })
  async probeHealth(): Promise<string> {
    const config = await this.config();
    const summary = healthSummary(await serveEvidence(this.source, config, await this.secrets(config)));
    if (!summary.healthy) throw new Error(`${config.healthPath} on port ${config.port} never answered 200: ${JSON.stringify(summary)}`);
    return JSON.stringify(summary, null, 2);
  }

  /** Run the serve scenario (health, then SIGTERM, SIGKILL at the grace limit) and return what it observed (JSON). */
  @func({ cache: "never" })
  async stopGracefully(): Promise<string> {
    const config = await this.config();
    return JSON.stringify(await serveEvidence(this.source, config, await this.secrets(config)), null, 2);
  }

  /** The production image as an OCI tarball with gzip layers (`export --path=image.tar` to keep it). */
  @func()
  async exportLayers(): Promise<File> {
    const config = await this.config();
    const container = await buildProduction(this.source, config, await this.secrets(config));
    return container.asTarball({ forcedCompression: ImageLayerCompression.Gzip });
  }

  /** Scan every layer and the image config for secrets; returns the findings (JSON) and fails when there is any. */
  @func()
  async scanSecrets(): Promise<string> {
    const report = await this.runVerify({ skipRuntime: true, skipCache: true });
    if (report.secrets.length > 0) throw new Error(secretsMessage(report.secrets));
    return JSON.stringify(report.secrets, null, 2);
  }

  /** Verify the production image built from the source: every static, secret and runtime check; fails naming each failed check. */
  @func({ cache: "never" })
  @check()
  async verify(
    /** Output format: table, json, junit or sarif. */
    format = "table",
    /** Skip the runtime scenarios (static checks and secret scan only). */
    skipRuntime = false,
    /** Skip the second build of the dependency-layer cache check. */
    skipCache = false,
  ): Promise<string> {
    const chosen = reportFormat(format);
    return outcome(await this.runVerify({ skipRuntime, skipCache }), chosen);
  }

  /** Every check, as report.txt, report.json, report.xml (JUnit) and report.sarif; does not fail on failed checks. */
  @func({ cache: "never" })
  async verifyReports(
    /** Skip the runtime scenarios (static checks and secret scan only). */
    skipRuntime = false,
    /** Skip the second build of the dependency-layer cache check. */
    skipCache = false,
  ): Promise<Directory> {
    return reportFiles(await this.runVerify({ skipRuntime, skipCache }));
  }

  /** Verify a container built elsewhere (e.g. by another module): every check that needs no sources. */
  @func({ cache: "never" })
  async verifyContainer(
    /** The image to verify. */
    container: Container,
    /** Project files (pyproject.toml and its lock, requirements*.txt or Pipfile; a verify.yaml there is read): without them no-dev-dependencies skips. */
    project?: Directory,
    /** Output format: table, json, junit or sarif. */
    format = "table",
    /** Skip the runtime scenarios (static checks and secret scan only). */
    skipRuntime = false,
  ): Promise<string> {
    return this.judgePrebuilt(() => Promise.resolve({ container, name: "the given container" }), project, format, skipRuntime);
  }

  /** Pull a published image and verify it: every check that needs no sources. */
  @func({ cache: "never" })
  async verifyImage(
    /** The image reference, e.g. registry.example.com/team/api:1.4.2. */
    address: string,
    /** User name for a private registry (with registryPassword). */
    registryUsername?: string,
    /** Password or token for a private registry. */
    registryPassword?: Secret,
    /** Project files (as for verify-container): without them no-dev-dependencies skips. */
    project?: Directory,
    /** Output format: table, json, junit or sarif. */
    format = "table",
    /** Skip the runtime scenarios (static checks and secret scan only). */
    skipRuntime = false,
  ): Promise<string> {
    if ((registryUsername === undefined) !== (registryPassword === undefined)) {
      throw new Error("--registry-username and --registry-password go together: give both, or neither for a public image");
    }
    const auth = registryUsername && registryPassword ? { username: registryUsername, secret: registryPassword } : undefined;
    return this.judgePrebuilt(() => pullImage(address, auth), project, format, skipRuntime);
  }

  /** Verify an image tarball (docker save or OCI layout): every check that needs no sources; the archive is read as given. */
  @func({ cache: "never" })
  async verifyTarball(
    /** The image archive, e.g. the output of `docker save`. */
    tarball: File,
    /** Project files (as for verify-container): without them no-dev-dependencies skips. */
    project?: Directory,
    /** Output format: table, json, junit or sarif. */
    format = "table",
    /** Skip the runtime scenarios (static checks and secret scan only). */
    skipRuntime = false,
  ): Promise<string> {
    return this.judgePrebuilt(() => importTarball(tarball), project, format, skipRuntime);
  }

  /** The API's integration tests: pytest in its dev image, against a throwaway PostgreSQL bound as host "db". */
  @func({ cache: "never" })
  @check()
  async testIntegration(
    /** The dev Dockerfile, relative to the context. */
    devDockerfile = "Dockerfile",
    /** Build stage of the dev image; "" means the last stage. */
    devTarget = "",
    /** The PostgreSQL image of the test database (default: verify.yaml `images.postgres`, "postgres:16-alpine"). */
    postgresImage?: string,
    /** The test command, run in the dev image's working directory (default: python -m pytest -q -p no:cacheprovider). */
    cmd?: string[],
  ): Promise<string> {
    const config = await this.config({ postgres: postgresImage });
    const api = this.source.directory(config.context);
    const run = devImage(api, config, devDockerfile, devTarget)
      .withMountedDirectory("tests", api.directory("tests"))
      .withServiceBinding("db", postgres(config.images.postgres))
      .withEnvVariable("DATABASE_URL", "postgresql://verify@db:5432/verify")
      .withExec(cmd ?? PYTEST, { expect: ReturnType.Any });
    const [code, output] = await Promise.all([run.exitCode(), run.combinedOutput()]);
    if (code !== 0) throw new Error(`integration tests failed (exit ${code}): ${lastLine(output)}\n${tailLines(output, 40)}`);
    return output;
  }

  /** Lint, as the Makefile's: ruff (dev image), hadolint, shellcheck, tsc, eslint; fails when any fails. */
  @func()
  @check()
  async lint(
    /** The dev Dockerfile (it installs ruff), relative to the context. */
    devDockerfile = "Dockerfile",
    /** The image hadolint and shellcheck run in (default: verify.yaml `images.lintPython`, "python:3.12-slim"). */
    pythonImage?: string,
    /** The image tsc and eslint run in (default: verify.yaml `images.lintNode`, "node:20-bookworm-slim"). */
    nodeImage?: string,
  ): Promise<string> {
    const config = await this.config({ lintPython: pythonImage, lintNode: nodeImage });
    const results = await Promise.all([
      runTool("ruff", devImage(this.source.directory(config.context), config, devDockerfile, ""), RUFF),
      hadolint(this.source, config.context, config.images.lintPython),
      shellcheck(this.source, config.images.lintPython),
      typescript(this.source, config.images.lintNode),
    ]);
    const text = results.map((r) => `== ${r.tool}: ${r.code === 0 ? "ok" : `exit ${r.code}`}\n${r.output.trim()}`).join("\n\n");
    const failed = results.filter((r) => r.code !== 0).map((r) => r.tool);
    if (failed.length > 0) throw new Error(`lint failed: ${failed.join(", ")}\n${text}`);
    return text;
  }

  /** verify.yaml from the source (else the defaults), then the constructor's settings, then images given as arguments. */
  private config(images?: ImageOverrides): Promise<VerifyConfig> {
    return readSettings(this.source, this.settings(), images);
  }

  /** verify() of the source with the constructor's settings and build secrets. */
  private async runVerify(options: { skipRuntime: boolean; skipCache: boolean }): Promise<Report> {
    const config = await this.config();
    return runVerify(this.source, config, { ...options, buildSecrets: await this.secrets(config) });
  }

  /** A prebuilt image's report: settings from the project's verify.yaml (not the source's), then the constructor's. */
  private async judgePrebuilt(obtain: () => Promise<Prebuilt>, project: Directory | undefined, format: string, skipRuntime: boolean): Promise<string> {
    const chosen = reportFormat(format);
    const config = await readSettings(project, this.settings());
    const buildSecrets = await this.secrets(config);
    return outcome(await runVerifyBuilt(await obtain(), project, config, { skipRuntime, buildSecrets }), chosen);
  }

  /** The build secrets' values by id (the build and the leak canary need them); {} when none were given. */
  private secrets(config: VerifyConfig): Promise<Record<string, string>> {
    return buildSecretValues(this.buildSecret, config.buildSecrets);
  }

  private settings(): SharedSettings {
    const { context, dockerfile, target, buildArg, port, healthPath, expectedUid, gracePeriodSeconds, requiredEnv, sizeBudgetMb } = this;
    return { context, dockerfile, target, buildArg, port, healthPath, expectedUid, gracePeriodSeconds, requiredEnv, sizeBudgetMb };
  }
}

/**
 * The report in the chosen format when every check passed. Otherwise the call fails, and the error is all a
 * caller gets (`dagger --silent` shows no function log): the failed checks first, then the whole report.
 */
function outcome(report: Report, format: ReportFormat): string {
  const output = renderReport(report, format);
  if (report.passed) return output;
  throw new Error(`${failureMessage(report)}\n\n${output}`);
}

/** The four report files, for CI to keep whatever the verdict. */
function reportFiles(report: Report): Directory {
  return dag
    .directory()
    .withNewFile("report.txt", renderTable(report))
    .withNewFile("report.json", renderJson(report))
    .withNewFile("report.xml", renderJUnit(report))
    .withNewFile("report.sarif", renderSarif(report));
}
