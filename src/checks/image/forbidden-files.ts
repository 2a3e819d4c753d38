/**
 * forbidden-files: no path of config.forbiddenPaths (package-manager binaries and caches, .git, .env,
 * apt lists) is in the image: neither in the final filesystem nor hidden in a lower layer, where a
 * later `rm` does not remove it from the tarball.
 */
import type { Check, Evidence, Judgement } from "../types.js";
import { finalFiles, matchGlob, shadowedFiles, type FinalFile } from "../../image/filesystem.js";
import { capLines, describeLayer } from "./describe.js";

function judge({ image, config }: Evidence): Judgement {
  if (!image) throw new Error("image evidence missing");
  const matching = (path: string): string | undefined => config.forbiddenPaths.find((glob) => matchGlob(glob, path));
  const lines: string[] = [];
  let finalCount = 0;
  const found: Array<{ path: string; placed: FinalFile; glob: string }> = [];
  // Paths first: a FinalFile is made only for a match (an image may hold half a million files).
  const final = finalFiles(image);
  for (const path of final.keys()) {
    const glob = matching(path);
    const placed = glob ? final.get(path)! : undefined;
    if (glob && placed && placed.entry.type !== "dir") found.push({ path, placed, glob });
  }
  // Sort by layer, then path, so the evidence reads in build order.
  found.sort((a, b) => a.placed.layer.index - b.placed.layer.index || a.path.localeCompare(b.path));
  for (const { path, placed, glob } of found) {
    finalCount++;
    lines.push(`${path} in ${describeLayer(placed.layer)} [${glob}]`);
  }
  let hiddenCount = 0;
  for (const hidden of shadowedFiles(image)) {
    const glob = matching(hidden.path);
    if (!glob) continue;
    hiddenCount++;
    lines.push(`${hidden.path} in ${describeLayer(hidden.layer)} [${glob}] (${hidden.how} in layer ${hidden.by.index}, still shipped)`);
  }
  if (lines.length === 0) {
    return { verdict: "pass", summary: `none of ${config.forbiddenPaths.length} forbidden path patterns is in any layer`, evidence: [`patterns: ${config.forbiddenPaths.join(", ")}`] };
  }
  const parts = [finalCount ? `${finalCount} in the final filesystem` : "", hiddenCount ? `${hiddenCount} deleted later but still in a layer` : ""];
  return {
    verdict: "fail",
    summary: `${lines.length} forbidden file(s): ${parts.filter(Boolean).join(", ")}`,
    evidence: capLines(lines),
    fix: "keep them out of the final stage (multi-stage build, .dockerignore, RUN --mount=type=cache for caches); deleting in a later layer does not remove them",
  };
}

/** The forbidden-files check. */
export const forbiddenFilesCheck: Check = {
  id: "forbidden-files",
  title: "No forbidden files in any layer",
  severity: "high",
  needs: ["image"],
  judge,
};
