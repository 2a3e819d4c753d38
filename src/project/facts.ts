/**
 * ProjectFacts from pyproject.toml (and uv.lock when there is one): which distributions are dev-only.
 * Pure over file contents, so the Dagger side can pass contents it read from a Directory.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import type { ProjectFacts } from "./types.js";
import { firstLine } from "../text.js";

/** A one-line error about the project files: which file, what is wrong, what to do. */
export class ProjectFactsError extends Error {
  override name = "ProjectFactsError";
}

/** PEP 503 normalisation: lower case, runs of `-`, `_`, `.` as one `-`. */
export const normalizeName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, "-");

/** A requirement reduced to what the closure needs: the distribution and the extras it asks for. */
interface Requirement {
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

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const get = (t: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((v, k) => (isTable(v) ? v[k] : undefined), t);

function parse(text: string, file: string): Table {
  try {
    return parseToml(text) as Table;
  } catch (error) {
    const where = error instanceof TomlError ? ` line ${error.line}` : "";
    const why = firstLine(error);
    throw new ProjectFactsError(`${file}${where}: not valid TOML (${why}): fix the file`);
  }
}

/** PEP 735 group members, `{include-group = "..."}` resolved; a cycle is an error, as in the PEP. */
function groupRequirements(groups: Table, name: string, seen: string[] = []): string[] {
  if (seen.includes(name)) throw new ProjectFactsError(`pyproject.toml: [dependency-groups] ${[...seen, name].join(" -> ")} is a cycle: remove one include-group`);
  const out: string[] = [];
  for (const item of asArray(groups[name])) {
    if (typeof item === "string") out.push(item);
    else if (isTable(item) && typeof item["include-group"] === "string") out.push(...groupRequirements(groups, item["include-group"], [...seen, name]));
  }
  return out;
}

/** The dev roots and where each came from. */
function devRoots(pyproject: Table, devExtras: string[]): Map<string, { req: Requirement; source: string }> {
  const roots = new Map<string, { req: Requirement; source: string }>();
  const add = (specs: unknown[], source: string) => {
    for (const spec of specs) {
      const req = typeof spec === "string" ? parseRequirement(spec) : undefined;
      if (req && !roots.has(req.name)) roots.set(req.name, { req, source });
    }
  };
  const groups = get(pyproject, "dependency-groups");
  if (isTable(groups) && "dev" in groups) add(groupRequirements(groups, "dev"), "dependency-groups.dev");
  add(asArray(get(pyproject, "tool", "uv", "dev-dependencies")), "tool.uv.dev-dependencies");
  const optional = get(pyproject, "project", "optional-dependencies");
  for (const extra of devExtras) {
    const specs = isTable(optional) ? optional[extra] : undefined;
    if (!Array.isArray(specs)) throw new ProjectFactsError(`pyproject.toml: devExtras names "${extra}", which is not in [project.optional-dependencies]: fix devExtras in verify.yaml`);
    add(specs, `optional-dependencies.${extra}`);
  }
  return roots;
}

interface LockPackage {
  dependencies: Requirement[];
  optional: Record<string, Requirement[]>;
}

const lockDeps = (v: unknown): Requirement[] =>
  asArray(v)
    .filter(isTable)
    .filter((d) => typeof d.name === "string")
    .map((d) => ({ name: normalizeName(d.name as string), extras: asArray(d.extra).map((e) => normalizeName(String(e))) }));

/** uv.lock's `[[package]]` entries by normalised name (the first version wins when a name repeats). */
function readLock(text: string): Map<string, LockPackage> {
  const lock = parse(text, "uv.lock");
  const packages = new Map<string, LockPackage>();
  for (const pkg of asArray(lock.package).filter(isTable)) {
    if (typeof pkg.name !== "string") continue;
    const optional = isTable(pkg["optional-dependencies"]) ? pkg["optional-dependencies"] : {};
    const name = normalizeName(pkg.name);
    if (packages.has(name)) continue;
    packages.set(name, {
      dependencies: lockDeps(pkg.dependencies),
      optional: Object.fromEntries(Object.entries(optional).map(([extra, deps]) => [normalizeName(extra), lockDeps(deps)])),
    });
  }
  return packages;
}

/** Every distribution reachable from `roots` through the lock; `via` records the root that pulled each in. */
function closure(roots: Requirement[], lock: Map<string, LockPackage>, via?: Map<string, string>): Set<string> {
  const names = new Set<string>();
  // A package is visited once per set of extras: `psycopg[binary]` reaches more than `psycopg`.
  const visited = new Set<string>();
  const queue = roots.map((req) => ({ req, root: req.name }));
  for (let i = 0; i < queue.length; i++) {
    const { req, root } = queue[i];
    const key = `${req.name}[${[...req.extras].sort().join(",")}]`;
    if (visited.has(key)) continue;
    visited.add(key);
    names.add(req.name);
    if (via && !via.has(req.name)) via.set(req.name, root);
    const pkg = lock.get(req.name);
    if (!pkg) continue;
    for (const dep of [...pkg.dependencies, ...req.extras.flatMap((e) => pkg.optional[e] ?? [])]) queue.push({ req: dep, root });
  }
  return names;
}

/**
 * Dev-only distributions: the dev group (PEP 735, includes resolved), uv's legacy dev-dependencies and the
 * named dev extras; with uv.lock, their transitive closure minus everything the runtime dependencies need.
 */
export function readProjectFacts(pyprojectToml: string, uvLock?: string, devExtras: string[] = []): ProjectFacts {
  const pyproject = parse(pyprojectToml, "pyproject.toml");
  const runtimeRoots = asArray(get(pyproject, "project", "dependencies"))
    .map((s) => (typeof s === "string" ? parseRequirement(s) : undefined))
    .filter((r): r is Requirement => r !== undefined);
  const roots = devRoots(pyproject, devExtras);
  const sources: Record<string, string> = {};
  for (const [name, { source }] of roots) sources[name] = source;
  let dev = new Set(roots.keys());
  let runtime = new Set(runtimeRoots.map((r) => r.name));
  if (uvLock !== undefined) {
    const lock = readLock(uvLock);
    const via = new Map<string, string>();
    dev = closure([...roots.values()].map((r) => r.req), lock, via);
    runtime = closure(runtimeRoots, lock);
    for (const name of dev) sources[name] ??= `uv.lock (via ${via.get(name)})`;
  }
  const devPackages = [...dev].filter((name) => !runtime.has(name)).sort();
  const devPackageSources = Object.fromEntries(devPackages.map((name) => [name, sources[name]]));
  return { devPackages, devPackageSources, runtimePackages: runtimeRoots.map((r) => r.name) };
}

/** readProjectFacts over `<dir>/pyproject.toml` and, when present, `<dir>/uv.lock`. */
export async function readProjectFactsFromDir(dir: string, devExtras: string[] = []): Promise<ProjectFacts> {
  const pyproject = await readFile(join(dir, "pyproject.toml"), "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ProjectFactsError(`${join(dir, "pyproject.toml")}: cannot read it (${error.code ?? error.message}): pass the directory that holds pyproject.toml`);
  });
  const lock = await readFile(join(dir, "uv.lock"), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new ProjectFactsError(`${join(dir, "uv.lock")}: cannot read it (${error.code ?? error.message}): check its permissions`);
  });
  return readProjectFacts(pyproject, lock, devExtras);
}
