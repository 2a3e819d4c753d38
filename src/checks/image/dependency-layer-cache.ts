/**
 * dependency-layer-cache: a change to application code alone must not rebuild the dependency layer.
 * Evidence is two builds whose sources differ in one application file: the layer that installs the
 * dependencies must have the same diffId in both (a cache hit).
 */
import type { ImageIndex, LayerInfo, LayerRef } from "../../image/types.js";
import { layerEntries } from "../../image/entries.js";
import type { Check, Evidence, Judgement } from "../types.js";
import { shortDigest, truncate } from "./describe.js";

const DIST_INFO_DIR = /(?:^|\/)site-packages\/([^/]+\.dist-info)(?:\/|$)/;

/** The layer that adds the most `*.dist-info` directories under site-packages, or undefined. */
export function dependencyLayer(image: ImageIndex): { layer: LayerInfo; distributions: number } | undefined {
  let best: { layer: LayerInfo; distributions: number } | undefined;
  for (const layer of image.layers) {
    const dirs = new Set<string>();
    for (const entry of layerEntries(layer)) {
      const m = DIST_INFO_DIR.exec(entry.path);
      if (m) dirs.add(m[1]);
    }
    if (dirs.size > 0 && (!best || dirs.size > best.distributions)) best = { layer, distributions: dirs.size };
  }
  return best;
}

const describe = (l: LayerRef | undefined): string =>
  l ? `layer ${l.index} diffId ${shortDigest(l.diffId ?? "(none)")} (${truncate(l.createdBy) || "created by: unknown"})` : "(no such layer)";

function judge({ cache }: Evidence): Judgement {
  if (!cache) throw new Error("cache evidence missing");
  const { first, second, touched } = cache;
  const dep = dependencyLayer(first);
  if (!dep) {
    return {
      verdict: "fail",
      summary: "no dependency layer: no layer adds *.dist-info under site-packages",
      evidence: [`first build: ${first.layers.length} layers`],
      fix: "install dependencies into a venv in their own RUN step (e.g. `uv sync --frozen --no-dev --no-install-project`)",
    };
  }
  const index = dep.layer.index;
  const again = second.layers[index];
  const firstDiff = first.layers.findIndex((l, i) => second.layers[i]?.diffId !== l.diffId);
  const lines = [
    `changed between builds: ${touched}`,
    `dependency layer (${dep.distributions} distributions), first build: ${describe(dep.layer)}`,
    `same position, second build: ${describe(again)}`,
    firstDiff < 0
      ? "no layer differs between the two builds"
      : `first differing layer: ${firstDiff}: ${truncate(first.layers[firstDiff].createdBy) || "(unknown)"} -> ${truncate(second.layers[firstDiff]?.createdBy ?? "(missing)")}`,
  ];
  if (again?.diffId === dep.layer.diffId) {
    if (firstDiff < 0) {
      return { verdict: "warn", summary: `the two builds are identical: the change to ${touched} did not reach the image`, evidence: lines, fix: "point the cache check at a file that is copied into the image" };
    }
    return { verdict: "pass", summary: `dependency layer ${index} is reused when only ${touched} changes`, evidence: lines };
  }
  return {
    verdict: "fail",
    summary: `changing ${touched} rebuilds the dependency layer ${index}: the source is copied before dependencies are installed`,
    evidence: lines,
    fix: "copy pyproject.toml and uv.lock first, install dependencies, and only then COPY the application code",
  };
}

/** The dependency-layer-cache check. */
export const dependencyLayerCacheCheck: Check = {
  id: "dependency-layer-cache",
  title: "Dependency layer survives a source-only change",
  severity: "low",
  needs: ["cache"],
  judge,
};
