/**
 * listens-all-interfaces: the app listens on 0.0.0.0 or [::] at its port. Bound to 127.0.0.1 it answers
 * probes from inside the container but no traffic from the pod network.
 */
import type { Check, Evidence, Judgement } from "../types.js";

const ALL = new Set(["0.0.0.0", "[::]"]);

function judge({ serve, config }: Evidence): Judgement {
  if (!serve) throw new Error("serve evidence missing");
  const onPort = serve.listening.filter((s) => s.endsWith(`:${config.port}`));
  const hosts = onPort.map((s) => s.slice(0, s.lastIndexOf(":")));
  const evidence = [`listening: ${serve.listening.length ? serve.listening.join(", ") : "(none)"}`];
  if (hosts.some((h) => ALL.has(h))) {
    return { verdict: "pass", summary: `listens on all interfaces at port ${config.port}`, evidence };
  }
  const summary = onPort.length
    ? `listens only on ${onPort.join(", ")}: unreachable from outside the container`
    : `nothing listens on port ${config.port}`;
  return { verdict: "fail", summary, evidence, fix: `bind to 0.0.0.0 (e.g. uvicorn --host 0.0.0.0 --port ${config.port})` };
}

/** The listens-all-interfaces check. */
export const listensAllInterfacesCheck: Check = {
  id: "listens-all-interfaces",
  title: "Listens on all interfaces",
  severity: "high",
  needs: ["serve"],
  judge,
};
