/**
 * missing-env-fails-fast: started without a required variable, the app exits non-zero quickly, never
 * serves, and says which variable is missing, without a traceback (a clear message, not a crash).
 */
import type { VerifyConfig } from "../../config/schema.js";
import type { RunEvidence } from "../../runtime/types.js";
import type { Check, Evidence, Judgement } from "../types.js";
import { exitLine } from "./util.js";

const TRACEBACK = "Traceback (most recent call last)";

/** The problems of one run, empty when it failed fast and clearly. */
function problems(name: string, run: RunEvidence, config: VerifyConfig): string[] {
  const out: string[] = [];
  const bound = config.missingEnvTimeoutSeconds * 1000;
  if (run.killed || run.exitCode === undefined) out.push(`still running after ${bound} ms`);
  else if (run.exitCode === 0) out.push("exited 0 (success)");
  if (run.portAnswered) out.push(`answered on port ${config.port}`);
  const output = `${run.stdout}\n${run.stderr}`;
  if (!output.includes(name)) out.push(`output does not name ${name}`);
  if (output.includes(TRACEBACK)) out.push("printed a Python traceback");
  return out;
}

function judge({ missingEnv, config }: Evidence): Judgement {
  if (!missingEnv) throw new Error("missingEnv evidence missing");
  const names = Object.keys(missingEnv);
  if (names.length === 0) return { verdict: "skip", summary: "no required variables configured (requiredEnv)", evidence: [] };
  const evidence: string[] = [];
  const failed: string[] = [];
  for (const name of names) {
    const found = problems(name, missingEnv[name], config);
    evidence.push(`without ${name}: ${exitLine(missingEnv[name])}${found.length ? `; ${found.join("; ")}` : "; clear"}`);
    if (found.length) failed.push(name);
  }
  if (failed.length === 0) {
    return { verdict: "pass", summary: `fails fast and clearly without each of ${names.join(", ")}`, evidence };
  }
  return {
    verdict: "fail",
    summary: `does not fail fast and clearly without ${failed.join(", ")}`,
    evidence,
    fix: "validate settings at start (e.g. pydantic-settings) and exit 1 with a one-line message naming the missing variable",
  };
}

/** The missing-env-fails-fast check. */
export const missingEnvFailsFastCheck: Check = {
  id: "missing-env-fails-fast",
  title: "Fails fast without a required variable",
  severity: "medium",
  needs: ["missingEnv"],
  judge,
};
