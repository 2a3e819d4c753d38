/**
 * Distribution names and requirement heads, shared by every layout reader and by the no-dev-dependencies
 * check: names from project files and from `*.dist-info` directories must normalise the same way to compare.
 */

/** PEP 503 normalisation: lower case, runs of `-`, `_`, `.` as one `-`. */
export const normalizeName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, "-");

/** A requirement reduced to what the closure needs: the distribution and the extras it asks for. */
export interface Requirement {
  name: string;
  extras: string[];
}

/** Parse the head of a PEP 508 requirement: `name[extra1,extra2] >=1.0 ; marker`. */
export function parseRequirement(spec: string): Requirement | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?/.exec(spec);
  if (!m) return undefined;
  const extras = (m[2] ?? "").split(",").map((e) => normalizeName(e.trim())).filter(Boolean);
  return { name: normalizeName(m[1]), extras };
}

/** Requirements of string specs, the unparsable ones dropped. */
export const parseRequirements = (specs: unknown[]): Requirement[] =>
  specs.map((s) => (typeof s === "string" ? parseRequirement(s) : undefined)).filter((r): r is Requirement => r !== undefined);
