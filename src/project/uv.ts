/**
 * The uv layout (and plain PEP 621/735 projects): `[dependency-groups] dev` (includes resolved), uv's
 * legacy `[tool.uv] dev-dependencies` and the dev extras, closed over uv.lock when there is one.
 */
import type { ProjectFacts } from "./types.js";
import { pyprojectFile } from "./layout.js";
import { addRoots, devOnlyFacts, type DevRoots, type Lock } from "./lock.js";
import { addDevExtras, dependencyGroups, groupRequirements, projectDependencies, projectName } from "./pyproject.js";
import { normalizeName, parseRequirements, type Requirement } from "./requirement.js";
import { asArray, get, isTable, parseTomlFile, type Table } from "./toml.js";

/** The dev roots and where each came from. */
function devRoots(pyproject: Table, devExtras: string[]): DevRoots {
  const roots: DevRoots = new Map();
  const groups = dependencyGroups(pyproject);
  // uv installs the `dev` group by default (and removes it with --no-dev); other groups only on request.
  if (groups && "dev" in groups) addRoots(roots, parseRequirements(groupRequirements(groups, "dev")), "dependency-groups.dev");
  addRoots(roots, parseRequirements(asArray(get(pyproject, "tool", "uv", "dev-dependencies"))), "tool.uv.dev-dependencies");
  addDevExtras(roots, pyproject, devExtras);
  return roots;
}

const lockDeps = (v: unknown): Requirement[] =>
  asArray(v)
    .filter(isTable)
    .filter((d) => typeof d.name === "string")
    .map((d) => ({ name: normalizeName(d.name as string), extras: asArray(d.extra).map((e) => normalizeName(String(e))) }));

/** uv.lock's `[[package]]` entries by normalised name (the first version wins when a name repeats). */
export function readUvLock(text: string): Lock {
  const lock = parseTomlFile(text, "uv.lock");
  const packages: Lock = new Map();
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

/**
 * Dev-only distributions: the dev group (PEP 735, includes resolved), uv's legacy dev-dependencies and the
 * named dev extras; with uv.lock, their transitive closure minus everything the runtime dependencies need.
 */
export function readUvFacts(pyprojectToml: string, uvLock?: string, devExtras: string[] = []): ProjectFacts {
  const pyproject = parseTomlFile(pyprojectToml, "pyproject.toml");
  const roots = devRoots(pyproject, devExtras);
  // Without uv.lock or [tool.uv] nothing says uv manages the project: name it by the standard it follows.
  const kind = uvLock !== undefined || isTable(get(pyproject, "tool", "uv")) ? "uv" : "pyproject";
  return devOnlyFacts({
    devRoots: roots,
    runtimeRoots: projectDependencies(pyproject),
    lock: uvLock === undefined ? undefined : { file: "uv.lock", packages: readUvLock(uvLock) },
    project: projectName(pyproject),
    layout: { kind, files: [pyprojectFile(roots), ...(uvLock === undefined ? [] : [{ path: "uv.lock" }])] },
  });
}
