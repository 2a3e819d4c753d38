/**
 * The PDM layout: every group of `[tool.pdm.dev-dependencies]` and of PEP 735 `[dependency-groups]`
 * (where PDM 2.20+ writes them) is dev, as `pdm install --prod` leaves them all out; runtime is
 * `[project.dependencies]`. Closed over pdm.lock when there is one.
 */
import type { ProjectFacts } from "./types.js";
import { pyprojectFile } from "./layout.js";
import { addRoots, devOnlyFacts, type DevRoots, type Lock, type LockPackage } from "./lock.js";
import { addDevExtras, dependencyGroups, groupRequirements, projectDependencies, projectName } from "./pyproject.js";
import { normalizeName, requirementOfTarget, type Requirement } from "./requirement.js";
import { asArray, get, isTable, parseTomlFile, type Table } from "./toml.js";

/** PDM requirement strings: PEP 508, or editables `-e <url or path>#egg=name` (one without a name is skipped). */
const pdmRequirements = (specs: unknown[]): Requirement[] =>
  specs
    .filter((s): s is string => typeof s === "string")
    .map((s) => requirementOfTarget(s.replace(/^-e\s+/, "")))
    .filter((r): r is Requirement => r !== undefined);

/** The dev roots and where each came from. */
function devRoots(pyproject: Table, devExtras: string[]): DevRoots {
  const roots: DevRoots = new Map();
  const pdmGroups = get(pyproject, "tool", "pdm", "dev-dependencies");
  for (const [group, specs] of Object.entries(isTable(pdmGroups) ? pdmGroups : {})) {
    addRoots(roots, pdmRequirements(asArray(specs)), `tool.pdm.dev-dependencies.${group}`);
  }
  const pep735 = dependencyGroups(pyproject) ?? {};
  for (const group of Object.keys(pep735)) addRoots(roots, pdmRequirements(groupRequirements(pep735, group)), `dependency-groups.${group}`);
  addDevExtras(roots, pyproject, devExtras);
  return roots;
}

/**
 * pdm.lock's `[[package]]` entries by normalised name. PDM locks a package once plain and once per set
 * of extras it is asked with (`name = "uvicorn"`, `extras = ["standard"]`), each with its PEP 508
 * `dependencies`: the plain entry gives what it always needs (the first wins when a name repeats), the
 * others what each extra adds.
 */
export function readPdmLock(text: string): Lock {
  const lock = parseTomlFile(text, "pdm.lock");
  const packages: Lock = new Map();
  const plain = new Set<string>();
  for (const pkg of asArray(lock.package).filter(isTable)) {
    if (typeof pkg.name !== "string") continue;
    const name = normalizeName(pkg.name);
    const entry: LockPackage = packages.get(name) ?? { dependencies: [], optional: {} };
    packages.set(name, entry);
    // An extras entry depends on its own plain entry (`uvicorn==0.27.0`): the closure visits that anyway.
    const deps = pdmRequirements(asArray(pkg.dependencies)).filter((d) => d.name !== name);
    const extras = asArray(pkg.extras).map((e) => normalizeName(String(e)));
    if (extras.length === 0 && !plain.has(name)) {
      plain.add(name);
      entry.dependencies = deps;
    }
    for (const extra of extras) entry.optional[extra] = [...(entry.optional[extra] ?? []), ...deps];
  }
  return packages;
}

/** Dev-only distributions of a PDM project: its dev groups, closed over pdm.lock when given. */
export function readPdmFacts(pyprojectToml: string, pdmLock?: string, devExtras: string[] = []): ProjectFacts {
  const pyproject = parseTomlFile(pyprojectToml, "pyproject.toml");
  const roots = devRoots(pyproject, devExtras);
  return devOnlyFacts({
    devRoots: roots,
    runtimeRoots: projectDependencies(pyproject),
    lock: pdmLock === undefined ? undefined : { file: "pdm.lock", packages: readPdmLock(pdmLock) },
    project: projectName(pyproject),
    layout: { kind: "pdm", files: [pyprojectFile(roots), ...(pdmLock === undefined ? [] : [{ path: "pdm.lock" }])] },
  });
}
