/**
 * Build secrets from verify.yaml (`buildSecrets: {id: env:NAME | file:path}`), resolved to their values for
 * the Docker path: handed to `docker build --secret` and to the leak canary. Values stay in memory; an error
 * names the id and its source, never the value.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { VerifyConfig } from "./schema.js";

/** A build secret that cannot be read: one line naming the id and what to fix. */
export class BuildSecretError extends Error {
  override name = "BuildSecretError";
}

/** id → value for every build secret of the config; a missing variable or unreadable file is a BuildSecretError. */
export async function resolveBuildSecrets(secrets: VerifyConfig["buildSecrets"], repoRoot: string): Promise<Record<string, string>> {
  const entries = await Promise.all(Object.entries(secrets).map(async ([id, source]) => [id, await valueOf(id, source, repoRoot)] as const));
  return Object.fromEntries(entries);
}

async function valueOf(id: string, source: string, repoRoot: string): Promise<string> {
  const [kind, ...rest] = source.split(":");
  const where = rest.join(":");
  if (kind === "env") {
    const value = process.env[where];
    if (value === undefined || value === "") throw new BuildSecretError(`build secret "${id}": the environment variable ${where} is not set: set it, or change buildSecrets.${id} in verify.yaml`);
    return value;
  }
  const path = resolve(repoRoot, where);
  return readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new BuildSecretError(`build secret "${id}": cannot read ${where} (${error.code ?? error.message}): create it, or change buildSecrets.${id} in verify.yaml`);
  });
}
