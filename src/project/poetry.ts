/**
 * The Poetry layout: every `[tool.poetry.group.<g>.dependencies]` but main, the legacy
 * `[tool.poetry.dev-dependencies]` and PEP 735 `[dependency-groups]` (Poetry 2.2 reads them) are dev,
 * optional groups included: `poetry install` takes them unless told `--only main`. Runtime is
 * `[tool.poetry.dependencies]` without `python` and without optional entries (installed only with their
 * extra), plus Poetry 2's `[project.dependencies]`. Closed over poetry.lock when there is one.
 */
import type { ProjectFacts } from "./types.js";
import { pyprojectFile } from "./layout.js";
import { addRoots, devOnlyFacts, type DevRoots, type Lock } from "./lock.js";
import { addDevExtras, dependencyGroups, groupRequirements, projectDependencies, projectName } from "./pyproject.js";
import { normalizeName, parseRequirements, type Requirement } from "./requirement.js";
import { asArray, get, isTable, parseTomlFile, type Table } from "./toml.js";

/**
 * A Poetry dependency table (`name = "^1.0"`, `name = { version, extras, optional, markers }`, or an
 * array of such tables for per-platform constraints) as requirements; optional entries only when asked.
 */
export function poetryDependencies(table: unknown, withOptional = true): Requirement[] {
  if (!isTable(table)) return [];
  const out: Requirement[] = [];
  for (const [name, spec] of Object.entries(table)) {
    if (name === "python") continue;
    const specs = Array.isArray(spec) ? spec : [spec];
    if (!withOptional && specs.every((s) => isTable(s) && s.optional === true)) continue;
    const extras = specs.flatMap((s) => (isTable(s) ? asArray(s.extras) : [])).map((e) => normalizeName(String(e)));
    out.push({ name: normalizeName(name), extras: [...new Set(extras)] });
  }
  return out;
}

const poetry = (pyproject: Table, ...keys: string[]) => get(pyproject, "tool", "poetry", ...keys);

/** Poetry's `[tool.poetry.extras]` entry: package names, with the extras their dependency entries ask for. */
function poetryExtra(pyproject: Table, extra: string): Requirement[] | undefined {
  const names = poetry(pyproject, "extras", extra);
  if (!Array.isArray(names)) return undefined;
  const declared = new Map(poetryDependencies(poetry(pyproject, "dependencies")).map((r) => [r.name, r]));
  return parseRequirements(names).map((r) => declared.get(r.name) ?? r);
}

/** The dev roots and where each came from. */
function devRoots(pyproject: Table, devExtras: string[]): DevRoots {
  const roots: DevRoots = new Map();
  const groups = poetry(pyproject, "group");
  for (const [group, table] of Object.entries(isTable(groups) ? groups : {})) {
    if (group !== "main") addRoots(roots, poetryDependencies(get(table, "dependencies")), `tool.poetry.group.${group}`);
  }
  addRoots(roots, poetryDependencies(poetry(pyproject, "dev-dependencies")), "tool.poetry.dev-dependencies");
  const pep735 = dependencyGroups(pyproject) ?? {};
  for (const group of Object.keys(pep735)) addRoots(roots, parseRequirements(groupRequirements(pep735, group)), `dependency-groups.${group}`);
  addDevExtras(roots, pyproject, devExtras, (extra) => poetryExtra(pyproject, extra));
  return roots;
}

/** The runtime roots: main's dependencies, whichever way Poetry 1 or 2 declares them. */
const runtimeRoots = (pyproject: Table): Requirement[] => [
  ...projectDependencies(pyproject),
  ...poetryDependencies(poetry(pyproject, "dependencies"), false),
  ...poetryDependencies(poetry(pyproject, "group", "main", "dependencies"), false),
];

/**
 * poetry.lock's `[[package]]` entries by normalised name (the first version wins when a name repeats):
 * `[package.dependencies]` without the optional ones, which `[package.extras]` pull in by name.
 */
export function readPoetryLock(text: string): Lock {
  const lock = parseTomlFile(text, "poetry.lock");
  const packages: Lock = new Map();
  for (const pkg of asArray(lock.package).filter(isTable)) {
    if (typeof pkg.name !== "string" || packages.has(normalizeName(pkg.name))) continue;
    // An extra lists names ("pyyaml (>=5.1)"); the dependency entry of that name says which of its extras.
    const declared = new Map(poetryDependencies(pkg.dependencies).map((r) => [r.name, r]));
    const extras = isTable(pkg.extras) ? pkg.extras : {};
    packages.set(normalizeName(pkg.name), {
      dependencies: poetryDependencies(pkg.dependencies, false),
      optional: Object.fromEntries(
        Object.entries(extras).map(([extra, specs]) => [normalizeName(extra), parseRequirements(asArray(specs)).map((r) => declared.get(r.name) ?? r)]),
      ),
    });
  }
  return packages;
}

/** Dev-only distributions of a Poetry project: the non-main groups, closed over poetry.lock when given. */
export function readPoetryFacts(pyprojectToml: string, poetryLock?: string, devExtras: string[] = []): ProjectFacts {
  const pyproject = parseTomlFile(pyprojectToml, "pyproject.toml");
  const roots = devRoots(pyproject, devExtras);
  return devOnlyFacts({
    devRoots: roots,
    runtimeRoots: runtimeRoots(pyproject),
    lock: poetryLock === undefined ? undefined : { file: "poetry.lock", packages: readPoetryLock(poetryLock) },
    project: projectName(pyproject),
    layout: { kind: "poetry", files: [pyprojectFile(roots, "[tool.poetry.dependencies]"), ...(poetryLock === undefined ? [] : [{ path: "poetry.lock" }])] },
  });
}
