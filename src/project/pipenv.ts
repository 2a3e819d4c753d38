/**
 * The Pipenv layout: the Pipfile's `[dev-packages]` (and custom package categories, which `pipenv
 * install` also leaves out unless asked) are dev, `[packages]` runtime. Pipfile.lock already holds each
 * section's closure: a package in `develop` (or another category) but not in `default` is dev-only.
 */
import type { LayoutFile, ProjectFacts } from "./types.js";
import { ProjectFactsError } from "./errors.js";
import { addRoots, devOnlyFacts, type DevRoots } from "./lock.js";
import { addDevExtras } from "./pyproject.js";
import { normalizeName, type Requirement } from "./requirement.js";
import { asArray, isTable, parseTomlFile, type Table } from "./toml.js";
import { firstLine } from "../text.js";

/** Pipfile tables that are not package categories. */
const NOT_CATEGORIES = new Set(["source", "requires", "scripts", "pipenv", "packages"]);

/** A Pipfile package table (`name = "*"`, `name = { version, extras, ... }`) as requirements. */
function pipfilePackages(table: unknown): Requirement[] {
  return Object.entries(isTable(table) ? table : {}).map(([name, spec]) => ({
    name: normalizeName(name),
    extras: (isTable(spec) ? asArray(spec.extras) : []).map((e) => normalizeName(String(e))),
  }));
}

/** Pipfile.lock's sections (`default`, `develop`, custom categories), each a set of normalised names. */
function readPipfileLock(text: string): Map<string, string[]> {
  let lock: unknown;
  try {
    lock = JSON.parse(text);
  } catch (error) {
    throw new ProjectFactsError(`Pipfile.lock: not valid JSON (${firstLine(error)}): fix the file or run pipenv lock again`);
  }
  if (!isTable(lock)) throw new ProjectFactsError("Pipfile.lock: not a JSON object with default and develop sections: run pipenv lock again");
  const sections = new Map<string, string[]>();
  for (const [section, packages] of Object.entries(lock)) {
    if (section !== "_meta" && isTable(packages)) sections.set(section, Object.keys(packages).map(normalizeName));
  }
  return sections;
}

/**
 * Dev-only distributions of a Pipenv project from its Pipfile and/or Pipfile.lock (at least one given).
 * `pyproject`, when the project also has one, resolves devExtras.
 */
export function readPipenvFacts(pipfileText: string | undefined, lockText: string | undefined, pyproject?: Table, devExtras: string[] = []): ProjectFacts {
  const roots: DevRoots = new Map();
  const files: LayoutFile[] = [];
  let runtime: Requirement[] = [];
  if (pipfileText !== undefined) {
    const pipfile = parseTomlFile(pipfileText, "Pipfile");
    const categories = Object.keys(pipfile).filter((t) => !NOT_CATEGORIES.has(t) && isTable(pipfile[t]));
    for (const category of categories) addRoots(roots, pipfilePackages(pipfile[category]), `Pipfile [${category}]`);
    runtime = pipfilePackages(pipfile.packages);
    files.push({ path: "Pipfile", what: categories.map((c) => `[${c}]`).join(" ") || "[packages]" });
  }
  if (lockText !== undefined) {
    const sections = readPipfileLock(lockText);
    // The lock's sections are closures already: the declared roots above keep their Pipfile source.
    for (const [section, names] of sections) {
      if (section !== "default") addRoots(roots, names.map((name) => ({ name, extras: [] })), `Pipfile.lock ${section}`);
    }
    runtime = [...runtime, ...(sections.get("default") ?? []).map((name) => ({ name, extras: [] }))];
    files.push({ path: "Pipfile.lock", what: [...sections.keys()].filter((s) => s !== "default").join(" ") || "default" });
  }
  addDevExtras(roots, pyproject, devExtras);
  if (devExtras.length > 0) files.push({ path: "pyproject.toml", what: "[project.optional-dependencies]" });
  return devOnlyFacts({ devRoots: roots, runtimeRoots: runtime, layout: { kind: "pipenv", files } });
}
