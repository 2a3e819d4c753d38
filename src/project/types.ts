/** What the API's sources promise about its dependencies, read from its Python project files (see ./facts.ts). */
export interface ProjectFacts {
  /** Normalised distribution names (PEP 503: lower case, runs of -_. as "-") that are development-only. */
  devPackages: string[];
  /** Where each dev package came from, for evidence: "dependency-groups.dev", "uv.lock (via pytest)", ... */
  devPackageSources: Record<string, string>;
  /** The runtime dependencies the layout declares ([project.dependencies], [packages], requirements.txt), normalised. */
  runtimePackages: string[];
  /** Which layout was read, and from which files. */
  layout: ProjectLayout;
}

/**
 * The project layouts read. "pyproject" is a PEP 621/735 project without uv's marks (no uv.lock, no
 * [tool.uv]): the same reader as "uv".
 */
export type LayoutKind = "uv" | "pyproject" | "poetry" | "pdm" | "pipenv" | "requirements";

/** One file read, relative to the project directory (forward slashes), and what was read in it. */
export interface LayoutFile {
  path: string;
  /** The tables or the role read in it: "[tool.poetry.group.dev]", "dev", "runtime", "-r". */
  what?: string;
}

export interface ProjectLayout {
  kind: LayoutKind;
  files: LayoutFile[];
  /** Project files present but not read (another layout's, or requirements files of no known role). */
  unread?: string[];
}
