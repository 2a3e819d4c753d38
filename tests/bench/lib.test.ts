/**
 * The benchmark's own arithmetic and measuring: medians and spreads, how findings are matched to planted
 * secrets, how a row prints, and that a child's wall time and peak memory are measured for real.
 */
import { describe, expect, it } from "vitest";
import { recall, type PlacedFinding, type PlantedSecret } from "../../bench/lib/findings.js";
import { measureCommand } from "../../bench/lib/measure.js";
import { formatMetric, renderBenchTable, single } from "../../bench/lib/report.js";
import { summarise } from "../../bench/lib/stats.js";

describe("summarise", () => {
  it("gives the median, min and max of odd and even sample counts", () => {
    expect(summarise([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(summarise([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
    expect(() => summarise([])).toThrow("no samples");
  });
});

describe("recall", () => {
  const plant = (id: string, path: string, line: number, layer = 4): PlantedSecret => ({ id, kind: "k", layer, path, line });
  const planted = [plant("a", "app/settings.py", 15), plant("b", "app/settings.py", 18), plant("sa", "opt/sa.json", 5, 3)];
  const at = (path: string, line?: number, layer?: number): PlacedFinding => ({ ruleId: "r", path, line, layer });

  it("matches within one line, at the same layer and path, with or without a leading slash", () => {
    const r = recall([at("/app/settings.py", 16, 4), at("app/settings.py", 18)], planted);
    expect(r.found).toEqual(["a", "b"]);
    expect(r.missed).toEqual(["sa"]);
    expect(r.falseFindings).toEqual([]);
  });

  it("counts any line of a file holding one plant as that plant, but not in a file holding several", () => {
    const r = recall([at("opt/sa.json", 2, 3), at("app/settings.py", 30, 4)], planted);
    expect(r.found).toEqual(["sa"]);
    expect(r.falseFindings).toEqual([at("app/settings.py", 30, 4)]);
  });

  it("calls a finding in another layer or file false", () => {
    const r = recall([at("app/settings.py", 15, 2), at("etc/passwd", 1)], planted);
    expect(r.found).toEqual([]);
    expect(r.falseFindings).toHaveLength(2);
  });
});

describe("report", () => {
  it("prints a median with its spread, and a single value without", () => {
    expect(formatMetric({ label: "throughput", unit: "MB/s", value: { median: 150.04, min: 120.5, max: 160, runs: 3 } })).toBe("throughput 150.0 MB/s (120.5–160.0, 3 runs)");
    expect(formatMetric(single("ratio", 6.12, "x"))).toBe("ratio 6.1x");
  });

  it("marks targets pass, MISS or n/a and counts them", () => {
    const table = renderBenchTable({
      date: "", machine: {}, inputs: [], versions: {},
      rows: [{ group: "G", name: "row", metrics: [], notes: ["a note"], targets: [
        { goal: "fast", actual: "2x", pass: true }, { goal: "faster", actual: "2x", pass: false }, { goal: "vs peer", actual: "peer did not run", pass: undefined },
      ] }],
    });
    expect(table).toBe("G\n  row\n      a note\n      [pass] fast: 2x\n      [MISS] faster: 2x\n      [n/a ] vs peer: peer did not run\n\ntargets: 1 pass, 1 missed, 1 not judged\n");
  });
});

describe("measureCommand", () => {
  it("measures a child's wall time and peak memory", async () => {
    const m = await measureCommand([process.execPath, "-e", "const b = Buffer.alloc(96 * 2 ** 20, 1); setTimeout(() => console.log(b[0]), 200)"], { timeoutMs: 20_000 });
    expect(m.stdout.trim()).toBe("1");
    expect(m.wallMs).toBeGreaterThanOrEqual(200);
    expect(m.peakRssBytes).toBeGreaterThan(96 * 2 ** 20);
  });

  it("fails with one line on a bad exit code and on a timeout, and accepts listed exit codes", async () => {
    await expect(measureCommand([process.execPath, "-e", "console.error('boom'); process.exit(3)"], { timeoutMs: 20_000 })).rejects.toThrow(/exited 3: boom$/);
    await expect(measureCommand([process.execPath, "-e", "process.exit(1)"], { timeoutMs: 20_000, okExitCodes: [0, 1] })).resolves.toMatchObject({ exitCode: 1 });
    await expect(measureCommand([process.execPath, "-e", "setTimeout(() => {}, 60000)"], { timeoutMs: 500 })).rejects.toThrow("did not finish within 0.5 s");
  });
});
