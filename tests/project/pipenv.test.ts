import { rmSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { readProjectFactsFromDir } from "../../src/project/facts.js";
import { describeLayout } from "../../src/project/layout.js";
import { readPipenvFacts } from "../../src/project/pipenv.js";
import { lines, projectDir } from "./helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const PIPFILE = lines(
  "[[source]]",
  'url = "https://pypi.org/simple"',
  "verify_ssl = true",
  'name = "pypi"',
  "",
  "[packages]",
  'flask = "==3.0.3"',
  'gunicorn = "*"',
  'psycopg = {version = "*", extras = ["binary"]}',
  "",
  "[dev-packages]",
  'pytest = "*"',
  'pytest-flask = "*"',
  "",
  "[docs]",
  'sphinx = "*"',
  "",
  "[requires]",
  'python_version = "3.12"',
  "",
  "[scripts]",
  'test = "pytest -q"',
);

const entry = (version: string, markers?: string) => ({ hashes: [`sha256:${"0".repeat(64)}`], index: "pypi", version: `==${version}`, ...(markers ? { markers } : {}) });
const PIPFILE_LOCK = JSON.stringify(
  {
    _meta: { hash: { sha256: "00" }, "pipfile-spec": 6, requires: { python_version: "3.12" }, sources: [{ name: "pypi", url: "https://pypi.org/simple", verify_ssl: true }] },
    default: {
      blinker: entry("1.8.2"),
      click: entry("8.1.7"),
      flask: entry("3.0.3"),
      gunicorn: entry("22.0.0"),
      itsdangerous: entry("2.2.0"),
      jinja2: entry("3.1.4"),
      markupsafe: entry("2.1.5"),
      packaging: entry("24.1"),
      psycopg: entry("3.2.1"),
      "psycopg-binary": entry("3.2.1", "implementation_name != 'pypy'"),
      werkzeug: entry("3.0.3"),
    },
    develop: {
      click: entry("8.1.7"),
      flask: entry("3.0.3"),
      iniconfig: entry("2.0.0"),
      packaging: entry("24.1"),
      pluggy: entry("1.5.0"),
      pytest: entry("8.3.2"),
      "pytest-flask": entry("1.3.0"),
      werkzeug: entry("3.0.3"),
    },
    docs: { sphinx: entry("7.4.7"), "Sphinx_RTD_Theme": entry("2.0.0"), jinja2: entry("3.1.4") },
  },
  null,
  4,
);

describe("pipenv layout", () => {
  it("reads [dev-packages] and custom categories against [packages] without a lock", () => {
    const facts = readPipenvFacts(PIPFILE, undefined);
    expect(facts.devPackages).toEqual(["pytest", "pytest-flask", "sphinx"]);
    expect(facts.devPackageSources).toEqual({ pytest: "Pipfile [dev-packages]", "pytest-flask": "Pipfile [dev-packages]", sphinx: "Pipfile [docs]" });
    expect(facts.runtimePackages).toEqual(["flask", "gunicorn", "psycopg"]);
  });

  it("reads Pipfile.lock: in develop (or a category) but not in default is dev-only", async () => {
    const dir = projectDir({ Pipfile: PIPFILE, "Pipfile.lock": PIPFILE_LOCK, "requirements.txt": "flask\n" });
    dirs.push(dir);
    const { facts } = await readProjectFactsFromDir(dir);
    expect(facts?.devPackages).toEqual(["iniconfig", "pluggy", "pytest", "pytest-flask", "sphinx", "sphinx-rtd-theme"]);
    expect(facts?.devPackageSources).toMatchObject({ pytest: "Pipfile [dev-packages]", pluggy: "Pipfile.lock develop", "sphinx-rtd-theme": "Pipfile.lock docs" });
    for (const shared of ["click", "flask", "packaging", "werkzeug", "jinja2"]) expect(facts?.devPackages).not.toContain(shared);
    expect(describeLayout(facts!.layout)).toBe("pipenv (Pipfile [dev-packages] [docs], Pipfile.lock develop docs); not read: requirements.txt");
  });

  it("reads a Pipfile.lock without its Pipfile", async () => {
    const dir = projectDir({ "Pipfile.lock": PIPFILE_LOCK });
    dirs.push(dir);
    const { facts } = await readProjectFactsFromDir(dir);
    expect(facts?.devPackages).toContain("pytest");
    expect(facts?.layout.files).toEqual([{ path: "Pipfile.lock", what: "develop docs" }]);
  });

  it("is a one-line error for a bad Pipfile or Pipfile.lock", () => {
    expect(() => readPipenvFacts("[packages\n", undefined)).toThrow(/^Pipfile line 1: not valid TOML .*: fix the file$/);
    expect(() => readPipenvFacts(PIPFILE, '{"default": {')).toThrow(/^Pipfile\.lock: not valid JSON \(.+\): fix the file or run pipenv lock again$/);
    expect(() => readPipenvFacts(PIPFILE, "[]")).toThrow("Pipfile.lock: not a JSON object with default and develop sections: run pipenv lock again");
  });
});
