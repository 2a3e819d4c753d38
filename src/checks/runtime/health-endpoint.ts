/**
 * health-endpoint: the app answers 200 on its health path within the configured bound, as a
 * Kubernetes readiness probe would ask it.
 */
import type { Check, Evidence, Judgement } from "../types.js";
import { quote } from "./util.js";

function judge({ serve, config }: Evidence): Judgement {
  if (!serve) throw new Error("serve evidence missing");
  const bound = config.healthTimeoutSeconds * 1000;
  const probe = `GET ${config.healthPath} on 127.0.0.1:${config.port}`;
  const evidence = [serve.health ? `${probe} -> ${serve.health.status}` : `${probe}: no HTTP answer`];
  if (serve.health) evidence.push(`body: ${quote(serve.health.body, config)}`);
  if (serve.health?.status === 200 && serve.timeToHealthyMs !== undefined && serve.timeToHealthyMs <= bound) {
    evidence.push(`healthy after ${serve.timeToHealthyMs} ms (bound ${bound} ms)`);
    return { verdict: "pass", summary: `${config.healthPath} answered 200 after ${serve.timeToHealthyMs} ms`, evidence };
  }
  if (serve.healthError) evidence.push(`why: ${serve.healthError}`);
  if (serve.exitCode !== undefined && serve.signalSent === undefined) evidence.push(`the app exited with code ${serve.exitCode}`);
  return {
    verdict: "fail",
    summary: `${config.healthPath} did not answer 200 within ${bound} ms${serve.health ? ` (last status ${serve.health.status})` : ""}`,
    evidence,
    fix: `serve 200 on ${config.healthPath} at port ${config.port} once ready (or set healthPath/port in verify.yaml); see the app's stderr`,
  };
}

/** The health-endpoint check. */
export const healthEndpointCheck: Check = {
  id: "health-endpoint",
  title: "Health endpoint answers 200",
  severity: "high",
  needs: ["serve"],
  judge,
};
