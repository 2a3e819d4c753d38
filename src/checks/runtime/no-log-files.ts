/**
 * no-log-files: the app writes no log files inside the container (they fill the writable layer and are
 * lost with the pod); logs belong on stdout.
 */
import type { Check, Evidence, Judgement } from "../types.js";

/** *.log, *.log.1, var/log/**, and files named "log" or "logs". */
export function isLogFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  return /^\/?var\/log\//.test(path) || /\.log(\.\d+)?$/.test(name) || name === "log" || name === "logs";
}

function judge({ serve }: Evidence): Judgement {
  if (!serve) throw new Error("serve evidence missing");
  const logs = serve.filesWritten.filter(isLogFile);
  const evidence = [`files written during the run: ${serve.filesWritten.length}`, ...logs.map((p) => `log file: ${p}`)];
  if (logs.length === 0) return { verdict: "pass", summary: "no log files written", evidence };
  return {
    verdict: "fail",
    summary: `the app wrote ${logs.length} log file(s): ${logs.slice(0, 3).join(", ")}`,
    evidence,
    fix: "remove file handlers (logging.FileHandler, --log-file) and log to stdout",
  };
}

/** The no-log-files check. */
export const noLogFilesCheck: Check = {
  id: "no-log-files",
  title: "Writes no log files",
  severity: "low",
  needs: ["serve"],
  judge,
};
