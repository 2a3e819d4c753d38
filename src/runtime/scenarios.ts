/**
 * The runtime scenarios, built from verify.yaml and the image config (entrypoint, cmd, user, env): one
 * "serve" run, and one "missing-env" run per required variable. Pure functions: no engine here, and no
 * layer either: the harness resolves the image's USER from the image's own /etc/passwd and /etc/group
 * as runc would, so the scenarios can start as soon as the config is known, while the layers are read.
 */
import type { VerifyConfig } from "../config/schema.js";
import type { ScenarioSpec, StartConfig } from "./types.js";

function baseSpec(config: VerifyConfig, image: StartConfig): Omit<ScenarioSpec, "kind" | "env"> {
  return {
    user: image.user,
    // As `docker run`: HOME comes from the user's passwd entry unless the image's ENV sets it.
    setHome: !image.env.some((e) => e.startsWith("HOME=")),
    argv: [...image.entrypoint, ...image.cmd],
    workingDir: image.workingDir || "/",
    port: config.port,
    healthPath: config.healthPath,
    healthTimeoutMs: config.healthTimeoutSeconds * 1000,
    graceMs: config.gracePeriodSeconds * 1000,
    exitTimeoutMs: config.missingEnvTimeoutSeconds * 1000,
  };
}

/** Start the app with every required and extra variable, wait for health, then SIGTERM it. */
export function serveScenario(config: VerifyConfig, image: StartConfig): ScenarioSpec {
  return { ...baseSpec(config, image), kind: "serve", env: { ...config.requiredEnv, ...config.extraEnv } };
}

/**
 * One start per required variable, keyed by the variable left out; the others stay set. The variable is
 * also unset inside the harness, so a value baked into the image's ENV cannot mask the missing check.
 */
export function missingEnvScenarios(config: VerifyConfig, image: StartConfig): Record<string, ScenarioSpec> {
  const spec = baseSpec(config, image);
  const out: Record<string, ScenarioSpec> = {};
  for (const name of Object.keys(config.requiredEnv)) {
    const env = { ...config.requiredEnv };
    delete env[name];
    out[name] = { ...spec, kind: "missing-env", env, unsetEnv: [name] };
  }
  return out;
}
