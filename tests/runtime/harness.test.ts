/** harnessArgv and parseHarnessReport: the contract both runtimes share with src/runtime/harness/pid1.c. */
import { describe, expect, it } from "vitest";
import { harnessArgv, harnessSourceFile, parseHarnessReport } from "../../src/runtime/harness.js";
import { RuntimeError, type ScenarioSpec } from "../../src/runtime/types.js";
import { existsSync } from "node:fs";

const spec: ScenarioSpec = {
  kind: "serve",
  env: { DATABASE_URL: "x" },
  user: "1001:1002",
  setHome: true,
  argv: ["uvicorn", "app.main:app", "--host", "0.0.0.0"],
  workingDir: "/app",
  port: 8000,
  healthPath: "/api/v1/health",
  healthTimeoutMs: 30_000,
  graceMs: 2500.4,
  exitTimeoutMs: 15_000,
};

const report = {
  harness: "pid1/1",
  kind: "serve",
  timeToHealthyMs: 812,
  health: { status: 200, body: '{"status":"ok"}' },
  uids: [1001, 1001, 1001],
  gids: [1001, 1001, 1001],
  nsPid: 1,
  listening: ["0.0.0.0:8000"],
  portAnswered: true,
  signalSent: "SIGTERM",
  exitCode: 0,
  timeToExitMs: 120,
  killed: false,
  filesWritten: [],
  harnessErrors: [],
};

describe("harnessArgv", () => {
  it("puts the harness first, every option, then the app argv after --", () => {
    expect(harnessArgv({ ...spec, unsetEnv: ["SECRET_KEY"] }, { harness: "/.verify/pid1", out: "/.verify/out" })).toEqual([
      "/.verify/pid1", "serve",
      "--user", "1001:1002", "--set-home", "1", "--port", "8000", "--health-path", "/api/v1/health",
      "--health-timeout-ms", "30000", "--grace-ms", "2500", "--exit-timeout-ms", "15000",
      "--workdir", "/app", "--out", "/.verify/out", "--unset", "SECRET_KEY",
      "--", "uvicorn", "app.main:app", "--host", "0.0.0.0",
    ]);
  });

  it("never puts environment values in argv", () => {
    expect(harnessArgv(spec, { harness: "h", out: "o" }).join(" ")).not.toContain("DATABASE_URL");
  });

  it("rejects an image with nothing to run", () => {
    expect(() => harnessArgv({ ...spec, argv: [] }, { harness: "h", out: "o" })).toThrow(/no ENTRYPOINT or CMD/);
  });

  it("points at the C source", () => {
    expect(existsSync(harnessSourceFile())).toBe(true);
  });
});

describe("parseHarnessReport", () => {
  it("reads the report line among engine noise and attaches the app output", () => {
    const stdout = `some engine line\n${JSON.stringify(report)}\n`;
    const ev = parseHarnessReport(stdout, "out\n", "err\n");
    expect(ev).toMatchObject({ kind: "serve", exitCode: 0, nsPid: 1, listening: ["0.0.0.0:8000"], stdout: "out\n", stderr: "err\n" });
    expect(ev).not.toHaveProperty("harness");
  });

  it("fails clearly on output that is not a report, quoting at most 200 characters", () => {
    const noise = "x".repeat(500);
    const err = (() => {
      try {
        parseHarnessReport(noise, "", "");
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(RuntimeError);
    expect(err?.message).toMatch(/^the PID 1 harness printed no report: "x{200}"$/);
  });

  it("names the field of a malformed report", () => {
    const bad = JSON.stringify({ ...report, exitCode: "zero" });
    expect(() => parseHarnessReport(bad, "", "")).toThrow(/malformed at 'exitCode'/);
  });

  it("rejects a truncated JSON line", () => {
    expect(() => parseHarnessReport('{"harness":"pid1/1","kind":', "", "")).toThrow(/not valid JSON/);
  });
});
