/** What the API's sources promise, read from pyproject.toml and uv.lock (see ./facts.ts). */
export interface ProjectFacts {
  /** Normalised distribution names (PEP 503: lower case, runs of -_. as "-") that are development-only. */
  devPackages: string[];
  /** Where each dev package came from, for evidence: "dependency-groups.dev", "uv.lock (via pytest)", ... */
  devPackageSources: Record<string, string>;
  /** Runtime dependencies declared in [project.dependencies], normalised. */
  runtimePackages: string[];
}
