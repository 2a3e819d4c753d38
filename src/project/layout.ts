/** Naming a ProjectLayout in one line of evidence. */
import type { DevRoots } from "./lock.js";
import type { LayoutFile, ProjectLayout } from "./types.js";

const fileLine = (f: LayoutFile) => (f.what ? `${f.path} ${f.what}` : f.path);

/** `poetry (pyproject.toml [tool.poetry.group.dev], poetry.lock)`, plus the files left unread. */
export function describeLayout(layout: ProjectLayout): string {
  const unread = layout.unread?.length ? `; not read: ${layout.unread.join(", ")}` : "";
  return `${layout.kind} (${layout.files.map(fileLine).join(", ")})${unread}`;
}

/**
 * pyproject.toml as a LayoutFile: the tables the dev roots came from ("[dependency-groups.dev]
 * [tool.uv.dev-dependencies]"), or the runtime table alone when it declares no dev dependency.
 */
export function pyprojectFile(roots: DevRoots, runtimeTable = "[project.dependencies]"): LayoutFile {
  const tables = [...new Set([...roots.values()].map((r) => `[${r.source}]`))];
  return { path: "pyproject.toml", what: tables.length ? tables.join(" ") : runtimeTable };
}
