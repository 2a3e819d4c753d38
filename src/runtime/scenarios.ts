/**
 * The runtime scenarios, built from verify.yaml and what the image says (entrypoint, cmd, user, env):
 * one "serve" run, and one "missing-env" run per required variable. Pure functions: no engine here.
 */
import type { VerifyConfig } from "../config/schema.js";
import type { ImageIndex } from "../image/types.js";
import { resolveUser, userFiles } from "../checks/image/non-root.js";
import { RuntimeError, type ScenarioSpec } from "./types.js";

/** Image files the scenarios need; the reader must capture them (same as the non-root check). */
export const scenarioCaptures: string[] = userFiles;

/** The image's user as numeric ids (an empty USER is root), plus its home from etc/passwd. */
export function resolveImageUser(image: ImageIndex): { uid: number; gid: number; home?: string } {
  const passwd = image.captured.get("etc/passwd")?.content;
  const resolved = resolveUser(image.config.user, passwd, image.captured.get("etc/group")?.content);
  if ("error" in resolved) {
    throw new RuntimeError(`cannot run the app as USER ${JSON.stringify(image.config.user)}: ${resolved.error}`);
  }
  return { ...resolved, home: homeOf(resolved.uid, passwd) };
}

function homeOf(uid: number, passwd?: Buffer): string | undefined {
  const row = passwd
    ?.toString("utf8")
    .split("\n")
    .map((line) => line.split(":"))
    .find((f) => f.length >= 6 && f[2] === String(uid));
  return row?.[5] || undefined;
}

/**
 * HOME as `docker run` would set it for the image's user. The harness starts as root, so the engine
 * sets HOME=/root; the app would then write to a directory it cannot use.
 */
function homeEnv(image: ImageIndex, home?: string): Record<string, string> {
  const imageSetsHome = image.config.env.some((e) => e.startsWith("HOME="));
  return home && !imageSetsHome ? { HOME: home } : {};
}

function baseSpec(config: VerifyConfig, image: ImageIndex): Omit<ScenarioSpec, "kind" | "env"> & { home?: string } {
  const user = resolveImageUser(image);
  return {
    uid: user.uid,
    gid: user.gid,
    home: user.home,
    argv: [...image.config.entrypoint, ...image.config.cmd],
    workingDir: image.config.workingDir || "/",
    port: config.port,
    healthPath: config.healthPath,
    healthTimeoutMs: config.healthTimeoutSeconds * 1000,
    graceMs: config.gracePeriodSeconds * 1000,
    exitTimeoutMs: config.missingEnvTimeoutSeconds * 1000,
  };
}

/** Start the app with every required and extra variable, wait for health, then SIGTERM it. */
export function serveScenario(config: VerifyConfig, image: ImageIndex): ScenarioSpec {
  const { home, ...spec } = baseSpec(config, image);
  return { ...spec, kind: "serve", env: { ...homeEnv(image, home), ...config.requiredEnv, ...config.extraEnv } };
}

/**
 * One start per required variable, keyed by the variable left out; the others stay set. The variable is
 * also unset inside the harness, so a value baked into the image's ENV cannot mask the missing check.
 */
export function missingEnvScenarios(config: VerifyConfig, image: ImageIndex): Record<string, ScenarioSpec> {
  const { home, ...spec } = baseSpec(config, image);
  const out: Record<string, ScenarioSpec> = {};
  for (const name of Object.keys(config.requiredEnv)) {
    const env = { ...homeEnv(image, home), ...config.requiredEnv };
    delete env[name];
    out[name] = { ...spec, kind: "missing-env", env, unsetEnv: [name] };
  }
  return out;
}
