/**
 * healthcheck: the image declares an exec-form HEALTHCHECK that probes the configured health path
 * (and port, when it names one), so orchestrators and `docker ps` see the app's real health.
 */
import type { Check, Evidence, Judgement } from "../types.js";
import { maskArgv } from "./describe.js";

/** Ports named in URLs (`http://127.0.0.1:8000/...`, `localhost:8000`) or `--port N` in an argv. */
export function portsIn(argv: string[]): number[] {
  const text = argv.join(" ");
  const ports = [...text.matchAll(/(?:\/\/[^/\s:'"]+|localhost|\d+\.\d+\.\d+\.\d+|\]):(\d{1,5})\b/g)].map((m) => Number(m[1]));
  for (let i = 0; i < argv.length - 1; i++) if (argv[i] === "--port" && /^\d+$/.test(argv[i + 1])) ports.push(Number(argv[i + 1]));
  return [...new Set(ports)];
}

function judge({ image, config }: Evidence): Judgement {
  if (!image) throw new Error("image evidence missing");
  const hc = image.config.healthcheck;
  const url = `http://127.0.0.1:${config.port}${config.healthPath}`;
  const fix = `add HEALTHCHECK CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('${url}', timeout=2)"]`;
  if (!hc || hc.test.length === 0) return { verdict: "fail", summary: "no HEALTHCHECK in the image", evidence: ["config Healthcheck: (not set)"], fix };
  const lines = [`config Healthcheck.Test: ${JSON.stringify(maskArgv(hc.test))}`];
  const [kind, ...argv] = hc.test;
  if (kind === "NONE") return { verdict: "fail", summary: "HEALTHCHECK NONE disables the health check", evidence: lines, fix };
  if (kind === "CMD-SHELL") {
    return { verdict: "fail", summary: "HEALTHCHECK uses the shell form (CMD-SHELL)", evidence: lines, fix: `use the exec form: ${fix.replace("add ", "")}` };
  }
  if (kind !== "CMD" || argv.length === 0) return { verdict: "fail", summary: `HEALTHCHECK test ${JSON.stringify(kind)} is not an exec-form command`, evidence: lines, fix };
  if (!argv.join(" ").includes(config.healthPath)) {
    return { verdict: "fail", summary: `HEALTHCHECK does not probe the health path ${config.healthPath}`, evidence: lines, fix: `probe ${url} (or set healthPath in verify.yaml)` };
  }
  const wrongPorts = portsIn(argv).filter((p) => p !== config.port);
  if (wrongPorts.length > 0) {
    return { verdict: "fail", summary: `HEALTHCHECK probes port ${wrongPorts.join(", ")}, the app listens on ${config.port}`, evidence: lines, fix: `probe ${url} (or set port in verify.yaml)` };
  }
  return { verdict: "pass", summary: `exec-form HEALTHCHECK probes ${config.healthPath}`, evidence: lines };
}

/** The healthcheck check. */
export const healthcheckCheck: Check = {
  id: "healthcheck",
  title: "Exec-form HEALTHCHECK on the health path",
  severity: "medium",
  needs: ["image"],
  judge,
};
