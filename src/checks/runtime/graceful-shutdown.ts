/**
 * graceful-shutdown: on SIGTERM (what `docker stop` and Kubernetes send) PID 1 exits 0 within the grace
 * period, instead of being SIGKILLed mid-request at the limit.
 */
import type { Check, Evidence, Judgement } from "../types.js";
import { exitLine } from "./util.js";

const EXEC_FIX = 'use the exec form (CMD ["uvicorn", ...]) so the app itself is PID 1, and let it handle SIGTERM';

function judge({ serve, config }: Evidence): Judgement {
  if (!serve) throw new Error("serve evidence missing");
  const grace = config.gracePeriodSeconds * 1000;
  const evidence = [`SIGTERM -> ${exitLine(serve)}`, `grace period: ${grace} ms`];
  if (serve.signalSent !== "SIGTERM") {
    return {
      verdict: "fail",
      summary: `the app was not running when SIGTERM was due (${exitLine(serve)})`,
      evidence: [serve.healthError ?? "no SIGTERM sent"],
      fix: "make the app start and stay up (see health-endpoint and the app's stderr)",
    };
  }
  if (serve.exitCode === 0 && !serve.killed && (serve.timeToExitMs ?? Infinity) <= grace) {
    return { verdict: "pass", summary: `exited 0 ${serve.timeToExitMs} ms after SIGTERM`, evidence };
  }
  if (serve.killed || serve.exitCode === 137) {
    return {
      verdict: "fail",
      summary: `SIGKILLed at the ${grace} ms grace limit: PID 1 ignored SIGTERM or is a shell (shell-form CMD)`,
      evidence,
      fix: EXEC_FIX,
    };
  }
  if (serve.exitCode === 143) {
    return {
      verdict: "fail",
      summary: "exit 143: terminated by the default SIGTERM handler (an init or shell between PID 1 and the app, or no graceful handling)",
      evidence,
      fix: `${EXEC_FIX}; do not wrap it in \`uv run\`, tini or a shell`,
    };
  }
  return {
    verdict: "fail",
    summary: `exit ${serve.exitCode} after SIGTERM: the shutdown was not clean`,
    evidence,
    fix: "finish in-flight requests and exit 0 on SIGTERM; see the app's stderr for the error",
  };
}

/** The graceful-shutdown check. */
export const gracefulShutdownCheck: Check = {
  id: "graceful-shutdown",
  title: "Exits 0 on SIGTERM within the grace period",
  severity: "high",
  needs: ["serve"],
  judge,
};
