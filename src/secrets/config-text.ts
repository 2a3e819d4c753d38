/**
 * Turns the image config into texts to scan: each Env entry and Label as "KEY=value", and each history
 * `created_by` both whole and split into the KEY=value pairs it records (BuildKit's "|2 A=x B=y /bin/sh -c"
 * build-arg prefix, and ARG / ENV instructions), so name-based rules see the variable names.
 */
import type { HistoryEntry, ImageConfig } from "../image/types.js";

/** One place in the config and the texts that represent it. */
export interface ConfigItem {
  field: "Env" | "Labels" | "history";
  key: string;
  texts: string[];
  layerIndex?: number;
  historyIndex?: number;
}

const unquote = (v: string): string => v.replace(/^"(.*)"$|^'(.*)'$/s, "$1$2");

/** The KEY=value pairs a history `created_by` records. */
export function historyPairs(createdBy: string): string[] {
  const pairs: string[] = [];
  const args = /^\|(\d+)\s+/.exec(createdBy);
  if (args) {
    let rest = createdBy.slice(args[0].length);
    for (let i = 0; i < Number(args[1]); i++) {
      const pm = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*/.exec(rest);
      if (!pm) break;
      pairs.push(`${pm[1]}=${pm[2]}`);
      rest = rest.slice(pm[0].length);
    }
  }
  const instr = /(?:^|#\(nop\)\s+)(?:ENV|ARG)\s+(.+)$/s.exec(createdBy);
  if (instr) {
    const body = instr[1].trim();
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(body)) {
      for (const pm of body.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)) pairs.push(`${pm[1]}=${unquote(pm[2])}`);
    } else {
      const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+(.+)$/s.exec(body); // ENV KEY value (old form)
      if (legacy) pairs.push(`${legacy[1]}=${legacy[2]}`);
    }
  }
  return pairs;
}

/** Every scannable item of the config. */
export function configItems(config: ImageConfig, history: HistoryEntry[]): ConfigItem[] {
  const items: ConfigItem[] = [];
  for (const e of config.env) items.push({ field: "Env", key: e.split("=", 1)[0], texts: [e] });
  for (const [k, v] of Object.entries(config.labels)) items.push({ field: "Labels", key: k, texts: [`${k}=${v}`] });
  history.forEach((h, i) => {
    items.push({
      field: "history",
      key: String(i),
      texts: [...historyPairs(h.createdBy), h.createdBy],
      layerIndex: h.layerIndex,
      historyIndex: i,
    });
  });
  return items;
}
