/**
 * Build secrets given to the module (`--build-secret env://STRIPE_KEY`, or Secrets from another module),
 * matched to the ids RUN --mount=type=secret,id=<id> uses. A Secret made with a name (dag.setSecret) is that
 * id; one from the CLI has no name, only its URI, which is matched to verify.yaml's `buildSecrets` sources
 * (`stripe-key: env:STRIPE_KEY` ↔ `env://STRIPE_KEY`). The values are read once, for the build and the leak
 * canary, and are never printed: errors name ids and URIs only.
 */
import type { Secret } from "@dagger.io/dagger";
import type { VerifyConfig } from "../config/schema.js";

/** What identifies a given Secret without its value. */
export interface SecretHandle {
  name: string;
  uri: string;
}

/** The URI the CLI gives a secret from a verify.yaml source: env:NAME → env://NAME, file:path → file://path. */
function sourceUri(source: string): { scheme: string; where: string } {
  const colon = source.indexOf(":");
  return { scheme: source.slice(0, colon), where: source.slice(colon + 1) };
}

/** True when a CLI secret's URI is this verify.yaml source (a relative file path matches the end of the URI's path). */
function uriMatches(uri: string, source: string): boolean {
  const { scheme, where } = sourceUri(source);
  if (!uri.startsWith(`${scheme}://`)) return false;
  const given = uri.slice(scheme.length + 3);
  if (scheme === "env") return given === where;
  const relative = where.replace(/^\.\//, "");
  return given === where || given.endsWith(`/${relative}`);
}

/**
 * The id of each given secret, in order; every id verify.yaml declares must be among them. Errors are one
 * line: a secret that matches no id, or a declared id that no secret stands for.
 */
export function matchBuildSecrets(given: SecretHandle[], declared: VerifyConfig["buildSecrets"]): string[] {
  const ids = given.map(({ name, uri }) => {
    if (name) return name;
    const id = Object.keys(declared).find((key) => uriMatches(uri, declared[key] as string));
    if (!id) throw new Error(`--build-secret ${uri || "(unnamed)"}: no id for it: declare it in verify.yaml buildSecrets (e.g. my-id: env:NAME for env://NAME), or name it with dag.setSecret`);
    return id;
  });
  for (const [id, source] of Object.entries(declared)) {
    if (!ids.includes(id)) {
      const { scheme, where } = sourceUri(source);
      const uri = scheme === "env" ? `env://${where}` : `file://<absolute path of ${where}>`;
      throw new Error(`build secret "${id}" (verify.yaml buildSecrets: ${source}) was not given: add --build-secret ${uri}`);
    }
  }
  return ids;
}

/** id → value of the given secrets (read through the engine; kept in memory only). */
export async function buildSecretValues(secrets: Secret[] | undefined, declared: VerifyConfig["buildSecrets"]): Promise<Record<string, string>> {
  const list = secrets ?? [];
  const handles = await Promise.all(list.map(async (s) => ({ name: await s.name(), uri: await s.uri() })));
  const ids = matchBuildSecrets(handles, declared);
  const values = await Promise.all(list.map((s) => s.plaintext()));
  return Object.fromEntries(ids.map((id, i) => [id, values[i] as string]));
}
