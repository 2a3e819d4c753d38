/**
 * Parse the image config blob (Docker `Config` / OCI `config`, both with capitalised keys in practice)
 * and align its history with the layers.
 */
import type { Healthcheck, HistoryEntry, ImageConfig, ReadProblem } from "./types.js";

type Json = Record<string, unknown>;

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {});

/** The runtime part of the config; missing fields become "" / [] / {}. */
export function parseImageConfig(configJson: Json): ImageConfig {
  const c = obj(configJson.config ?? configJson.Config);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(c.Labels))) if (typeof v === "string") labels[k] = v;
  const out: ImageConfig = {
    user: str(c.User),
    entrypoint: strings(c.Entrypoint),
    cmd: strings(c.Cmd),
    env: strings(c.Env),
    workingDir: str(c.WorkingDir),
    labels,
    exposedPorts: Object.keys(obj(c.ExposedPorts)),
  };
  const hc = parseHealthcheck(c.Healthcheck);
  if (hc) out.healthcheck = hc;
  if (typeof c.StopSignal === "string" && c.StopSignal !== "") out.stopSignal = c.StopSignal;
  return out;
}

function parseHealthcheck(v: unknown): Healthcheck | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const h = v as Json;
  const out: Healthcheck = { test: strings(h.Test) };
  const fields: Array<[keyof Healthcheck, unknown]> = [
    ["intervalNs", h.Interval], ["timeoutNs", h.Timeout], ["startPeriodNs", h.StartPeriod], ["retries", h.Retries],
  ];
  for (const [k, raw] of fields) {
    const n = num(raw);
    if (n !== undefined) (out as unknown as Record<string, number>)[k] = n;
  }
  return out;
}

/** `os/architecture[/variant]` from the config, "unknown" when absent. */
export function platformOfConfig(configJson: Json): string {
  const os = str(configJson.os);
  const arch = str(configJson.architecture);
  if (!os || !arch) return "unknown";
  return [os, arch, str(configJson.variant)].filter(Boolean).join("/");
}

/** rootfs.diff_ids from the config. */
export function diffIdsOf(configJson: Json): string[] {
  return strings(obj(configJson.rootfs).diff_ids);
}

/** History entries with layerIndex filled; `createdBy` per layer; a problem when counts disagree. */
export function alignHistory(configJson: Json, layerCount: number): {
  history: HistoryEntry[];
  createdBy: string[];
  problem?: ReadProblem;
} {
  const raw = Array.isArray(configJson.history) ? (configJson.history as unknown[]) : [];
  const history: HistoryEntry[] = raw.map((r) => {
    const h = obj(r);
    const e: HistoryEntry = { createdBy: str(h.created_by), emptyLayer: h.empty_layer === true };
    if (typeof h.created === "string") e.created = h.created;
    if (typeof h.comment === "string") e.comment = h.comment;
    return e;
  });
  const nonEmpty = history.filter((h) => !h.emptyLayer);
  if (nonEmpty.length !== layerCount) {
    return {
      history,
      createdBy: new Array<string>(layerCount).fill(""),
      problem: {
        code: "history-mismatch",
        message: `config history has ${nonEmpty.length} non-empty entries for ${layerCount} layers; layer instructions are unknown`,
      },
    };
  }
  nonEmpty.forEach((h, i) => (h.layerIndex = i));
  return { history, createdBy: nonEmpty.map((h) => h.createdBy) };
}
