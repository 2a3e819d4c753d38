import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { noDevDependenciesCheck } from "../../src/checks/image/no-dev-dependencies.js";
import { runCheck } from "../../src/checks/run.js";
import { defaultConfig } from "../../src/config/schema.js";
import type { Runtime } from "../../src/runtime/types.js";
import { verify } from "../../src/verify.js";
import { readProjectFactsFromDir } from "../../src/project/facts.js";
import { buildImage } from "../support/synthetic-image.js";
import { lines, projectDir } from "../project/helpers.js";
import { normalizeName } from "../../src/project/requirement.js";
import type { ProjectFacts } from "../../src/project/types.js";
import { evidence, image } from "./evidence.js";

const SP = "app/.venv/lib/python3.12/site-packages";
const facts: ProjectFacts = {
  devPackages: ["pytest", "ruff", "iniconfig"],
  devPackageSources: { pytest: "dependency-groups.dev", ruff: "dependency-groups.dev", iniconfig: "uv.lock (via pytest)" },
  runtimePackages: ["fastapi"],
  layout: { kind: "uv", files: [{ path: "pyproject.toml", what: "[dependency-groups.dev]" }, { path: "uv.lock" }] },
};
const LAYOUT = "layout: uv (pyproject.toml [dependency-groups.dev], uv.lock)";
const runtimeLayer = { createdBy: "RUN uv sync --frozen --no-dev", files: [`${SP}/fastapi-0.115.0.dist-info/METADATA`, `${SP}/fastapi/__init__.py`] };

describe("no-dev-dependencies", () => {
  it("passes when no dev distribution is installed", () => {
    const j = noDevDependenciesCheck.judge(evidence({ image: image([runtimeLayer]), project: facts }));
    expect(j.verdict).toBe("pass");
    expect(j.evidence).toEqual([LAYOUT, "checked: iniconfig, pytest, ruff"]);
  });

  it("fails with each dev distribution, its path and layer", () => {
    const dev = { createdBy: "RUN uv sync --frozen", files: [`${SP}/pytest-9.2.0.dist-info/METADATA`, `${SP}/iniconfig-2.3.1.dist-info/RECORD`] };
    const j = noDevDependenciesCheck.judge(evidence({ image: image([runtimeLayer, dev]), project: facts }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("2 dev-only distribution(s) installed: iniconfig, pytest");
    expect(j.evidence).toEqual([
      LAYOUT,
      `iniconfig 2.3.1: ${SP}/iniconfig-2.3.1.dist-info in layer 1 (RUN uv sync --frozen) [uv.lock (via pytest)]`,
      `pytest 9.2.0: ${SP}/pytest-9.2.0.dist-info in layer 1 (RUN uv sync --frozen) [dependency-groups.dev]`,
    ]);
  });

  it("ignores a dev distribution deleted by a later layer (the final filesystem counts)", () => {
    const dev = { files: [`${SP}/ruff-0.17.6.dist-info/METADATA`] };
    const j = noDevDependenciesCheck.judge(evidence({ image: image([dev, { deletes: [`${SP}/ruff-0.17.6.dist-info`] }]), project: facts }));
    expect(j.verdict).toBe("pass");
  });

  it("normalises names (PEP 503, '_' in dist-info) and honours forbiddenPackages", () => {
    expect(normalizeName("Typing_Extensions")).toBe("typing-extensions");
    const files = [`${SP}/pytest_asyncio-0.24.0.dist-info/METADATA`, `${SP}/Flask-3.0.0.dist-info/METADATA`];
    const project: ProjectFacts = { ...facts, devPackages: ["pytest-asyncio"], devPackageSources: {}, runtimePackages: [] };
    const j = noDevDependenciesCheck.judge(evidence({ image: image([{ files }]), project, config: { forbiddenPackages: ["flask"] } }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("2 dev-only distribution(s) installed: flask, pytest-asyncio");
    expect(j.evidence[1]).toContain("[forbiddenPackages (verify.yaml)]");
  });

  it("warns when the project declares no dev packages", () => {
    const project: ProjectFacts = { ...facts, devPackages: [], devPackageSources: {} };
    const j = noDevDependenciesCheck.judge(evidence({ image: image([runtimeLayer]), project }));
    expect(j.verdict).toBe("warn");
    expect(j.summary).toContain("nothing to compare against");
  });
});

describe("no-dev-dependencies without project facts", () => {
  const reason = "no Python project metadata found in /src/app: none of pyproject.toml, requirements*.txt, Pipfile";
  const devLayer = { createdBy: "RUN pip install -r requirements-dev.txt", files: [`${SP}/pytest-9.2.0.dist-info/METADATA`, `${SP}/Flask-3.0.0.dist-info/METADATA`] };

  it("skips with the reason when nothing is forbidden", () => {
    const j = runCheck(noDevDependenciesCheck, evidence({ image: image([runtimeLayer, devLayer]), notGathered: { project: reason } }));
    expect(j).toMatchObject({ verdict: "skip", summary: `not gathered: project (${reason})`, evidence: [] });
  });

  it("still judges forbiddenPackages: fails on an installed one, else skips saying they were checked", () => {
    const withFlask = evidence({ image: image([runtimeLayer, devLayer]), notGathered: { project: reason }, config: { forbiddenPackages: ["Flask"] } });
    const fail = runCheck(noDevDependenciesCheck, withFlask);
    expect(fail.verdict).toBe("fail");
    expect(fail.summary).toBe("1 dev-only distribution(s) installed: flask");
    expect(fail.evidence).toEqual([`flask 3.0.0: ${SP}/Flask-3.0.0.dist-info in layer 1 (RUN pip install -r requirements-dev.txt) [forbiddenPackages (verify.yaml)]`]);
    const clean = runCheck(noDevDependenciesCheck, { ...withFlask, image: image([runtimeLayer]) });
    expect(clean).toMatchObject({ verdict: "skip", summary: `not gathered: project (${reason})`, evidence: ["forbiddenPackages checked, none installed: flask"] });
  });

  it("skips, with every other check judged, through verify() on a project directory without metadata", async () => {
    const root = await mkdtemp(join(tmpdir(), "no-project-"));
    const img = await buildImage({
      format: "docker-archive",
      layers: [{ createdBy: "FROM python:3.12-slim", files: [{ path: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n" }] }, { createdBy: devLayer.createdBy, files: devLayer.files.map((path) => ({ path })) }],
      config: { user: "1001", cmd: ["python", "main.py"] },
    });
    try {
      await mkdir(join(root, "app"));
      await writeFile(join(root, "app/Dockerfile"), "FROM python:3.12-slim\n");
      // A runtime that hands over the tarball: verify()'s evidence path with no engine.
      const runtime: Runtime = {
        name: "tarball",
        build: async () => ({ name: "built" }),
        startConfig: () => Promise.reject(new Error("not started: skipRuntime")),
        exportTarball: async () => img.path,
        runScenario: () => Promise.reject(new Error("not started: skipRuntime")),
        close: async () => {},
      };
      const config = { ...defaultConfig(), context: "app", dockerfile: "Dockerfile", target: "" };
      const report = await verify({ config, runtime, repoRoot: root, skipRuntime: true, skipCache: true });
      const result = report.results.find((r) => r.id === "no-dev-dependencies");
      expect(result).toMatchObject({
        verdict: "skip",
        summary: `not gathered: project (no Python project metadata found in ${join(root, "app")}: none of pyproject.toml, requirements*.txt, Pipfile)`,
      });
      expect(report.results.find((r) => r.id === "non-root")?.verdict).toBe("pass");
      expect(report.results.filter((r) => r.verdict !== "skip").length).toBeGreaterThan(5);
    } finally {
      await img.cleanup();
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("no-dev-dependencies names the layout it read", () => {
  const withPytest = image([runtimeLayer, { createdBy: "RUN pip install -r requirements-dev.txt", files: [`${SP}/pytest-8.3.2.dist-info/METADATA`] }]);
  const PEP621 = lines("[project]", 'name = "svc"', 'dependencies = ["fastapi"]');

  it.each([
    ["requirements", { "requirements.txt": "fastapi==0.115.0\n", "requirements-dev.txt": "-r requirements.txt\npytest==8.3.2\n" }, "layout: requirements (requirements.txt (runtime), requirements-dev.txt (dev))", "`pip install -r requirements.txt` only"],
    ["poetry", { "pyproject.toml": lines("[tool.poetry.dependencies]", 'python = "^3.12"', 'fastapi = "*"', "[tool.poetry.group.test.dependencies]", 'pytest = "*"'), "poetry.lock": lines("[[package]]", 'name = "pytest"', 'version = "8.3.2"') }, "layout: poetry (pyproject.toml [tool.poetry.group.test], poetry.lock)", "`poetry install --only main`"],
    ["pdm", { "pyproject.toml": lines(PEP621, "[tool.pdm.dev-dependencies]", 'test = ["pytest"]') }, "layout: pdm (pyproject.toml [tool.pdm.dev-dependencies.test])", "`pdm install --prod`"],
    ["pipenv", { Pipfile: lines("[packages]", 'fastapi = "*"', "[dev-packages]", 'pytest = "*"') }, "layout: pipenv (Pipfile [dev-packages])", "`pipenv install --deploy`"],
    ["uv", { "pyproject.toml": lines(PEP621, "[dependency-groups]", 'dev = ["pytest"]'), "uv.lock": "version = 1\n" }, "layout: uv (pyproject.toml [dependency-groups.dev], uv.lock)", "`uv sync --frozen --no-dev`"],
  ] as const)("%s: the evidence starts with the layout, the fix uses its tool", async (_kind, files, layoutLine, fix) => {
    const dir = projectDir(files);
    try {
      const { facts } = await readProjectFactsFromDir(dir);
      const j = noDevDependenciesCheck.judge(evidence({ image: withPytest, project: facts }));
      expect(j.verdict).toBe("fail");
      expect(j.evidence[0]).toBe(layoutLine);
      expect(j.evidence[1]).toMatch(/^pytest 8\.3\.2: .*pytest-8\.3\.2\.dist-info in layer 1/);
      expect(j.fix).toContain(fix);
      const clean = noDevDependenciesCheck.judge(evidence({ image: image([runtimeLayer]), project: facts }));
      expect(clean).toMatchObject({ verdict: "pass", evidence: [layoutLine, "checked: pytest"] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
