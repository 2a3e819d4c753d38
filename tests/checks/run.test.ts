import { describe, expect, it } from "vitest";
import { allChecks, capturePaths, imageChecks } from "../../src/checks/index.js";
import { buildReport, runChecks } from "../../src/checks/run.js";
import type { Check } from "../../src/checks/types.js";
import { evidence, group, image, passwd } from "./evidence.js";

describe("runChecks", () => {
  it("skips checks whose evidence was not gathered, naming what is missing", () => {
    const img = image([{ files: ["app/main.py"] }], { user: "1001", cmd: ["uvicorn", "app.main:app"] }, { "etc/passwd": passwd(), "etc/group": group() });
    const results = runChecks(evidence({ image: img, secrets: [] }));
    expect(results.map((r) => r.id)).toEqual(allChecks.map((c) => c.id));
    expect(results.find((r) => r.id === "no-dev-dependencies")).toMatchObject({ verdict: "skip", summary: "not gathered: project" });
    expect(results.find((r) => r.id === "dependency-layer-cache")).toMatchObject({ verdict: "skip", summary: "not gathered: cache" });
    expect(results.find((r) => r.id === "non-root")?.verdict).toBe("pass");
  });

  it("says why a part was not gathered when the orchestration knows", () => {
    const results = runChecks(evidence({ notGathered: { serve: "--skip-runtime was given", missingEnv: "--skip-runtime was given" } }));
    expect(results.find((r) => r.id === "health-endpoint")).toMatchObject({ verdict: "skip", summary: "not gathered: serve (--skip-runtime was given)" });
    expect(results.find((r) => r.id === "missing-env-fails-fast")?.summary).toBe("not gathered: missingEnv (--skip-runtime was given)");
  });

  it("turns a throwing check into a fail, not a crash", () => {
    const boom: Check = { id: "boom", title: "Boom", severity: "low", needs: [], judge: () => { throw new Error("bad\nsecond line"); } };
    const [result] = runChecks(evidence(), [boom]);
    expect(result).toMatchObject({ id: "boom", verdict: "fail", summary: "the check itself failed: bad" });
  });

  it("builds a report that passes only without failures", () => {
    const results = runChecks(evidence({ secrets: [] }), imageChecks);
    const report = buildReport({ image: "x.tar", runtime: "none", startedAt: new Date(0), results, durationMs: 5 });
    expect(report).toMatchObject({ image: "x.tar", runtime: "none", startedAt: "1970-01-01T00:00:00.000Z", durationMs: 5, passed: true, secrets: [] });
    const failed = buildReport({ image: "x", runtime: "none", startedAt: new Date(), results: [{ ...results[0], verdict: "fail" }] });
    expect(failed.passed).toBe(false);
    expect(capturePaths).toEqual(["etc/passwd", "etc/group"]);
  });
});
