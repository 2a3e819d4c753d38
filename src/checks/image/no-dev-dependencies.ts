/**
 * no-dev-dependencies: no distribution of the project's dev dependencies (pytest, ruff, ...) nor any
 * configured forbidden package is installed anywhere in the final filesystem.
 *
 * Without project facts (no Python metadata in the project directory, or no --project) the dev half
 * cannot be judged and the verdict is skip; forbiddenPackages come from verify.yaml alone, so they are
 * still judged then, and an installed one fails.
 */
import type { Check, Evidence, Judgement } from "../types.js";
import { notGatheredSummary } from "../not-gathered.js";
import { finalFiles, type FinalFile } from "../../image/filesystem.js";
import { describeLayout } from "../../project/layout.js";
import { normalizeName } from "../../project/requirement.js";
import type { LayoutKind } from "../../project/types.js";
import { describeLayer } from "./describe.js";

/** Per layout: how to install only runtime dependencies, and where dev dependencies are declared. */
const HINTS: Record<LayoutKind, { install: string; declare: string }> = {
  uv: { install: "`uv sync --frozen --no-dev` (and no dev extras)", declare: "[dependency-groups] dev (or name dev extras in verify.yaml devExtras)" },
  pyproject: { install: "only [project.dependencies] (`pip install .`, no dev extras)", declare: "[dependency-groups] dev (or name dev extras in verify.yaml devExtras)" },
  poetry: { install: "`poetry install --only main` (or `poetry export --only main` into the requirements the image installs)", declare: "[tool.poetry.group.dev.dependencies]" },
  pdm: { install: "`pdm install --prod` (or `pdm sync --prod`)", declare: "[tool.pdm.dev-dependencies] (or [dependency-groups])" },
  pipenv: { install: "`pipenv install --deploy` (or `pipenv sync`) without `--dev` or dev `--categories`", declare: "the Pipfile's [dev-packages]" },
  requirements: { install: "`pip install -r requirements.txt` only, never the dev requirements files", declare: "requirements-dev.txt (starting with `-r requirements.txt`)" },
};

/** An installed distribution, found by its `<name>-<version>.dist-info` directory. */
export interface InstalledDist {
  name: string;
  version: string;
  /** The dist-info directory. */
  path: string;
  /** The layer that wrote its METADATA (or, without one, the first of its files). */
  placed: FinalFile;
}

// dist-info directory names escape `-` in the name as `_`, so the first `-` separates name and version.
const DIST_INFO = /^(.*\/)?([^/-]+)-([^/]+)\.dist-info(\/.*)?$/;

/** Every distribution installed in the merged filesystem, keyed by directory. */
export function installedDistributions(files: ReadonlyMap<string, FinalFile>): InstalledDist[] {
  const found = new Map<string, InstalledDist>();
  // Paths first: a FinalFile is looked up only for a dist-info path.
  for (const path of files.keys()) {
    const m = DIST_INFO.exec(path);
    if (!m) continue;
    const placed = files.get(path)!;
    const dirPath = `${m[1] ?? ""}${m[2]}-${m[3]}.dist-info`;
    const known = found.get(dirPath);
    const isMetadata = m[4] === "/METADATA";
    if (!known || isMetadata) found.set(dirPath, { name: normalizeName(m[2]), version: m[3], path: dirPath, placed });
  }
  return [...found.values()];
}

function judge(evidence: Evidence): Judgement {
  const { image, project, config } = evidence;
  if (!image) throw new Error("image evidence missing");
  const forbidden = new Map<string, string>();
  for (const name of project?.devPackages ?? []) forbidden.set(normalizeName(name), project?.devPackageSources[name] ?? "dev dependencies");
  for (const name of config.forbiddenPackages) forbidden.set(normalizeName(name), "forbiddenPackages (verify.yaml)");
  const dists = installedDistributions(finalFiles(image));
  const hits = dists.filter((d) => forbidden.has(d.name)).sort((a, b) => a.name.localeCompare(b.name));
  const lines = hits.map((d) => `${d.name} ${d.version}: ${d.path} in ${describeLayer(d.placed.layer)} [${forbidden.get(d.name)}]`);
  const layout = project ? [`layout: ${describeLayout(project.layout)}`] : [];
  if (hits.length > 0) {
    return {
      verdict: "fail",
      summary: `${hits.length} dev-only distribution(s) installed: ${[...new Set(hits.map((d) => d.name))].join(", ")}`,
      evidence: [...layout, ...lines],
      fix: project
        ? `install only runtime dependencies in the final image: ${HINTS[project.layout.kind].install}`
        : "install only runtime dependencies in the final image, without the packages forbiddenPackages names",
    };
  }
  if (!project) {
    const checked = config.forbiddenPackages.length ? [`forbiddenPackages checked, none installed: ${[...forbidden.keys()].sort().join(", ")}`] : [];
    return { verdict: "skip", summary: notGatheredSummary(["project"], evidence), evidence: checked };
  }
  if (project.devPackages.length === 0) {
    return {
      verdict: "warn",
      summary: "the project declares no dev dependencies: nothing to compare against",
      evidence: [...layout, `${dists.length} distributions installed`, ...(forbidden.size ? [`forbiddenPackages checked: ${[...forbidden.keys()].join(", ")}`] : [])],
      fix: `declare dev tools in ${HINTS[project.layout.kind].declare}`,
    };
  }
  return {
    verdict: "pass",
    summary: `none of ${forbidden.size} dev-only distributions is installed (${dists.length} installed)`,
    evidence: [...layout, `checked: ${[...forbidden.keys()].sort().join(", ")}`],
  };
}

/** The no-dev-dependencies check. */
export const noDevDependenciesCheck: Check = {
  id: "no-dev-dependencies",
  title: "No development dependencies installed",
  severity: "medium",
  // Not "project": without it the forbidden packages are still judged (see judge).
  needs: ["image"],
  judge,
};
