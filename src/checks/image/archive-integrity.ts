/**
 * archive-integrity: what the reader found odd in the tarball without stopping. Entries that climb out
 * of the root or links that point outside it are how a layer plants files where a runtime may extract
 * them, and are invisible to every other check (and to the secret scan); a diff_id that does not match
 * the config means the layers are not what the image claims.
 */
import type { ReadProblem } from "../../image/types.js";
import type { Check, Evidence, Judgement } from "../types.js";
import { capLines } from "./describe.js";

/** Problems that make the image untrustworthy; the others are reported as warnings. */
const FAILING = new Set(["path-traversal", "link-escape", "diffid-mismatch", "diffid-count"]);

function line(p: ReadProblem): string {
  const where = [p.layerIndex !== undefined ? `layer ${p.layerIndex}` : "", p.path ?? ""].filter(Boolean).join(" ");
  return `${p.code}${where ? ` (${where})` : ""}: ${p.message}`;
}

function judge({ image }: Evidence): Judgement {
  if (!image) throw new Error("image evidence missing");
  const problems = image.problems;
  // Which archive was read: a tarball given as is (docker save) reads differently from an engine's export.
  const read = `read as ${image.source.format}, platform ${image.source.platform}`;
  if (problems.length === 0) {
    return { verdict: "pass", summary: `${image.layers.length} layers read, digests match, no entry leaves the root`, evidence: [read] };
  }
  const failing = problems.filter((p) => FAILING.has(p.code));
  return {
    verdict: failing.length ? "fail" : "warn",
    summary: `${problems.length} archive problem(s): ${[...new Set(problems.map((p) => p.code))].join(", ")}`,
    evidence: [read, ...capLines(problems.map(line))],
    fix: failing.length
      ? "rebuild the image from a trusted Dockerfile: no layer may hold entries outside the root or links leaving it, and diff_ids must match"
      : "export the image again with a standard tool (docker save, skopeo, Dagger) and check its history",
  };
}

/** The archive-integrity check. */
export const archiveIntegrityCheck: Check = {
  id: "archive-integrity",
  title: "Image archive is well-formed",
  severity: "high",
  needs: ["image"],
  judge,
};
