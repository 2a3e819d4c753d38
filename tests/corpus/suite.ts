/**
 * The broken-image corpus suite, written once and run on each engine: tests/corpus/corpus.test.ts
 * through DockerRuntime, tests/dagger/corpus-client.test.ts through DaggerRuntime. Each fixture folder
 * (tests/fixtures/broken/<name>/) is one production image that breaks one promise; its expect.yaml names
 * the check it must fail and the evidence; every other check must keep the verdict it has on the
 * baseline `good` (no collateral failures, no false passes), and `good` passes everything. So every
 * fixture gets the same verdict for every check on both engines. Each image is also judged as a prebuilt
 * one (verifyBuilt, what the module's verify-container runs), which must give the same verdicts but for
 * the cache check, which needs the sources. Bad-input folders must end with a
 * clear one-line error within their time bound. Adding a case is adding a folder.
 */
import { appendFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Report, Verdict } from "../../src/checks/types.js";
import { renderTable } from "../../src/report/index.js";
import type { BuiltImage, Runtime } from "../../src/runtime/types.js";
import { verify, verifyBuilt } from "../../src/verify.js";
import { resolveBuildSecrets } from "../../src/config/build-secrets.js";
import { loadFixtures, type Fixture } from "./expect.js";
import { fixtureConfig, limit, resultText, runBadInput } from "./harness.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURES = path.join(ROOT, "tests/fixtures/broken");
/** verify() runs at once: each is mostly builds, exports and short container runs on a 2-core engine. */
const PARALLEL = 3;
/** Generous per case, since a case also waits for its turn behind the others. */
const CASE_TIMEOUT_MS = 900_000;

/**
 * What a suite runs on: the runtime, one that exports zstd layers (for the fixtures whose expect.yaml
 * says `recompress: zstd`), the build args every fixture gets (BASE, UV_IMAGE), and a cleanup.
 */
export interface CorpusEngine {
  runtime: Runtime;
  zstdRuntime: Runtime;
  buildArgs: Record<string, string>;
  close(): Promise<void>;
  /** The built image handed over as one built elsewhere (DaggerRuntime.adopt of its Container); default: as it is. */
  adopt?(runtime: Runtime, image: BuiltImage): BuiltImage;
}

const fixtures = await loadFixtures(FIXTURES);
const baselineFixture = fixtures.find((f) => f.name === "good");

/** The cases, inside the caller's describe; `open` starts the engine once for all of them. */
export function corpusCases(open: () => Promise<CorpusEngine>): void {
  let engine: CorpusEngine | undefined;
  const slot = limit(PARALLEL);
  const reports = new Map<string, Promise<Report>>();
  const configOf = (fixture: Fixture) => {
    const config = fixtureConfig(fixture, ROOT);
    return { ...config, buildArgs: { ...engine?.buildArgs, ...config.buildArgs } };
  };

  const runtimeOf = (fixture: Fixture): Runtime => (fixture.expect.recompress === "zstd" ? engine?.zstdRuntime : engine?.runtime) as Runtime;

  /** verify() of a fixture, started once and shared (the baseline is awaited by every other case). */
  const reportOf = (fixture: Fixture): Promise<Report> => {
    let report = reports.get(fixture.name);
    if (!report) {
      const runtime = runtimeOf(fixture);
      report = slot(() => verify({ config: configOf(fixture), runtime, repoRoot: ROOT }));
      reports.set(fixture.name, report);
    }
    return report;
  };

  /** The same image judged as a prebuilt one, with the fixture project's files (as verify-container --project). */
  const prebuiltReportOf = (fixture: Fixture): Promise<Report> =>
    slot(async () => {
      const runtime = runtimeOf(fixture);
      const config = configOf(fixture);
      const buildSecrets = await resolveBuildSecrets(config.buildSecrets, ROOT);
      const spec = { context: path.join(ROOT, config.context), dockerfile: config.dockerfile, target: config.target, buildArgs: config.buildArgs, secrets: buildSecrets };
      const built = await runtime.build(spec);
      const image = engine?.adopt?.(runtime, built) ?? built;
      return verifyBuilt({ config, runtime, image, projectDir: path.join(ROOT, config.project ?? config.context), repoRoot: ROOT, buildSecrets });
    });

  beforeAll(async () => {
    if (!baselineFixture) throw new Error(`${FIXTURES}: no "good" folder: the corpus needs its baseline`);
    engine = await open();
  }, 900_000);

  afterAll(async () => {
    await engine?.close();
  }, 120_000);

  it("finds every fixture folder and a valid expect.yaml in each", () => {
    expect(fixtures.length).toBeGreaterThan(1);
    expect(baselineFixture?.expect.fails).toEqual([]);
  });

  for (const fixture of fixtures) {
    const { fails, error } = fixture.expect;
    const title = error !== undefined ? `${fixture.name}: ends with "${error.join(" ... ")}"` : `${fixture.name}: fails ${fails?.join(" + ") || "nothing"}`;
    it.concurrent(title, async () => {
      if (error !== undefined) return assertBadInput(fixture, engine as CorpusEngine);
      const [report, baseline] = await Promise.all([reportOf(fixture), reportOf(baselineFixture as Fixture)]);
      await recordSummaries(fixture, report);
      assertVerdicts(fixture, report, baseline);
      assertPrebuiltVerdicts(fixture, report, await prebuiltReportOf(fixture));
    }, CASE_TIMEOUT_MS);
  }
}

/**
 * With CORPUS_SUMMARIES=<file>, append each fixture's failing summaries as JSON lines: the source of the
 * "what a user sees" column of docs/failure-modes.md. Summaries hold redacted values only.
 */
async function recordSummaries(fixture: Fixture, report: Report): Promise<void> {
  const file = process.env.CORPUS_SUMMARIES;
  if (!file) return;
  const failed = report.results.filter((r) => r.verdict === "fail").map((r) => ({ id: r.id, summary: r.summary }));
  await appendFile(file, `${JSON.stringify({ fixture: fixture.name, description: fixture.expect.description, failed })}\n`);
}

/** The expected checks fail with their evidence; every other check has its baseline verdict. */
function assertVerdicts(fixture: Fixture, report: Report, baseline: Report): void {
  const table = `${fixture.name}: ${fixture.expect.description}\n${renderTable(report)}`;
  const fails = fixture.expect.fails ?? [];
  const verdicts = (r: Report): Record<string, Verdict> => Object.fromEntries(r.results.map((c) => [c.id, c.verdict]));
  const expected = {
    ...verdicts(baseline),
    ...Object.fromEntries(fails.map((id) => [id, "fail" as Verdict])),
    ...Object.fromEntries(fixture.expect.skips.map((id) => [id, "skip" as Verdict])),
  };
  expect(verdicts(report), table).toEqual(expected);
  if (fixture.name === "good") expect(Object.values(expected).filter((v) => v !== "pass"), table).toEqual([]);
  const evidence = [...Object.entries(fixture.expect.evidence), ...Object.entries(fixture.expect.evidenceOn[report.runtime as "docker" | "dagger"] ?? {})];
  for (const [id, substrings] of evidence) {
    const text = resultText(report.results.find((r) => r.id === id) ?? { summary: "", evidence: [] } as never);
    for (const s of substrings ?? []) expect(text, `${fixture.name}: evidence of ${id}`).toContain(s);
  }
}

/** Judged as a prebuilt image: every verdict as through verify(), but the cache check skips, saying why. */
function assertPrebuiltVerdicts(fixture: Fixture, report: Report, prebuilt: Report): void {
  const verdicts = (r: Report): Record<string, Verdict> => Object.fromEntries(r.results.map((c) => [c.id, c.verdict]));
  const expected = { ...verdicts(report), "dependency-layer-cache": "skip" as Verdict };
  expect(verdicts(prebuilt), `${fixture.name} as a prebuilt image\n${renderTable(prebuilt)}`).toEqual(expected);
  expect(prebuilt.results.find((r) => r.id === "dependency-layer-cache")?.summary).toContain("the image was built elsewhere");
}

/** A clear one-line error (no stack trace) containing the expected text, within the bound. */
async function assertBadInput(fixture: Fixture, engine: CorpusEngine): Promise<void> {
  const outcome = await runBadInput(fixture, engine.runtime, ROOT, engine.buildArgs);
  const { error, withinSeconds, run } = fixture.expect;
  for (const part of error ?? []) expect(outcome.message).toContain(part);
  expect(outcome.message.split("\n"), "one line").toHaveLength(1);
  expect(outcome.message).not.toMatch(/\n\s+at |node:internal|\.ts:\d+:\d+/);
  expect(outcome.seconds).toBeLessThan(withinSeconds ?? 0);
  if (run === "inspect-cli") expect(outcome.exitCode).toBe(2);
}
