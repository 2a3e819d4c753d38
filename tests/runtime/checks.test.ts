/** The runtime checks, judged on hand-made RunEvidence: no engine. */
import { describe, expect, it } from "vitest";
import { gracefulShutdownCheck } from "../../src/checks/runtime/graceful-shutdown.js";
import { healthEndpointCheck } from "../../src/checks/runtime/health-endpoint.js";
import { runtimeChecks } from "../../src/checks/runtime/index.js";
import { listensAllInterfacesCheck } from "../../src/checks/runtime/listens-all-interfaces.js";
import { missingEnvFailsFastCheck } from "../../src/checks/runtime/missing-env-fails-fast.js";
import { isLogFile, noLogFilesCheck } from "../../src/checks/runtime/no-log-files.js";
import { runtimeUidCheck } from "../../src/checks/runtime/runtime-uid.js";
import { stdoutJsonLogsCheck } from "../../src/checks/runtime/stdout-json-logs.js";
import type { RunEvidence } from "../../src/runtime/types.js";
import { evidence } from "../checks/evidence.js";

const DB = "postgresql://verify:hunter2-secret@127.0.0.1:5432/verify";

/** A healthy, well-behaved serve run; override what a test is about. */
function serve(over: Partial<RunEvidence> = {}): RunEvidence {
  return {
    kind: "serve",
    timeToHealthyMs: 850,
    health: { status: 200, body: '{"status":"ok"}' },
    uids: [1001, 1001, 1001],
    gids: [1001, 1001, 1001],
    nsPid: 1,
    listening: ["0.0.0.0:8000"],
    portAnswered: true,
    signalSent: "SIGTERM",
    exitCode: 0,
    timeToExitMs: 310,
    killed: false,
    filesWritten: [],
    stdout: '{"msg":"started"}\n{"msg":"GET /api/v1/health 200"}\n',
    stderr: "",
    harnessErrors: [],
    ...over,
  };
}

function missing(over: Partial<RunEvidence> = {}): RunEvidence {
  return {
    kind: "missing-env",
    listening: [],
    portAnswered: false,
    exitCode: 1,
    timeToExitMs: 900,
    killed: false,
    filesWritten: [],
    stdout: "",
    stderr: '{"level":"error","msg":"DATABASE_URL is required"}\n',
    harnessErrors: [],
    ...over,
  };
}

const config = { requiredEnv: { DATABASE_URL: DB } };

describe("runtimeChecks", () => {
  it("registers seven checks with unique ids that need runtime evidence", () => {
    expect(runtimeChecks.map((c) => c.id)).toEqual([
      "health-endpoint", "runtime-uid", "listens-all-interfaces", "graceful-shutdown",
      "stdout-json-logs", "no-log-files", "missing-env-fails-fast",
    ]);
    for (const c of runtimeChecks) expect(c.needs.every((n) => n === "serve" || n === "missingEnv")).toBe(true);
  });
});

describe("health-endpoint", () => {
  it("passes with the time to healthy and the body", () => {
    const j = healthEndpointCheck.judge(evidence({ serve: serve(), config }));
    expect(j.verdict).toBe("pass");
    expect(j.evidence).toEqual([
      "GET /api/v1/health on 127.0.0.1:8000 -> 200",
      'body: "{\\"status\\":\\"ok\\"}"',
      "healthy after 850 ms (bound 30000 ms)",
    ]);
  });

  it("fails with the last status and why the wait ended", () => {
    const run = serve({ timeToHealthyMs: undefined, health: { status: 404, body: "x".repeat(300) }, healthError: "no 200 within 30000 ms; last: status 404" });
    const j = healthEndpointCheck.judge(evidence({ serve: run, config }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("/api/v1/health did not answer 200 within 30000 ms (last status 404)");
    expect(j.evidence).toContain("why: no 200 within 30000 ms; last: status 404");
    expect(j.evidence[1]).toBe(`body: "${"x".repeat(120)}..."`);
    expect(j.fix).toMatch(/serve 200 on \/api\/v1\/health/);
  });

  it("fails when the app died before answering", () => {
    const run = serve({ timeToHealthyMs: undefined, health: undefined, signalSent: undefined, exitCode: 1, healthError: "app exited (code 1) before answering 200" });
    const j = healthEndpointCheck.judge(evidence({ serve: run, config }));
    expect(j.verdict).toBe("fail");
    expect(j.evidence).toEqual([
      "GET /api/v1/health on 127.0.0.1:8000: no HTTP answer",
      "why: app exited (code 1) before answering 200",
      "the app exited with code 1",
    ]);
  });
});

describe("runtime-uid", () => {
  it("passes when real, effective and saved UIDs are the expected one", () => {
    const j = runtimeUidCheck.judge(evidence({ serve: serve() }));
    expect(j).toMatchObject({ verdict: "pass", summary: "the app runs as uid 1001" });
    expect(j.evidence[0]).toBe("real/effective/saved UID: 1001/1001/1001");
  });

  it("fails on root, on another UID and when one of the three differs", () => {
    expect(runtimeUidCheck.judge(evidence({ serve: serve({ uids: [0, 0, 0] }) })).summary).toBe("the app runs with root UIDs");
    expect(runtimeUidCheck.judge(evidence({ serve: serve({ uids: [1000, 1000, 1000] }) })).summary).toBe("the app runs as uid 1000/1000/1000, expected 1001");
    expect(runtimeUidCheck.judge(evidence({ serve: serve({ uids: [1001, 1001, 0] }) })).verdict).toBe("fail");
  });

  it("fails when the UID could not be read", () => {
    const j = runtimeUidCheck.judge(evidence({ serve: serve({ uids: undefined, healthError: "app exited (code 1)" }) }));
    expect(j).toMatchObject({ verdict: "fail", evidence: ["app exited (code 1)"] });
  });
});

describe("listens-all-interfaces", () => {
  it("passes on 0.0.0.0 and on [::]", () => {
    expect(listensAllInterfacesCheck.judge(evidence({ serve: serve() })).verdict).toBe("pass");
    expect(listensAllInterfacesCheck.judge(evidence({ serve: serve({ listening: ["[::]:8000"] }) })).verdict).toBe("pass");
  });

  it("fails on loopback only, with the sockets as evidence", () => {
    const j = listensAllInterfacesCheck.judge(evidence({ serve: serve({ listening: ["127.0.0.1:8000", "[::1]:8000", "0.0.0.0:9000"] }) }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("listens only on 127.0.0.1:8000, [::1]:8000: unreachable from outside the container");
    expect(j.evidence).toEqual(["listening: 127.0.0.1:8000, [::1]:8000, 0.0.0.0:9000"]);
  });

  it("fails when nothing listens on the port", () => {
    expect(listensAllInterfacesCheck.judge(evidence({ serve: serve({ listening: [] }) })).summary).toBe("nothing listens on port 8000");
  });
});

describe("graceful-shutdown", () => {
  it("passes on exit 0 within the grace period", () => {
    const j = gracefulShutdownCheck.judge(evidence({ serve: serve() }));
    expect(j).toMatchObject({ verdict: "pass", summary: "exited 0 310 ms after SIGTERM" });
    expect(j.evidence).toEqual(["SIGTERM -> exit 0 after 310 ms", "grace period: 30000 ms"]);
  });

  it("explains a SIGKILL at the limit (137)", () => {
    const j = gracefulShutdownCheck.judge(evidence({ serve: serve({ exitCode: 137, killed: true, timeToExitMs: 30_004 }) }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toContain("ignored SIGTERM or is a shell (shell-form CMD)");
    expect(j.evidence[0]).toBe("SIGTERM -> exit 137 after 30004 ms (SIGKILLed at the limit)");
  });

  it("explains 143 as the default handler", () => {
    const j = gracefulShutdownCheck.judge(evidence({ serve: serve({ exitCode: 143 }) }));
    expect(j.summary).toContain("terminated by the default SIGTERM handler (an init or shell between PID 1 and the app");
  });

  it("fails on another exit code, and when the app was gone before SIGTERM", () => {
    expect(gracefulShutdownCheck.judge(evidence({ serve: serve({ exitCode: 1 }) })).summary).toBe("exit 1 after SIGTERM: the shutdown was not clean");
    const gone = gracefulShutdownCheck.judge(evidence({ serve: serve({ signalSent: undefined, exitCode: 3, timeToExitMs: undefined }) }));
    expect(gone).toMatchObject({ verdict: "fail", summary: "the app was not running when SIGTERM was due (exit 3)" });
  });
});

describe("stdout-json-logs", () => {
  it("passes on JSON lines with the access log", () => {
    const j = stdoutJsonLogsCheck.judge(evidence({ serve: serve() }));
    expect(j.verdict).toBe("pass");
    expect(j.evidence).toEqual(["stdout: 2 lines, 2 JSON objects", "stderr: 0 lines, 0 JSON objects", "access log of /api/v1/health: found"]);
  });

  it("fails on a plain-text line, quoting it with configured values redacted", () => {
    const run = serve({ stdout: `{"msg":"ok /api/v1/health"}\nINFO connecting to ${DB}\n` });
    const j = stdoutJsonLogsCheck.judge(evidence({ serve: run, config }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("stdout has lines that are not JSON objects");
    expect(j.evidence[1]).toMatch(/^first non-JSON stdout line: "INFO connecting to post\*+fy"$/);
    expect(j.evidence.join("\n")).not.toContain("hunter2");
  });

  it("fails on no output, on non-JSON stderr, on JSON that is not an object, and without the access log", () => {
    expect(stdoutJsonLogsCheck.judge(evidence({ serve: serve({ stdout: "" }) })).summary).toBe("nothing logged on stdout");
    expect(stdoutJsonLogsCheck.judge(evidence({ serve: serve({ stderr: "Traceback\n" }) })).summary).toBe("stderr has lines that are not JSON objects");
    expect(stdoutJsonLogsCheck.judge(evidence({ serve: serve({ stdout: "[1,2]\n" }) })).verdict).toBe("fail");
    expect(stdoutJsonLogsCheck.judge(evidence({ serve: serve({ stdout: '{"msg":"started"}\n' }) })).summary).toBe("no access log line for /api/v1/health on stdout");
  });
});

describe("no-log-files", () => {
  it("passes when the app wrote only non-log files", () => {
    expect(noLogFilesCheck.judge(evidence({ serve: serve({ filesWritten: ["/home/app/state.db"] }) })).verdict).toBe("pass");
  });

  it("fails with the paths of log files", () => {
    const j = noLogFilesCheck.judge(evidence({ serve: serve({ filesWritten: ["/app/app.log", "/var/log/api/out", "/home/app/ok.txt"] }) }));
    expect(j.verdict).toBe("fail");
    expect(j.evidence).toEqual(["files written during the run: 3", "log file: /app/app.log", "log file: /var/log/api/out"]);
  });

  it("recognises log file names", () => {
    expect(["/a/x.log", "/a/x.log.1", "/var/log/y", "/a/logs", "/a/LOG"].every(isLogFile)).toBe(true);
    expect(["/a/catalog.json", "/a/login.py", "/a/blog"].some(isLogFile)).toBe(false);
  });
});

describe("missing-env-fails-fast", () => {
  it("passes when every start exits non-zero, quietly and naming the variable", () => {
    const j = missingEnvFailsFastCheck.judge(evidence({ missingEnv: { DATABASE_URL: missing() }, config }));
    expect(j.verdict).toBe("pass");
    expect(j.evidence).toEqual(["without DATABASE_URL: exit 1 after 900 ms; clear"]);
  });

  it("fails per variable with each problem", () => {
    const runs = {
      DATABASE_URL: missing({ exitCode: 137, killed: true, portAnswered: true, stderr: "" }),
      SECRET_KEY: missing({ stderr: "Traceback (most recent call last):\n  KeyError: 'SECRET_KEY'\n" }),
      REDIS_URL: missing({ exitCode: 0, stderr: "REDIS_URL missing, using default\n" }),
    };
    const j = missingEnvFailsFastCheck.judge(evidence({ missingEnv: runs, config }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("does not fail fast and clearly without DATABASE_URL, SECRET_KEY, REDIS_URL");
    expect(j.evidence).toEqual([
      "without DATABASE_URL: exit 137 after 900 ms (SIGKILLed at the limit); still running after 15000 ms; answered on port 8000; output does not name DATABASE_URL",
      "without SECRET_KEY: exit 1 after 900 ms; printed a Python traceback",
      "without REDIS_URL: exit 0 after 900 ms; exited 0 (success)",
    ]);
  });

  it("skips when no variable is required", () => {
    expect(missingEnvFailsFastCheck.judge(evidence({ missingEnv: {} })).verdict).toBe("skip");
  });
});
