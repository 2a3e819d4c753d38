/**
 * `image-verify inspect <tarball>` (or `--image NAME` from the local Docker engine): the static checks and the
 * secret scan on any image tarball (docker save, skopeo, Dagger export), with no Dagger engine. Exit 0 when
 * nothing fails, 1 when a check fails, 2 on bad input.
 */
import { stat, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { imageChecks } from "./checks/index.js";
import { buildReport, runChecks } from "./checks/run.js";
import type { Evidence, Report } from "./checks/types.js";
import { ConfigError, loadConfigFile } from "./config/load.js";
import { withSavedImage } from "./image/docker-save.js";
import { ImageReadError } from "./image/types.js";
import { inspectTarball } from "./inspect.js";
import { ProjectFactsError, readProjectFactsFromDir } from "./project/facts.js";
import { REPORT_FORMATS, renderReport, type ReportFormat } from "./report/index.js";
import { SecretConfigError } from "./secrets/gitleaks.js";
import { firstLine } from "./text.js";

/** Bad input: printed as `image-verify: <message>` with exit code 2. The message says what to do. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const HELP = `Usage: image-verify inspect <tarball> [options]
       image-verify inspect --image <name> [options]

Runs the static checks and the secret scan on an image tarball (docker save, skopeo, OCI layout, Dagger export),
or on an image of the local Docker engine (saved to a temporary tarball, removed afterwards).

Options:
  --image <name>      an image of the local Docker engine (e.g. myapi:1.4.2) instead of a tarball
  --config <file>     verify.yaml with settings (default: built-in defaults)
  --project <dir>     the Python project (pyproject.toml with uv.lock, poetry.lock or pdm.lock,
                      Pipfile, requirements*.txt) for the dev-dependency check
  --format <format>   table (default), json, junit or sarif
  --output <file>     write the report to a file instead of stdout
  --platform <p>      os/arch[/variant] to pick from a multi-platform image (default linux/amd64)
  -h, --help          show this help

Exit status: 0 all checks pass (warnings allowed), 1 a check failed, 2 bad input.
`;

interface InspectOptions {
  /** A tarball path, or an image of the local Docker engine. */
  tarball?: string;
  image?: string;
  config?: string;
  project?: string;
  format: ReportFormat;
  output?: string;
  platform?: string;
}

/** Parse argv (without node and script); undefined means --help was asked for. */
export function parseCommandLine(argv: string[]): InspectOptions | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string" }, project: { type: "string" }, format: { type: "string" }, image: { type: "string" },
        output: { type: "string" }, platform: { type: "string" }, help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(`${firstLine(error)}: see image-verify --help`);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  const [command, tarball, ...extra] = positionals;
  if (command !== "inspect") throw new UsageError(command ? `unknown command "${command}": use image-verify inspect <tarball>` : "no command: use image-verify inspect <tarball> (or --help)");
  if (!tarball && !values.image) throw new UsageError("no tarball given: use image-verify inspect <tarball>, or --image <name> for an image of the local Docker engine");
  if (tarball && values.image) throw new UsageError(`both a tarball and --image given: pick one`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}": give one tarball`);
  const format = values.format ?? "table";
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}": use one of ${REPORT_FORMATS.join(", ")}`);
  if (values.platform !== undefined && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(values.platform)) {
    throw new UsageError(`bad platform "${values.platform}": use os/arch[/variant], e.g. linux/amd64`);
  }
  return { tarball, image: values.image, config: values.config, project: values.project, format: format as ReportFormat, output: values.output, platform: values.platform };
}

/** A progress line on stderr: rewritten in place on a terminal, else one line every few seconds. */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr, everyMs = 5000): { update(line: string): void; done(): void } {
  // Not a terminal (CI logs): stay quiet for quick scans, then one line every `everyMs`.
  let last = Date.now();
  let shown = false;
  return {
    update(line) {
      const now = Date.now();
      if (stream.isTTY) {
        stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1).padEnd(Math.min(line.length + 10, (stream.columns ?? 80) - 1))}`);
        shown = true;
      } else if (now - last >= everyMs) {
        stream.write(`${line}\n`);
        last = now;
      }
    },
    done() {
      if (shown) stream.write("\r\x1b[K");
    },
  };
}

/** Read the image with the secret scan in the same pass, gather project facts, run the static checks. */
export async function inspect(options: InspectOptions, onProgress?: (line: string) => void): Promise<Report> {
  if (options.image) {
    const image = options.image;
    onProgress?.(`image-verify: docker save ${image}`);
    return withSavedImage(image, (tarball) => inspectFile({ ...options, tarball }, image, onProgress));
  }
  const tarball = options.tarball ?? "";
  const info = await stat(tarball).catch(() => {
    throw new UsageError(`${tarball}: no such file: give the path of an image tarball (docker save, OCI layout)`);
  });
  if (!info.isFile() && !info.isDirectory()) throw new UsageError(`${tarball}: not a file: give the path of an image tarball`);
  return inspectFile({ ...options, tarball }, tarball, onProgress);
}

/** inspect() of a tarball known to exist; `name` is how the report names the image. */
async function inspectFile(options: InspectOptions & { tarball: string }, name: string, onProgress?: (line: string) => void): Promise<Report> {
  const startedAt = new Date();
  const config = await loadConfigFile(options.config);
  const project = options.project ? await readProjectFactsFromDir(options.project, config.devExtras) : { missing: "give --project <dir with pyproject.toml, requirements*.txt or Pipfile>" };
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const { image, secrets, scanNotes } = await inspectTarball(options.tarball, {
    config,
    repoRoot: process.cwd(),
    platform: options.platform,
    onProgress: (p) => onProgress?.(`image-verify: reading layer ${Math.min(p.layerIndex + 1, p.layerCount)}/${p.layerCount}, ${mb(p.bytesRead)} MB`),
  });
  const notGathered: Evidence["notGathered"] = {
    cache: "it needs two builds of the sources, as dagger call verify does",
    ...(project.missing ? { project: project.missing } : {}),
  };
  const evidence: Evidence = { config, image, secrets, scanNotes, project: project.facts, notGathered };
  return buildReport({ image: name, runtime: "none", startedAt, results: runChecks(evidence, imageChecks), secrets });
}

const KNOWN_ERRORS = [UsageError, ConfigError, ImageReadError, ProjectFactsError, SecretConfigError];

/** One line per problem, each `image-verify: ...`; an unexpected error is reported without a stack trace. */
export function errorLines(error: unknown): string[] {
  const known = KNOWN_ERRORS.some((E) => error instanceof E);
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split("\n").filter((l) => l.trim() !== "");
  if (known) return lines.map((l) => `image-verify: ${l}`);
  return [`image-verify: unexpected error: ${lines[0] ?? "unknown"}: please report it with the command you ran`];
}

/** Run the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const options = parseCommandLine(argv);
    if (!options) {
      process.stdout.write(HELP);
      return 0;
    }
    const progress = progressReporter();
    const report = await inspect(options, progress.update).finally(progress.done);
    const text = renderReport(report, options.format);
    if (options.output) {
      await writeFile(options.output, text).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`${options.output}: cannot write the report (${error.code ?? error.message}): check the path`);
      });
    } else process.stdout.write(text);
    return report.passed ? 0 : 1;
  } catch (error) {
    for (const line of errorLines(error)) process.stderr.write(`${line}\n`);
    return 2;
  }
}
