import { describe, expect, it } from "vitest";
import { dependencyLayerCacheCheck } from "../../src/checks/image/dependency-layer-cache.js";
import { evidence, image, type LayerSpec } from "./evidence.js";

const SP = "app/.venv/lib/python3.12/site-packages";
const deps: LayerSpec = { createdBy: "RUN uv sync --frozen --no-dev --no-install-project", files: [`${SP}/fastapi-0.115.0.dist-info/METADATA`, `${SP}/anyio-4.6.0.dist-info/METADATA`] };
const base: LayerSpec = { createdBy: "FROM python:3.12-slim", files: ["usr/bin/python3"] };
const lock: LayerSpec = { createdBy: "COPY pyproject.toml uv.lock ./", files: ["app/uv.lock"] };
const src = (v: string): LayerSpec => ({ createdBy: "COPY app/ /app/app/", files: ["app/app/main.py"], diffId: `sha256:${v.repeat(64)}` });

describe("dependency-layer-cache", () => {
  it("passes when only the source layer differs", () => {
    const cache = { first: image([base, lock, deps, src("a")]), second: image([base, lock, deps, src("b")]), touched: "app/main.py" };
    const j = dependencyLayerCacheCheck.judge(evidence({ cache }));
    expect(j.verdict).toBe("pass");
    expect(j.summary).toBe("dependency layer 2 is reused when only app/main.py changes");
    expect(j.evidence[3]).toBe("first differing layer: 3: COPY app/ /app/app/ -> COPY app/ /app/app/");
  });

  it("fails when the source is copied before dependencies are installed", () => {
    const copyAll = (v: string): LayerSpec => ({ createdBy: "COPY . /app", files: ["app/main.py"], diffId: `sha256:${v.repeat(64)}` });
    const depsAfter = (v: string): LayerSpec => ({ ...deps, diffId: `sha256:${v.repeat(64)}` });
    const cache = { first: image([base, copyAll("a"), depsAfter("c")]), second: image([base, copyAll("b"), depsAfter("d")]), touched: "app/main.py" };
    const j = dependencyLayerCacheCheck.judge(evidence({ cache }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("changing app/main.py rebuilds the dependency layer 2: the source is copied before dependencies are installed");
    expect(j.evidence).toEqual([
      "changed between builds: app/main.py",
      "dependency layer (2 distributions), first build: layer 2 diffId sha256:cccccccccccc (RUN uv sync --frozen --no-dev --no-install-project)",
      "same position, second build: layer 2 diffId sha256:dddddddddddd (RUN uv sync --frozen --no-dev --no-install-project)",
      "first differing layer: 1: COPY . /app -> COPY . /app",
    ]);
  });

  it("fails clearly when no layer installs distributions", () => {
    const cache = { first: image([base, src("a")]), second: image([base, src("b")]), touched: "app/main.py" };
    expect(dependencyLayerCacheCheck.judge(evidence({ cache })).summary).toBe("no dependency layer: no layer adds *.dist-info under site-packages");
  });

  it("warns when the two builds are identical", () => {
    const cache = { first: image([base, deps]), second: image([base, deps]), touched: "README.md" };
    expect(dependencyLayerCacheCheck.judge(evidence({ cache })).verdict).toBe("warn");
  });
});
