import { describe, expect, it } from "vitest";
import { noDevDependenciesCheck } from "../../src/checks/image/no-dev-dependencies.js";
import { normalizeName } from "../../src/project/requirement.js";
import type { ProjectFacts } from "../../src/project/types.js";
import { evidence, image } from "./evidence.js";

const SP = "app/.venv/lib/python3.12/site-packages";
const facts: ProjectFacts = {
  devPackages: ["pytest", "ruff", "iniconfig"],
  devPackageSources: { pytest: "dependency-groups.dev", ruff: "dependency-groups.dev", iniconfig: "uv.lock (via pytest)" },
  runtimePackages: ["fastapi"],
};
const runtimeLayer = { createdBy: "RUN uv sync --frozen --no-dev", files: [`${SP}/fastapi-0.115.0.dist-info/METADATA`, `${SP}/fastapi/__init__.py`] };

describe("no-dev-dependencies", () => {
  it("passes when no dev distribution is installed", () => {
    const j = noDevDependenciesCheck.judge(evidence({ image: image([runtimeLayer]), project: facts }));
    expect(j.verdict).toBe("pass");
    expect(j.evidence).toEqual(["checked: iniconfig, pytest, ruff"]);
  });

  it("fails with each dev distribution, its path and layer", () => {
    const dev = { createdBy: "RUN uv sync --frozen", files: [`${SP}/pytest-9.2.0.dist-info/METADATA`, `${SP}/iniconfig-2.3.1.dist-info/RECORD`] };
    const j = noDevDependenciesCheck.judge(evidence({ image: image([runtimeLayer, dev]), project: facts }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("2 dev-only distribution(s) installed: iniconfig, pytest");
    expect(j.evidence).toEqual([
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
    const project: ProjectFacts = { devPackages: ["pytest-asyncio"], devPackageSources: {}, runtimePackages: [] };
    const j = noDevDependenciesCheck.judge(evidence({ image: image([{ files }]), project, config: { forbiddenPackages: ["flask"] } }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("2 dev-only distribution(s) installed: flask, pytest-asyncio");
    expect(j.evidence[0]).toContain("[forbiddenPackages (verify.yaml)]");
  });

  it("warns when the project declares no dev packages", () => {
    const project: ProjectFacts = { devPackages: [], devPackageSources: {}, runtimePackages: ["fastapi"] };
    const j = noDevDependenciesCheck.judge(evidence({ image: image([runtimeLayer]), project }));
    expect(j.verdict).toBe("warn");
    expect(j.summary).toContain("nothing to compare against");
  });
});
