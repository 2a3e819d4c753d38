/**
 * The broken-image corpus (tests/fixtures/broken/<name>/): each folder is one production image that
 * breaks one promise, built and verified for real through DockerRuntime. Its expect.yaml names the check
 * it must fail and the evidence; every other check must keep the verdict it has on the baseline `good`
 * (no collateral failures, no false passes). Bad-input folders must end with a clear one-line error
 * within their time bound. Adding a case is adding a folder.
 */
import { appendFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Report, Verdict } from "../../src/checks/types.js";
import { renderTable } from "../../src/report/index.js";
import { verify } from "../../src/verify.js";
import { docker, dockerOk, OFFLINE_BASE_IMAGES, uniqueName } from "../support/docker.js";
import { describeWithDocker } from "../support/describe-docker.js";
import { DockerRuntime } from "../support/docker-runtime.js";
import { loadFixtures, type Fixture } from "./expect.js";
import { BASE_DIR, fixtureConfig, limit, resultText, runBadInput, withZstdExport } from "./harness.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FIXTURES = path.join(ROOT, "tests/fixtures/broken");
/** verify() runs at once: each is mostly builds, exports and short container runs on a 2-core engine. */
const PARALLEL = 3;
/** Generous per case, since a case also waits for its turn behind the others. */
const CASE_TIMEOUT_MS = 900_000;

const fixtures = await loadFixtures(FIXTURES);
const baselineFixture = fixtures.find((f) => f.name === "good");

describeWithDocker("broken-image corpus: each fixture fails exactly its check", () => {
  const baseTag = `image-verify-corpus-base:${uniqueName("b")}`;
  let runtime: DockerRuntime;
  const slot = limit(PARALLEL);
  const reports = new Map<string, Promise<Report>>();

  /** verify() of a fixture, started once and shared (the baseline is awaited by every other case). */
  const reportOf = (fixture: Fixture): Promise<Report> => {
    let report = reports.get(fixture.name);
    if (!report) {
      const rt = fixture.expect.recompress === "zstd" ? withZstdExport(runtime) : runtime;
      report = slot(() => verify({ config: fixtureConfig(fixture, ROOT), runtime: rt, repoRoot: ROOT }));
      reports.set(fixture.name, report);
    }
    return report;
  };

  beforeAll(async () => {
    if (!baselineFixture) throw new Error(`${FIXTURES}: no "good" folder: the corpus needs its baseline`);
    await dockerOk(["build", "--network", "host", "--build-arg", `PYTHON_IMAGE=${OFFLINE_BASE_IMAGES.PYTHON_IMAGE}`, "-t", baseTag, path.join(ROOT, BASE_DIR)], 600_000);
    runtime = new DockerRuntime({ buildArgs: { ...OFFLINE_BASE_IMAGES, BASE: baseTag } });
  }, 900_000);

  afterAll(async () => {
    await runtime?.close();
    await docker(["rmi", "-f", baseTag], 60_000);
  }, 120_000);

  it("finds every fixture folder and a valid expect.yaml in each", () => {
    expect(fixtures.length).toBeGreaterThan(1);
    expect(baselineFixture?.expect.fails).toEqual([]);
  });

  for (const fixture of fixtures) {
    const { fails, error } = fixture.expect;
    const title = error !== undefined ? `${fixture.name}: ends with "${error.join(" ... ")}"` : `${fixture.name}: fails ${fails?.join(" + ") || "nothing"}`;
    it.concurrent(title, async () => {
      if (error !== undefined) return assertBadInput(fixture, runtime);
      const [report, baseline] = await Promise.all([reportOf(fixture), reportOf(baselineFixture as Fixture)]);
      await recordSummaries(fixture, report);
      assertVerdicts(fixture, report, baseline);
    }, CASE_TIMEOUT_MS);
  }
});

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
  const expected = { ...verdicts(baseline), ...Object.fromEntries(fails.map((id) => [id, "fail" as Verdict])) };
  expect(verdicts(report), table).toEqual(expected);
  if (fixture.name === "good") expect(Object.values(expected).filter((v) => v !== "pass"), table).toEqual([]);
  for (const [id, substrings] of Object.entries(fixture.expect.evidence)) {
    const text = resultText(report.results.find((r) => r.id === id) ?? { summary: "", evidence: [] } as never);
    for (const s of substrings ?? []) expect(text, `${fixture.name}: evidence of ${id}`).toContain(s);
  }
}

/** A clear one-line error (no stack trace) containing the expected text, within the bound. */
async function assertBadInput(fixture: Fixture, runtime: DockerRuntime): Promise<void> {
  const outcome = await runBadInput(fixture, runtime, ROOT);
  const { error, withinSeconds, run } = fixture.expect;
  for (const part of error ?? []) expect(outcome.message).toContain(part);
  expect(outcome.message.split("\n"), "one line").toHaveLength(1);
  expect(outcome.message).not.toMatch(/\n\s+at |node:internal|\.ts:\d+:\d+/);
  expect(outcome.seconds).toBeLessThan(withinSeconds ?? 0);
  if (run === "inspect-cli") expect(outcome.exitCode).toBe(2);
}
