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

// `name @ url` (PEP 508 direct reference): the name is the head, as for any requirement.
const DIRECT_REFERENCE = /^\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@/;
// A URL or a path rather than a name: a scheme, or a leading `.`, `/` or `~`.
const URL_OR_PATH = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|git\+|hg\+|svn\+|bzr\+|[./~])/;

/**
 * The requirement a pip or PDM line installs: a PEP 508 string, `name @ url`, or a URL or path that
 * names its distribution by an `#egg=name` fragment or by its wheel or sdist file name. A URL or path
 * with neither (a local folder, a VCS URL without #egg) names nothing readable: undefined.
 */
export function requirementOfTarget(spec: string): Requirement | undefined {
  if (DIRECT_REFERENCE.test(spec) || !URL_OR_PATH.test(spec.trim())) return parseRequirement(spec);
  const egg = /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[([^\]]*)\])?/.exec(spec);
  if (egg) return parseRequirement(`${egg[1]}${egg[2] ? `[${egg[2]}]` : ""}`);
  const file = spec.trim().split(/\s*;/)[0].split(/[?#]/)[0].split("/").at(-1) ?? "";
  // Wheel names escape `-` in the name, so the name ends at the first `-`; an sdist's ends before the version.
  const archive = /^([A-Za-z0-9][A-Za-z0-9._]*)-[^/]*\.whl$/.exec(file) ?? /^(.+?)-\d[^/]*\.(?:tar\.gz|tar\.bz2|tgz|zip)$/.exec(file);
  return archive ? { name: normalizeName(archive[1]), extras: [] } : undefined;
}
