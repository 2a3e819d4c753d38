/**
 * size-budget: the image fits config.sizeBudgetMB (uncompressed) and config.maxLayers, with the proof
 * of where the bytes go: the largest layers, and bytes shipped but hidden by later layers.
 */
import type { Check, Evidence, Judgement } from "../types.js";
import { shadowedFiles } from "../../image/filesystem.js";
import { formatBytes, truncate } from "./describe.js";

/** Bytes in a budget "MB": decimal, as `docker images` reports sizes. */
export const BYTES_PER_MB = 1_000_000;

function judge({ image, config }: Evidence): Judgement {
  if (!image) throw new Error("image evidence missing");
  const total = image.layers.reduce((n, l) => n + l.uncompressedSize, 0);
  const budget = config.sizeBudgetMB * BYTES_PER_MB;
  const hidden = shadowedFiles(image).sort((a, b) => b.bytes - a.bytes);
  const wasted = hidden.reduce((n, h) => n + h.bytes, 0);
  const lines = [
    `total ${formatBytes(total)} uncompressed (budget ${config.sizeBudgetMB} MB), ${image.layers.length} layers (max ${config.maxLayers})`,
    ...[...image.layers]
      .sort((a, b) => b.uncompressedSize - a.uncompressedSize)
      .slice(0, 3)
      .map((l) => `layer ${l.index}: ${formatBytes(l.uncompressedSize)} ${truncate(l.createdBy) || "(created by: unknown)"}`),
    `wasted ${formatBytes(wasted)} in ${hidden.length} files overwritten or deleted by later layers`,
    ...hidden.slice(0, 5).map((h) => `wasted ${formatBytes(h.bytes)}: ${h.path} (layer ${h.layer.index}, ${h.how} in layer ${h.by.index})`),
  ];
  const problems: string[] = [];
  if (total > budget) problems.push(`${formatBytes(total)} exceeds the ${config.sizeBudgetMB} MB budget`);
  if (image.layers.length > config.maxLayers) problems.push(`${image.layers.length} layers exceed the maximum of ${config.maxLayers}`);
  if (problems.length > 0) {
    return {
      verdict: "fail",
      summary: problems.join("; "),
      evidence: lines,
      fix: "use a slim base and a multi-stage build that copies only the venv and the app; remove files in the layer that creates them; merge RUN steps",
    };
  }
  return { verdict: "pass", summary: `${formatBytes(total)} in ${image.layers.length} layers, within budget`, evidence: lines };
}

/** The size-budget check. */
export const sizeBudgetCheck: Check = {
  id: "size-budget",
  title: "Image size and layer count within budget",
  severity: "low",
  needs: ["image"],
  judge,
};
