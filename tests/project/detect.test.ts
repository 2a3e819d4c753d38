import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { readProjectFactsFromDir } from "../../src/project/facts.js";
import { describeLayout } from "../../src/project/layout.js";
import { lines, projectDir } from "./helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The layout line the check's evidence would show for a project of `files`. */
async function layoutOf(files: Record<string, string>, devExtras: string[] = []): Promise<string> {
  const dir = projectDir(files);
  dirs.push(dir);
  const { facts, missing } = await readProjectFactsFromDir(dir, devExtras);
  return facts ? describeLayout(facts.layout) : `none: ${missing}`;
}

const PEP621 = lines("[project]", 'name = "svc"', 'version = "1.0"', 'dependencies = ["fastapi"]');
const GROUPS = lines(PEP621, "[dependency-groups]", 'dev = ["pytest"]');
const UV_LOCK = lines("version = 1", "[[package]]", 'name = "pytest"', 'version = "8.3.2"');

describe("layout precedence", () => {
  it("reads uv.lock before anything else", async () => {
    expect(await layoutOf({ "pyproject.toml": GROUPS, "uv.lock": UV_LOCK, "requirements.txt": "fastapi\n", "requirements-dev.txt": "pytest\n" })).toBe(
      "uv (pyproject.toml [dependency-groups.dev], uv.lock); not read: requirements-dev.txt, requirements.txt",
    );
  });

  it("reads poetry.lock next: before requirements files (poetry export output) and uv-style groups", async () => {
    const poetry = lines(PEP621, "[tool.poetry.group.dev.dependencies]", 'pytest = "^8"', "[dependency-groups]", 'docs = ["mkdocs"]');
    const lock = lines("[[package]]", 'name = "pytest"', 'version = "8.3.2"');
    expect(await layoutOf({ "pyproject.toml": poetry, "poetry.lock": lock, "requirements.txt": "fastapi\n" })).toBe(
      "poetry (pyproject.toml [tool.poetry.group.dev] [dependency-groups.docs], poetry.lock); not read: requirements.txt",
    );
    expect(await layoutOf({ "pyproject.toml": poetry, "poetry.lock": lock, "uv.lock": UV_LOCK })).toBe("uv (pyproject.toml [project.dependencies], uv.lock); not read: poetry.lock");
  });

  it("reads [tool.poetry] tables without poetry.lock before PEP 735 groups", async () => {
    expect(await layoutOf({ "pyproject.toml": lines(GROUPS, "[tool.poetry.dependencies]", 'python = "^3.11"') })).toBe("poetry (pyproject.toml [dependency-groups.dev])");
  });

  it("reads pdm.lock after poetry.lock, and [tool.pdm.dev-dependencies] without it; pdm-backend's [tool.pdm.build] alone is no PDM project", async () => {
    const pdm = lines(GROUPS, "[tool.pdm.dev-dependencies]", 'lint = ["ruff"]');
    const lock = lines("[[package]]", 'name = "ruff"', 'version = "0.6.1"');
    expect(await layoutOf({ "pyproject.toml": pdm, "pdm.lock": lock })).toBe("pdm (pyproject.toml [tool.pdm.dev-dependencies.lint] [dependency-groups.dev], pdm.lock)");
    expect(await layoutOf({ "pyproject.toml": lines(pdm, "[tool.poetry.group.dev.dependencies]", 'pytest = "*"'), "pdm.lock": lock, "poetry.lock": lock })).toMatch(/^poetry .*; not read: pdm\.lock$/);
    expect(await layoutOf({ "pyproject.toml": pdm })).toBe("pdm (pyproject.toml [tool.pdm.dev-dependencies.lint] [dependency-groups.dev])");
    expect(await layoutOf({ "pyproject.toml": lines(GROUPS, "[tool.pdm.build]", 'includes = ["src"]') })).toBe("pyproject (pyproject.toml [dependency-groups.dev])");
  });

  it("reads Pipfile.lock after the pyproject locks, and a Pipfile before PEP 735 groups and requirements files", async () => {
    const pipfile = lines("[packages]", 'flask = "*"', "[dev-packages]", 'pytest = "*"');
    const lock = JSON.stringify({ _meta: {}, default: { flask: {} }, develop: { pytest: {} } });
    expect(await layoutOf({ Pipfile: pipfile, "Pipfile.lock": lock, "pyproject.toml": GROUPS, "uv.lock": UV_LOCK })).toMatch(/^uv .*; not read: Pipfile, Pipfile\.lock$/);
    expect(await layoutOf({ Pipfile: pipfile, "Pipfile.lock": lock, "requirements-dev.txt": "pytest\n" })).toBe(
      "pipenv (Pipfile [dev-packages], Pipfile.lock develop); not read: requirements-dev.txt",
    );
    expect(await layoutOf({ Pipfile: pipfile, "pyproject.toml": GROUPS })).toBe("pipenv (Pipfile [dev-packages]); not read: pyproject.toml");
  });

  it("prefers pyproject.toml's dev declarations to requirements files (an export of them)", async () => {
    expect(await layoutOf({ "pyproject.toml": GROUPS, "requirements.txt": "fastapi\n" })).toBe("pyproject (pyproject.toml [dependency-groups.dev]); not read: requirements.txt");
    expect(await layoutOf({ "pyproject.toml": PEP621, "requirements.txt": "fastapi\n" }, ["docs"]).catch((e: Error) => e.message)).toMatch(/devExtras names "docs", which is not in \[project.optional-dependencies\]/);
  });

  it("prefers requirements files to a pyproject.toml that declares no dev dependency", async () => {
    expect(await layoutOf({ "pyproject.toml": PEP621, "requirements-dev.txt": "pytest\n" })).toBe("requirements (requirements-dev.txt (dev), pyproject.toml [project.dependencies])");
    expect(await layoutOf({ "pyproject.toml": PEP621 })).toBe("pyproject (pyproject.toml [project.dependencies])");
  });

  it("finds none in a directory without Python metadata (a lock alone names no roots)", async () => {
    expect(await layoutOf({ "README.md": "# hi\n", "uv.lock": UV_LOCK, "requirements-gpu.txt": "torch\n" })).toMatch(/^none: no Python project metadata found in .*: none of pyproject.toml, requirements\*\.txt, Pipfile$/);
  });

  it("keeps a bad pyproject.toml a one-line error even when another layout would be read", async () => {
    expect(await layoutOf({ "pyproject.toml": "[project\n", "requirements.txt": "x\n" }).catch((e: Error) => e.message)).toMatch(/^pyproject\.toml line 1: not valid TOML .*: fix the file$/);
  });
});
