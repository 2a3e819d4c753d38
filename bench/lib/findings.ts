/**
 * What the recall rows compare: where each scanner says a secret is, and where the benchmark planted one.
 * Matching is by place (layer, path, line), never by value, so no secret value needs to leave a scanner.
 */

/** One finding of any scanner, reduced to its place. */
export interface PlacedFinding {
  /** Index of the layer in the image (0 = base), when the scanner says which layer. */
  layer?: number;
  /** Path inside the layer, without a leading slash. */
  path: string;
  /** 1-based line, when the scanner gives one. */
  line?: number;
  ruleId: string;
}

/** One secret the synthetic image carries on purpose. */
export interface PlantedSecret {
  /** Stable name of the plant, e.g. "aws-key-in-settings". */
  id: string;
  /** What kind of secret it is (e.g. "aws-access-key-id", "github-pat"), for the report. */
  kind: string;
  layer: number;
  path: string;
  line: number;
  /** True when a later layer deletes the file: still shipped, still a leak. */
  deletedLater?: boolean;
}

export interface RecallResult {
  found: string[];
  missed: string[];
  /** Findings at a place where nothing was planted. */
  falseFindings: PlacedFinding[];
}

const samePlace = (f: PlacedFinding, p: PlantedSecret): boolean =>
  f.path.replace(/^\/+/, "") === p.path && (f.layer === undefined || f.layer === p.layer);

/**
 * A finding matches a plant at the same place within one line (a rule may report the line before or after,
 * e.g. a PEM header). In a file holding a single plant, any finding in it is that plant: a service-account
 * JSON or a key file is one secret, whichever of its lines a scanner points at.
 */
function matches(f: PlacedFinding, p: PlantedSecret, planted: PlantedSecret[]): boolean {
  if (!samePlace(f, p)) return false;
  if (f.line === undefined || Math.abs(f.line - p.line) <= 1) return true;
  return planted.filter((q) => samePlace(f, q)).length === 1;
}

/** Found, missed and false findings of one scanner against the planted set. */
export function recall(findings: PlacedFinding[], planted: PlantedSecret[]): RecallResult {
  const found = planted.filter((p) => findings.some((f) => matches(f, p, planted))).map((p) => p.id);
  const missed = planted.filter((p) => !found.includes(p.id)).map((p) => p.id);
  const falseFindings = findings.filter((f) => !planted.some((p) => matches(f, p, planted)));
  return { found, missed, falseFindings };
}
