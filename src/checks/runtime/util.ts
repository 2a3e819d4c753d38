/**
 * Small helpers shared by the runtime checks: quoting app output safely into evidence lines.
 */
import type { VerifyConfig } from "../../config/schema.js";
import { redact } from "../../secrets/redact.js";

/** Longest piece of app output quoted in an evidence line. */
export const QUOTE_MAX = 120;

/**
 * App output as an evidence line: values the verifier itself passed in (requiredEnv, extraEnv) are
 * redacted, since an app may echo them, then the text is cut to QUOTE_MAX characters.
 */
export function quote(text: string, config: VerifyConfig): string {
  let safe = text;
  for (const value of [...Object.values(config.requiredEnv), ...Object.values(config.extraEnv)]) {
    if (value.length >= 4) safe = safe.split(value).join(redact(value));
  }
  return JSON.stringify(safe.length > QUOTE_MAX ? `${safe.slice(0, QUOTE_MAX)}...` : safe);
}

/** Non-empty lines of captured output. */
export function lines(text: string): string[] {
  return text.split("\n").filter((l) => l.trim() !== "");
}

/** "exit 137 after 2003 ms (SIGKILLed at the limit)", from what the harness saw. */
export function exitLine(run: { exitCode?: number; timeToExitMs?: number; killed: boolean }): string {
  const code = run.exitCode === undefined ? "no exit seen" : `exit ${run.exitCode}`;
  const time = run.timeToExitMs === undefined ? "" : ` after ${run.timeToExitMs} ms`;
  return `${code}${time}${run.killed ? " (SIGKILLed at the limit)" : ""}`;
}
