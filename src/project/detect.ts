/**
 * Which layout a project directory uses, when several may be present. One layout is read, never a
 * merge; the evidence names it and lists the files left unread.
 *
 * Precedence, first match wins:
 *   1. a lock file, in the order uv.lock, poetry.lock, pdm.lock (each with the pyproject.toml that names
 *      the roots), Pipfile.lock: a lock is what the build installs from; uv.lock first keeps every uv
 *      project read exactly as before the other layouts existed;
 *   2. a tool's own dev tables without its lock: [tool.poetry] dependencies or groups, then
 *      [tool.pdm.dev-dependencies], then a Pipfile;
 *   3. pyproject.toml declaring dev dependencies the standard (or uv's) way: [dependency-groups],
 *      [tool.uv], or dev extras named in verify.yaml;
 *   4. requirements files with a runtime or dev name (requirements.txt, requirements-dev.txt, ...; see
 *      ./requirements.ts), read with pyproject.toml's [project.dependencies] as runtime when there is one;
 *   5. any other pyproject.toml (runtime dependencies only: the check warns that nothing is dev).
 */
import type { LayoutKind } from "./types.js";
import { isRequirementsFile, requirementsRole } from "./requirements.js";
import type { ProjectSource } from "./source.js";
import { get, isTable, type Table } from "./toml.js";

/** The files whose presence marks a layout, at the top of the project directory. */
export const LAYOUT_MARKERS = ["pyproject.toml", "uv.lock", "poetry.lock", "pdm.lock", "Pipfile", "Pipfile.lock"];

/** What detection looks at: the marker and requirements files present, and the parsed pyproject.toml. */
export interface Present {
  /** Relative paths: markers and requirements files (see isRequirementsFile). */
  files: string[];
  pyproject?: Table;
}

/** The marker and requirements files of the project, sorted. */
export async function presentFiles(source: ProjectSource): Promise<string[]> {
  const top = await source.list("");
  const sub = top.includes("requirements") ? (await source.list("requirements")).map((n) => `requirements/${n}`) : [];
  return [...top, ...sub].filter((p) => LAYOUT_MARKERS.includes(p) || isRequirementsFile(p)).sort();
}

const has = (p: Present, file: string) => p.files.includes(file);
const hasTable = (p: Present, ...keys: string[]) => get(p.pyproject, ...keys) !== undefined;

/** The rules in precedence order: the first that applies picks the layout. */
const RULES: { kind: (p: Present) => LayoutKind; applies: (p: Present, devExtras: string[]) => boolean }[] = [
  // 1. A lock file (with the pyproject.toml that names the roots, for the pyproject-based tools).
  { kind: () => "uv", applies: (p) => has(p, "uv.lock") && p.pyproject !== undefined },
  { kind: () => "poetry", applies: (p) => has(p, "poetry.lock") && p.pyproject !== undefined },
  { kind: () => "pdm", applies: (p) => has(p, "pdm.lock") && p.pyproject !== undefined },
  { kind: () => "pipenv", applies: (p) => has(p, "Pipfile.lock") },
  // 2. A tool's own tables without its lock.
  { kind: () => "poetry", applies: (p) => ["dependencies", "group", "dev-dependencies"].some((t) => hasTable(p, "tool", "poetry", t)) },
  { kind: () => "pdm", applies: (p) => hasTable(p, "tool", "pdm", "dev-dependencies") },
  { kind: () => "pipenv", applies: (p) => has(p, "Pipfile") },
  // 3. Standard (or uv's) dev declarations without a lock.
  {
    kind: (p) => (isTable(get(p.pyproject, "tool", "uv")) ? "uv" : "pyproject"),
    applies: (p, devExtras) => hasTable(p, "dependency-groups") || hasTable(p, "tool", "uv") || (p.pyproject !== undefined && devExtras.length > 0),
  },
  // 4. Requirements files of a known role.
  { kind: () => "requirements", applies: (p) => p.files.some((f) => isRequirementsFile(f) && requirementsRole(f) !== undefined) },
  // 5. Anything else with a pyproject.toml.
  { kind: () => "pyproject", applies: (p) => p.pyproject !== undefined },
];

/** The layout to read, or undefined when the directory holds no Python project metadata at all. */
export function chooseLayout(present: Present, devExtras: string[] = []): LayoutKind | undefined {
  return RULES.find((rule) => rule.applies(present, devExtras))?.kind(present);
}
