/** Secret findings: where a secret is, never what it is (only a redacted form is ever kept). */

import type { LayerRef } from "../image/types.js";

export type SecretLocation =
  | { kind: "file"; layer: LayerRef; path: string; line: number }
  | { kind: "config"; field: "Env" | "Labels" | "history"; key: string; layer?: LayerRef; historyIndex?: number };

export interface SecretFinding {
  ruleId: string;
  description: string;
  location: SecretLocation;
  /** The match with all but a few characters masked, e.g. "AKIA************MPLE"; never the full value. */
  redacted: string;
  /** Stable id for allowlisting and de-duplication: "<ruleId>:<layer digest or config>:<path or key>:<line>". */
  fingerprint: string;
  /** True when a later layer deletes or overwrites the file: still shipped in the image. */
  shadowed?: boolean;
}

/** Something the scan could not fully do (a file cut at the per-file cap), for the report. */
export interface ScanNote {
  layer: LayerRef;
  path: string;
  message: string;
}
