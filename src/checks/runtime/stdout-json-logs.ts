/**
 * stdout-json-logs: the app logs one JSON object per line on stdout (what log collectors parse), its
 * access log included (a line mentions the health probe's path); stderr is empty or JSON too.
 */
import type { VerifyConfig } from "../../config/schema.js";
import type { Check, Evidence, Judgement } from "../types.js";
import { lines, quote } from "./util.js";

function isJsonObject(line: string): boolean {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** "stdout: 12 lines, 12 JSON" and the first line that is not a JSON object. */
function scan(name: string, text: string, config: VerifyConfig): { ok: boolean; count: number; evidence: string[] } {
  const all = lines(text);
  const bad = all.filter((l) => !isJsonObject(l));
  const evidence = [`${name}: ${all.length} lines, ${all.length - bad.length} JSON objects`];
  if (bad.length) evidence.push(`first non-JSON ${name} line: ${quote(bad[0], config)}`);
  return { ok: bad.length === 0, count: all.length, evidence };
}

function judge({ serve, config }: Evidence): Judgement {
  if (!serve) throw new Error("serve evidence missing");
  const out = scan("stdout", serve.stdout, config);
  const err = scan("stderr", serve.stderr, config);
  const access = lines(serve.stdout).some((l) => l.includes(config.healthPath));
  const evidence = [...out.evidence, ...err.evidence, `access log of ${config.healthPath}: ${access ? "found" : "not found"}`];
  const fix = "log JSON lines to stdout (e.g. a JSON formatter on the root and uvicorn loggers, access log included)";
  if (out.count === 0) return { verdict: "fail", summary: "nothing logged on stdout", evidence, fix };
  if (!out.ok) return { verdict: "fail", summary: "stdout has lines that are not JSON objects", evidence, fix };
  if (!err.ok) return { verdict: "fail", summary: "stderr has lines that are not JSON objects", evidence, fix };
  if (!access) return { verdict: "fail", summary: `no access log line for ${config.healthPath} on stdout`, evidence, fix: "enable the access log (uvicorn --access-log) with the JSON formatter" };
  return { verdict: "pass", summary: `${out.count} stdout lines, all JSON, access log included`, evidence };
}

/** The stdout-json-logs check. */
export const stdoutJsonLogsCheck: Check = {
  id: "stdout-json-logs",
  title: "Logs JSON lines to stdout",
  severity: "medium",
  needs: ["serve"],
  judge,
};
