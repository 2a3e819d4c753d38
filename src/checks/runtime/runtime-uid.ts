/**
 * runtime-uid: the running app's real, effective and saved UIDs (from /proc/<pid>/status) are all the
 * expected, non-zero UID: what the image config says is what actually runs.
 */
import type { Check, Evidence, Judgement } from "../types.js";

function judge({ serve, config }: Evidence): Judgement {
  if (!serve) throw new Error("serve evidence missing");
  const expected = config.expectedUid;
  const fix = `run the app as uid ${expected}: \`USER ${expected}:${expected}\` in the final stage, and do not switch users at start`;
  if (!serve.uids || serve.uids.length === 0) {
    return {
      verdict: "fail",
      summary: "the app's UID could not be read: it was not running after the health wait",
      evidence: [serve.healthError ?? "no process status read"],
      fix,
    };
  }
  const evidence = [`real/effective/saved UID: ${serve.uids.join("/")}`, `expected: ${expected}`];
  if (serve.gids) evidence.push(`real/effective/saved GID: ${serve.gids.join("/")}`);
  if (serve.uids.every((u) => u === expected && u !== 0)) {
    return { verdict: "pass", summary: `the app runs as uid ${expected}`, evidence };
  }
  const root = serve.uids.includes(0);
  return { verdict: "fail", summary: root ? "the app runs with root UIDs" : `the app runs as uid ${serve.uids.join("/")}, expected ${expected}`, evidence, fix };
}

/** The runtime-uid check. */
export const runtimeUidCheck: Check = {
  id: "runtime-uid",
  title: "App process runs as the expected non-root UID",
  severity: "high",
  needs: ["serve"],
  judge,
};
