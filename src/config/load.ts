/**
 * Reading verify.yaml: YAML parsed with `yaml`, validated with the zod schema, every problem reported
 * as one line that names the bad key. Function arguments (Dagger) and flags (CLI) override the file.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { verifyConfigSchema, type VerifyConfig } from "./schema.js";
import { firstLine } from "../text.js";

/** The config file's one-line error: what is wrong, where, and what to write instead. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** The file name looked for at the repository root. */
export const CONFIG_FILE = "verify.yaml";

/** Parse and validate verify.yaml text; `source` names the file in messages. */
export function parseConfig(text: string, source = CONFIG_FILE): VerifyConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` line ${error.linePos[0].line}` : "";
    throw new ConfigError(`${source}${where}: not valid YAML: ${firstLine(error)}`);
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(`${source}: expected a mapping of settings at the top level`);
  }
  return validate(raw, source);
}

/** Read verify.yaml at `path`; with no path, or a path that does not exist and was not asked for, the defaults. */
export async function loadConfigFile(path?: string, { required = path !== undefined } = {}): Promise<VerifyConfig> {
  if (!path) return validate({}, "defaults");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === "ENOENT") return validate({}, "defaults");
    throw new ConfigError(`${path}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? firstLine(error)}): check the path`);
  }
  return parseConfig(text, path);
}

/** Overrides from function arguments or flags: undefined values leave the file's setting as it is. */
export function applyOverrides(config: VerifyConfig, overrides: Partial<VerifyConfig>, source = "arguments"): VerifyConfig {
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return validate({ ...config, ...defined }, source);
}

function validate(raw: unknown, source: string): VerifyConfig {
  const result = verifyConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => describeIssue(issue, source)).join("\n"));
}

function describeIssue(issue: z.core.$ZodIssue, source: string): string {
  const key = issue.path.map(String).join(".") || "(top level)";
  if (issue.code === "unrecognized_keys") {
    const known = Object.keys(verifyConfigSchema.shape).join(", ");
    const prefix = issue.path.length ? `${key}.` : "";
    return `${source}: unknown key ${issue.keys.map((k) => `'${prefix}${k}'`).join(", ")}${issue.path.length ? "" : ` (known keys: ${known})`}`;
  }
  return `${source}: '${key}': ${issue.message}`;
}
