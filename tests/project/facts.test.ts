import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readProjectFactsFromDir } from "../../src/project/facts.js";
import { parseRequirement } from "../../src/project/requirement.js";
import { readUvFacts } from "../../src/project/uv.js";

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
    const facts = await readProjectFactsFromDir(API);
    const pyproject = await readFile(join(API, "pyproject.toml"), "utf8");
    expect(facts).toEqual(readUvFacts(pyproject, await readFile(join(API, "uv.lock"), "utf8")));
    expect(facts.devPackages).toEqual(expect.arrayContaining(["pytest", "ruff", "httpx2", "iniconfig", "pluggy"]));
    for (const runtime of ["fastapi", "uvicorn", "anyio", "idna", "pydantic", "psycopg-binary"]) expect(facts.devPackages).not.toContain(runtime);
  });

  it("works without uv.lock and names a missing pyproject.toml", async () => {
    const dir = mkdtempSync(join(tmpdir(), "facts-"));
    await expect(readProjectFactsFromDir(dir)).rejects.toThrow(/pyproject\.toml: cannot read it \(ENOENT\): pass the directory that holds pyproject\.toml/);
    writeFileSync(join(dir, "pyproject.toml"), PYPROJECT);
    expect((await readProjectFactsFromDir(dir)).devPackages).toContain("pytest");
  });
});
