import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readProjectFactsFromDir } from "../../src/project/facts.js";
import { parseRequirement } from "../../src/project/requirement.js";
import { readUvFacts } from "../../src/project/uv.js";
import { lines } from "./helpers.js";

const API = join(import.meta.dirname, "../../api");

const PYPROJECT = `
[project]
name = "svc"
version = "1.0.0"
dependencies = ["fastapi>=0.115", "psycopg[binary]>=3.2", "Requests ; python_version >= '3.8'"]

[project.optional-dependencies]
docs = ["mkdocs>=1.6"]

[dependency-groups]
test = ["pytest>=8", "pytest_asyncio"]
lint = ["ruff>=0.6"]
dev = [{ include-group = "test" }, { include-group = "lint" }, "httpx>=0.27"]

[tool.uv]
dev-dependencies = ["mypy"]
`;

const pkg = (name: string, deps: string[] = [], optional = "") =>
  `[[package]]\nname = "${name}"\nversion = "1.0"\ndependencies = [${deps.map((d) => `{ name = "${d}" }`).join(", ")}]\n${optional}\n`;
const LOCK = [
  'version = 1\nrequires-python = ">=3.11"\n',
  pkg("fastapi", ["anyio", "starlette"]),
  pkg("starlette", ["anyio"]),
  pkg("anyio", ["idna"]),
  pkg("idna"),
  pkg("requests", ["idna", "certifi"]),
  pkg("certifi"),
  pkg("psycopg", [], '[package.optional-dependencies]\nbinary = [{ name = "psycopg-binary" }]'),
  pkg("psycopg-binary"),
  pkg("pytest", ["iniconfig", "pluggy"]),
  pkg("pytest-asyncio", ["pytest"]),
  pkg("iniconfig"),
  pkg("pluggy"),
  pkg("ruff"),
  pkg("httpx", ["anyio", "certifi", "httpcore"]),
  pkg("httpcore", ["h11"]),
  pkg("h11"),
  pkg("mypy"),
  pkg("mkdocs", ["click"]),
  pkg("click"),
].join("\n");

describe("parseRequirement", () => {
  it("reads the name and extras of PEP 508 strings", () => {
    expect(parseRequirement("psycopg[binary,pool]>=3.2 ; python_version>'3'")).toEqual({ name: "psycopg", extras: ["binary", "pool"] });
    expect(parseRequirement("Zope.Interface")).toEqual({ name: "zope-interface", extras: [] });
  });
});

describe("readUvFacts", () => {
  it("reads the dev group (includes resolved), legacy uv dev-dependencies, and dev extras without a lock", () => {
    const facts = readUvFacts(PYPROJECT, undefined, ["docs"]);
    expect(facts.devPackages).toEqual(["httpx", "mkdocs", "mypy", "pytest", "pytest-asyncio", "ruff"]);
    expect(facts.devPackageSources).toMatchObject({ pytest: "dependency-groups.dev", mypy: "tool.uv.dev-dependencies", mkdocs: "optional-dependencies.docs" });
    expect(facts.runtimePackages).toEqual(["fastapi", "psycopg", "requests"]);
  });

  it("adds the lock's transitive closure minus what the runtime needs", () => {
    const facts = readUvFacts(PYPROJECT, LOCK);
    expect(facts.devPackages).toEqual(["h11", "httpcore", "httpx", "iniconfig", "mypy", "pluggy", "pytest", "pytest-asyncio", "ruff"]);
    expect(facts.devPackageSources.iniconfig).toBe("uv.lock (via pytest)");
    expect(facts.devPackageSources.h11).toBe("uv.lock (via httpx)");
    // anyio and certifi come with httpx but the runtime needs them too: not dev-only.
    expect(facts.devPackages).not.toContain("anyio");
    expect(facts.devPackages).not.toContain("certifi");
  });

  it("never calls the project itself dev-only when a dev group asks for it with extras", () => {
    const selfRef = lines('[project]', 'name = "Svc"', 'dependencies = ["fastapi"]', "[project.optional-dependencies]", 'test = ["pytest"]', "[dependency-groups]", 'dev = ["svc[test]"]');
    const lock = [pkg("svc", ["fastapi"], '[package.optional-dependencies]\ntest = [{ name = "pytest" }]'), pkg("fastapi"), pkg("pytest")].join("\n");
    expect(readUvFacts(selfRef, lock).devPackages).toEqual(["pytest"]);
  });

    it("warns-level facts: a project without dev dependencies yields none", () => {
    expect(readUvFacts('[project]\nname = "x"\ndependencies = ["fastapi"]\n').devPackages).toEqual([]);
  });

  it("fails clearly on bad TOML, a group cycle, or an unknown dev extra", () => {
    expect(() => readUvFacts("[project\nname=1")).toThrow(/^pyproject\.toml line 1: not valid TOML .*: fix the file$/);
    expect(() => readUvFacts('[dependency-groups]\ndev = [{ include-group = "a" }]\na = [{ include-group = "dev" }]\n')).toThrow(
      "pyproject.toml: [dependency-groups] dev -> a -> dev is a cycle: remove one include-group",
    );
    expect(() => readUvFacts(PYPROJECT, undefined, ["nope"])).toThrow(/devExtras names "nope"/);
  });
});

describe("readProjectFactsFromDir", () => {
  it("reads the repository's api/ (pyproject.toml + uv.lock)", async () => {
    expect(existsSync(join(API, "pyproject.toml"))).toBe(true);
    const { facts } = await readProjectFactsFromDir(API);
    const pyproject = await readFile(join(API, "pyproject.toml"), "utf8");
    expect(facts).toEqual(readUvFacts(pyproject, await readFile(join(API, "uv.lock"), "utf8")));
    expect(facts?.devPackages).toEqual(expect.arrayContaining(["pytest", "ruff", "httpx2", "iniconfig", "pluggy"]));
    for (const runtime of ["fastapi", "uvicorn", "anyio", "idna", "pydantic", "psycopg-binary"]) expect(facts?.devPackages).not.toContain(runtime);
    expect(facts?.layout).toEqual({ kind: "uv", files: [{ path: "pyproject.toml", what: "[dependency-groups.dev]" }, { path: "uv.lock" }] });
  });

  it("works without uv.lock; a directory without metadata yields the reason, not an error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "facts-"));
    writeFileSync(join(dir, "README.md"), "# not a Python project\n");
    expect(await readProjectFactsFromDir(dir)).toEqual({ missing: `no Python project metadata found in ${dir}: none of pyproject.toml, requirements*.txt, Pipfile` });
    writeFileSync(join(dir, "pyproject.toml"), PYPROJECT);
    const { facts } = await readProjectFactsFromDir(dir);
    expect(facts?.devPackages).toContain("pytest");
    expect(facts?.layout.kind).toBe("uv");
  });

  it("names a project directory that does not exist, and an unreadable file", async () => {
    await expect(readProjectFactsFromDir("/no/such/project")).rejects.toThrow(
      "/no/such/project: cannot read it (ENOENT): pass the project directory (the folder with pyproject.toml, requirements.txt or Pipfile)",
    );
    const dir = mkdtempSync(join(tmpdir(), "facts-"));
    mkdirSync(join(dir, "pyproject.toml"));
    await expect(readProjectFactsFromDir(dir)).rejects.toThrow(`${join(dir, "pyproject.toml")}: cannot read it (EISDIR): check that it is a readable file`);
  });

  it("calls a PEP 621 project without uv's marks pyproject", async () => {
    const dir = mkdtempSync(join(tmpdir(), "facts-"));
    writeFileSync(join(dir, "pyproject.toml"), '[project]\nname = "x"\ndependencies = ["fastapi"]\n[dependency-groups]\ndev = ["pytest"]\n');
    const { facts } = await readProjectFactsFromDir(dir);
    expect(facts?.layout).toEqual({ kind: "pyproject", files: [{ path: "pyproject.toml", what: "[dependency-groups.dev]" }] });
    expect(facts?.devPackages).toEqual(["pytest"]);
  });
});
