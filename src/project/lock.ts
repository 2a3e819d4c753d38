/**
 * What every layout shares once its files are read: dev roots and runtime roots, closed over a lock file
 * when there is one, and the dev-only set as their difference.
 */
import type { ProjectFacts, ProjectLayout } from "./types.js";
import { normalizeName, type Requirement } from "./requirement.js";

/** One locked distribution: what it always needs, and what each of its extras adds. */
export interface LockPackage {
  dependencies: Requirement[];
  optional: Record<string, Requirement[]>;
}

/** A lock file's packages by normalised name. */
export type Lock = Map<string, LockPackage>;

/** A dev root and where it was declared ("dependency-groups.dev", "requirements-dev.txt", ...). */
export interface DevRoot {
  req: Requirement;
  source: string;
}

/** Dev roots by normalised name; the first declaration of a name is the one quoted as its source. */
export type DevRoots = Map<string, DevRoot>;

/** Add `reqs` to `roots` under `source`, keeping an earlier declaration of the same name. */
export function addRoots(roots: DevRoots, reqs: Requirement[], source: string): void {
  for (const req of reqs) if (!roots.has(req.name)) roots.set(req.name, { req, source });
}

/** Every distribution reachable from `roots` through the lock; `via` records the root that pulled each in. */
export function closure(roots: Requirement[], lock: Lock, via?: Map<string, string>): Set<string> {
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

export interface FactsInput {
  devRoots: DevRoots;
  runtimeRoots: Requirement[];
  /** The lock to close both sets over, and its file name for the sources ("uv.lock (via pytest)"). */
  lock?: { file: string; packages: Lock };
  /** The project's own name: never dev-only, even when a dev group asks for it with extras (`svc[test]`). */
  project?: string;
  layout: ProjectLayout;
}

/**
 * Dev-only distributions: the dev roots (with a lock, their transitive closure) minus everything the
 * runtime roots (with a lock, their closure) need: a package both sides use is installed on purpose.
 */
export function devOnlyFacts({ devRoots, runtimeRoots, lock, project, layout }: FactsInput): ProjectFacts {
  const sources: Record<string, string> = {};
  for (const [name, { source }] of devRoots) sources[name] = source;
  let dev = new Set(devRoots.keys());
  let runtime = new Set(runtimeRoots.map((r) => r.name));
  if (lock) {
    const via = new Map<string, string>();
    dev = closure([...devRoots.values()].map((r) => r.req), lock.packages, via);
    runtime = closure(runtimeRoots, lock.packages);
    for (const name of dev) sources[name] ??= `${lock.file} (via ${via.get(name)})`;
  }
  if (project) runtime.add(normalizeName(project));
  const devPackages = [...dev].filter((name) => !runtime.has(name)).sort();
  const devPackageSources = Object.fromEntries(devPackages.map((name) => [name, sources[name]]));
  return { devPackages, devPackageSources, runtimePackages: [...new Set(runtimeRoots.map((r) => r.name))], layout };
}
