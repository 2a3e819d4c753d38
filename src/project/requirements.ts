/**
 * The requirements-file layout (pip, pip-tools): runtime from the runtime-named files, dev from the
 * dev-named ones, `-r` includes followed. No lock: pinned files (pip-compile output) already list the
 * transitive closure, and unpinned ones give the direct dependencies only.
 *
 * Which file plays which role goes by the words of its name, `requirements` and the extension aside:
 *   - no other word (`requirements.txt`) or a runtime word (`requirements/base.txt`,
 *     `requirements-prod.txt`): runtime;
 *   - a dev word (`requirements-dev.txt`, `dev-requirements.txt`, `requirements/test.txt`,
 *     `requirements_lint.txt`, `requirements/local.txt`): dev; a dev word wins over a runtime one;
 *   - any other name (`requirements-gpu.txt`): neither, left unread unless a read file includes it.
 * A package the runtime files also list is not dev-only, so a dev file that starts `-r requirements.txt`
 * (the usual way) counts only its own additions.
 */
import { posix } from "node:path";
import type { ProjectFacts, LayoutFile } from "./types.js";
import { ProjectFactsError } from "./errors.js";
import { addRoots, devOnlyFacts, type DevRoots } from "./lock.js";
import { addDevExtras, projectDependencies, projectName } from "./pyproject.js";
import { parseRequirements, requirementOfTarget, type Requirement } from "./requirement.js";
import type { ProjectSource } from "./source.js";
import { get, isTable, type Table } from "./toml.js";

/** Name words of dev-only requirements files. */
const DEV_WORDS = new Set(["dev", "devel", "develop", "development", "test", "tests", "testing", "lint", "linting", "ci", "doc", "docs", "typing", "local", "qa"]);
/** Name words of runtime requirements files. */
const RUNTIME_WORDS = new Set(["base", "prod", "production", "main", "runtime", "common", "deploy", "default"]);
/** How deep `-r` includes may nest: deep enough for any real layout, bounded for a hostile one. */
export const MAX_INCLUDE_DEPTH = 10;

export type RequirementsRole = "runtime" | "dev";

/** A requirements file by name: top-level `*requirements*.txt`, or any `requirements/*.txt`. */
export const isRequirementsFile = (path: string): boolean => /^(?:[^/]*requirements[^/]*|requirements\/[^/]+)\.txt$/i.test(path);

/** The role of a requirements file by its name, or undefined for a name of neither kind. */
export function requirementsRole(path: string): RequirementsRole | undefined {
  const words = path.toLowerCase().replace(/\.txt$/, "").split(/[-_./]+/).filter((w) => w && w !== "requirements");
  if (words.some((w) => DEV_WORDS.has(w))) return "dev";
  if (words.length === 0 || words.some((w) => RUNTIME_WORDS.has(w))) return "runtime";
  return undefined;
}

interface Line {
  n: number;
  text: string;
}

// pip's comment: `#` at the start or after whitespace (so a URL's `#egg=` fragment is not one).
const COMMENT = /(^|\s+)#.*$/;

/** Logical lines as pip reads them: `\` continuations joined, comments cut, blank lines dropped. */
export function logicalLines(text: string): Line[] {
  const lines: Line[] = [];
  let pending: { n: number; parts: string[] } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    // As in pip, a comment line ends a continuation instead of continuing it.
    if (raw.endsWith("\\") && !COMMENT.test(raw)) {
      pending ??= { n: i + 1, parts: [] };
      pending.parts.push(raw.slice(0, -1));
      return;
    }
    const joined = pending ? [...pending.parts, raw].join("") : raw;
    lines.push({ n: pending?.n ?? i + 1, text: joined.replace(COMMENT, "").trim() });
    pending = undefined;
  });
  if (pending) lines.push({ n: pending.n, text: pending.parts.join("").replace(COMMENT, "").trim() });
  return lines.filter((l) => l.text !== "");
}

/** What one logical line asks for. */
export type Entry =
  | { kind: "include"; target: string }
  | { kind: "requirement"; req: Requirement }
  /** The project itself (`.`, `-e .[dev]`): its [project.dependencies] and the extras named. */
  | { kind: "self"; extras: string[] }
  | undefined;

const SELF = /^(?:file:)?\.\/?(?:\[([^\]]*)\])?$/;

/** The requirement or project-itself reference of a target (a requirement line, or an `-e` value). */
function target(spec: string): Entry {
  const self = SELF.exec(spec.trim());
  if (self) return { kind: "self", extras: (self[1] ?? "").split(",").map((e) => e.trim()).filter(Boolean) };
  const req = requirementOfTarget(spec);
  return req ? { kind: "requirement", req } : undefined;
}

/**
 * One logical line: `-r`/`--requirement` includes; `-e`/`--editable` targets; a requirement with its
 * per-requirement options (`--hash`, `--config-settings`) cut. Constraints (`-c`) install nothing and
 * index options (`-i`, `--extra-index-url`, `-f`, `--no-binary`, ...) name no package: both ignored.
 */
export function parseLine(text: string): Entry {
  const option = /^(-[A-Za-z]|--[A-Za-z][\w-]*)\s*=?\s*(.*)$/.exec(text);
  if (!option) return target(text.split(/\s+--?[A-Za-z]/)[0]);
  const [, name, value] = option;
  if (name === "-r" || name === "--requirement") return { kind: "include", target: value.trim() };
  if (name === "-e" || name === "--editable") return target(value);
  return undefined;
}

/** What reading the files found, per role. */
interface Collected {
  runtime: Requirement[];
  dev: DevRoots;
  /** References to the project itself, with the extras they name and the file they are in. */
  self: { role: RequirementsRole; extras: string[]; file: string }[];
  files: LayoutFile[];
}

/** Where an include points, relative to the project directory; one that climbs out of it is an error. */
function resolveInclude(from: string, line: Line, include: string): string {
  const where = `${from} line ${line.n}: -r ${include}`;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(include)) throw new ProjectFactsError(`${where} is a URL, which verify does not fetch: include a file inside the project directory`);
  const path = posix.normalize(posix.join(posix.dirname(from), include));
  if (posix.isAbsolute(include) || path === ".." || path.startsWith("../")) {
    throw new ProjectFactsError(`${where} climbs out of the project directory: include only files inside it (or point project at the folder that holds them)`);
  }
  return path;
}

/**
 * Read `path` in `role`, following includes. Each file is read once per role: a diamond counts once and
 * a cycle ends where it closes. `chain` is the include path that led here, for the depth bound.
 */
async function collect(source: ProjectSource, path: string, text: string, role: RequirementsRole, out: Collected, seen: Set<string>, chain: string[]): Promise<void> {
  seen.add(path);
  for (const line of logicalLines(text)) {
    const entry = parseLine(line.text);
    if (entry?.kind === "requirement") {
      if (role === "runtime") out.runtime.push(entry.req);
      else addRoots(out.dev, [entry.req], path);
    } else if (entry?.kind === "self") {
      out.self.push({ role, extras: entry.extras, file: path });
    } else if (entry?.kind === "include") {
      const included = resolveInclude(path, line, entry.target);
      if (seen.has(included)) continue;
      if (chain.length >= MAX_INCLUDE_DEPTH) {
        throw new ProjectFactsError(`${path} line ${line.n}: -r ${entry.target} nests includes deeper than ${MAX_INCLUDE_DEPTH} (${[...chain, path].join(" -> ")}): flatten them`);
      }
      const content = await source.read(included);
      if (content === undefined) throw new ProjectFactsError(`${path} line ${line.n}: -r ${entry.target}: ${included} does not exist: fix the include`);
      if (!out.files.some((f) => f.path === included)) out.files.push({ path: included, what: "(-r)" });
      await collect(source, included, content, role, out, seen, [...chain, path]);
    }
  }
}

/** The optional dependencies of pyproject.toml's `extra`, or [] without one. */
const extraRequirements = (pyproject: Table | undefined, extra: string): Requirement[] => {
  const optional = get(pyproject, "project", "optional-dependencies");
  const specs = isTable(optional) ? optional[extra] : undefined;
  return Array.isArray(specs) ? parseRequirements(specs) : [];
};

/**
 * Facts from the requirements files among `files` (project-relative paths), read through `source`.
 * `pyproject` (when there is one) resolves references to the project itself and the dev extras.
 */
export async function readRequirementsFacts(source: ProjectSource, files: string[], pyproject?: Table, devExtras: string[] = []): Promise<ProjectFacts> {
  const out: Collected = { runtime: [], dev: new Map(), self: [], files: [] };
  for (const role of ["runtime", "dev"] as const) {
    const seen = new Set<string>();
    for (const path of files.filter((f) => requirementsRole(f) === role)) {
      // A role file already read through an include of the same role keeps its role in the listing.
      const known = out.files.find((f) => f.path === path);
      if (known) known.what = known.what === "(-r)" ? `(${role})` : known.what;
      else out.files.push({ path, what: `(${role})` });
      if (seen.has(path)) continue;
      const text = await source.read(path);
      if (text !== undefined) await collect(source, path, text, role, out, seen, []);
    }
  }
  // With a pyproject.toml, its [project.dependencies] are runtime whether or not a file says `.`:
  // subtracting them can only spare a package the project needs. Extras named in a dev file are dev.
  const ownDependencies = projectDependencies(pyproject);
  out.runtime.push(...ownDependencies);
  if (pyproject) {
    for (const { role, extras, file } of out.self) {
      for (const extra of extras) {
        if (role === "runtime") out.runtime.push(...extraRequirements(pyproject, extra));
        else addRoots(out.dev, extraRequirements(pyproject, extra), `${file} (.[${extra}])`);
      }
    }
  }
  addDevExtras(out.dev, pyproject, devExtras);
  const tables = [
    ...(ownDependencies.length ? ["[project.dependencies]"] : []),
    ...(out.self.some((s) => s.role === "dev" && s.extras.length) || devExtras.length ? ["[project.optional-dependencies]"] : []),
  ];
  return devOnlyFacts({
    devRoots: out.dev,
    runtimeRoots: out.runtime,
    project: projectName(pyproject),
    layout: { kind: "requirements", files: [...out.files, ...(tables.length ? [{ path: "pyproject.toml", what: tables.join(" ") }] : [])] },
  });
}
