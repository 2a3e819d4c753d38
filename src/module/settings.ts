/**
 * The module's settings: what its constructor takes (shared by every function), merged over verify.yaml.
 * Pure: no Dagger calls, so the merge rules are tested without an engine.
 */
import { applyOverrides, parseConfig } from "../config/load.js";
import type { ImageName } from "../config/images.js";
import { defaultConfig, type VerifyConfig } from "../config/schema.js";
import { REPORT_FORMATS, type ReportFormat } from "../report/index.js";

/**
 * The settings every function shares, as `dagger call --port 9000 verify` or
 * `dag.prodImageVerify({ port: 9000 })` gives them; undefined keeps verify.yaml's value.
 */
export interface SharedSettings {
  context?: string;
  dockerfile?: string;
  target?: string;
  /** NAME=value, added to verify.yaml `buildArgs`. */
  buildArg?: string[];
  port?: number;
  healthPath?: string;
  expectedUid?: number;
  gracePeriodSeconds?: number;
  /** NAME=value, replacing verify.yaml `requiredEnv` as a whole; empty entries are ignored, so `[""]` means none. */
  requiredEnv?: string[];
  sizeBudgetMb?: number;
}

/** Images a function takes as arguments; an undefined one keeps verify.yaml's. */
export type ImageOverrides = Partial<Record<ImageName, string | undefined>>;

/**
 * verify.yaml's text (undefined: no file, the defaults), then the shared settings, then images given as
 * function arguments. A bad file or value is one ConfigError line naming the key.
 */
export function mergeSettings(yaml: { text: string; name: string } | undefined, settings: SharedSettings, images: ImageOverrides = {}): VerifyConfig {
  const base = yaml ? parseConfig(yaml.text, yaml.name) : defaultConfig();
  const { buildArg, requiredEnv, sizeBudgetMb, ...rest } = settings;
  const given = Object.fromEntries(Object.entries(images).filter(([, image]) => image !== undefined));
  return applyOverrides(base, {
    ...rest,
    sizeBudgetMB: sizeBudgetMb,
    buildArgs: buildArg ? { ...base.buildArgs, ...parseAssignments(buildArg, "--build-arg") } : undefined,
    requiredEnv: requiredEnv ? parseAssignments(requiredEnv.filter((item) => item !== ""), "--required-env") : undefined,
    images: { ...base.images, ...given },
  });
}

/** `NAME=value` strings as a record; a malformed one is a one-line error naming the flag and the item. */
export function parseAssignments(list: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new Error(`${flag} '${item.split("=")[0]}': write it as NAME=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** A `--format` value checked against the report formats; an unknown one is a one-line error listing them. */
export function reportFormat(format: string): ReportFormat {
  const chosen = REPORT_FORMATS.find((f) => f === format.toLowerCase());
  if (!chosen) throw new Error(`--format '${format}' is not one of ${REPORT_FORMATS.join(", ")}: pick one of those`);
  return chosen;
}
