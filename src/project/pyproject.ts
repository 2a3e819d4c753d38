/**
 * The standard tables of pyproject.toml that several layouts share: PEP 621 `[project]` dependencies and
 * optional dependencies (the dev extras named in verify.yaml), and PEP 735 `[dependency-groups]`.
 */
import { ProjectFactsError } from "./errors.js";
import { parseRequirements, type Requirement } from "./requirement.js";
import { addRoots, type DevRoots } from "./lock.js";
import { asArray, get, isTable, type Table } from "./toml.js";

/** `[project.dependencies]`: the runtime roots of every PEP 621 project. */
export const projectDependencies = (pyproject: Table | undefined): Requirement[] => parseRequirements(asArray(get(pyproject, "project", "dependencies")));

/** The project's own distribution name ([project] name, or Poetry 1's [tool.poetry] name). */
export function projectName(pyproject: Table | undefined): string | undefined {
  const name = get(pyproject, "project", "name") ?? get(pyproject, "tool", "poetry", "name");
  return typeof name === "string" ? name : undefined;
}

/** PEP 735 group members, `{include-group = "..."}` resolved; a cycle is an error, as in the PEP. */
export function groupRequirements(groups: Table, name: string, seen: string[] = []): string[] {
  if (seen.includes(name)) throw new ProjectFactsError(`pyproject.toml: [dependency-groups] ${[...seen, name].join(" -> ")} is a cycle: remove one include-group`);
  const out: string[] = [];
  for (const item of asArray(groups[name])) {
    if (typeof item === "string") out.push(item);
    else if (isTable(item) && typeof item["include-group"] === "string") out.push(...groupRequirements(groups, item["include-group"], [...seen, name]));
  }
  return out;
}

/** The `[dependency-groups]` table, or undefined when there is none. */
export function dependencyGroups(pyproject: Table | undefined): Table | undefined {
  const groups = get(pyproject, "dependency-groups");
  return isTable(groups) ? groups : undefined;
}

/**
 * Add the dev extras named in verify.yaml (`devExtras`) from `[project.optional-dependencies]`, or from
 * `fallback` (Poetry's own extras) for an extra not there. An extra found nowhere is an error: a typo in
 * devExtras must not silently check nothing.
 */
export function addDevExtras(
  roots: DevRoots,
  pyproject: Table | undefined,
  devExtras: string[],
  fallback?: (extra: string) => Requirement[] | undefined,
): void {
  if (devExtras.length > 0 && !pyproject) {
    throw new ProjectFactsError(`devExtras names "${devExtras[0]}", but the project has no pyproject.toml to hold [project.optional-dependencies]: remove devExtras from verify.yaml`);
  }
  const optional = get(pyproject, "project", "optional-dependencies");
  for (const extra of devExtras) {
    const specs = isTable(optional) ? optional[extra] : undefined;
    const reqs = Array.isArray(specs) ? parseRequirements(specs) : fallback?.(extra);
    if (!reqs) throw new ProjectFactsError(`pyproject.toml: devExtras names "${extra}", which is not in [project.optional-dependencies]: fix devExtras in verify.yaml`);
    addRoots(roots, reqs, `optional-dependencies.${extra}`);
  }
}
