/**
 * Run gitleaks (v8.30.1, default config and rules) over the image's layers extracted by layers.ts, and
 * reduce its report to places (layer, path in the layer, line, rule). The command is
 *
 *   gitleaks dir <layersRoot> --report-format json --report-path <tmp> --no-banner --exit-code 0
 *            --log-level error --redact
 *
 *   dir <layersRoot>     scan the files of a directory (not git history); symlinks are not followed (default),
 *                        so absolute symlinks in layers never lead outside the extracted tree
 *   --report-format/-path  JSON report to a temp file, parsed here and deleted
 *   --no-banner, --log-level error  keep stderr to errors only (output only)
 *   --exit-code 0        findings are not a failure (gitleaks exits 1 on leaks by default)
 *   --redact             the report holds no secret values (redaction runs after detection, output only)
 *
 * Nothing else is set: default archive depth (0), decode depth (5), no size limit. The config is the built-in
 * default: GITLEAKS_CONFIG / GITLEAKS_CONFIG_TOML are removed from the environment, and it runs from an empty
 * temp directory so no .gitleaks.toml or .gitleaksignore of the caller applies. Note the default config's
 * global path allowlist skips, among others, Python `lib/pythonX.Y/` trees (so all of site-packages),
 * `*.dist-info/`, `venv|env|virtualenv/lib/`, `node_modules/`, `vendor/…`, lock files and image/font/office
 * files; it also skips files that look binary (by magic) and does not look inside archives.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import type { PlacedFinding } from "../lib/findings.js";
import { measureCommand } from "../lib/measure.js";
import { readPeerReport, type PeerRun } from "./install.js";

interface GitleaksFinding {
  RuleID?: unknown;
  File?: unknown;
  StartLine?: unknown;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

/** Environment without variables that would replace gitleaks' default config. */
function defaultEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.GITLEAKS_CONFIG;
  delete env.GITLEAKS_CONFIG_TOML;
  return env;
}

/** Map a reported file back to (layer index, path inside the layer) using the extracted layer directories. */
export function placeInLayers(file: string, layersRoot: string, layerDirs: string[]): { layer?: number; path: string } {
  const abs = resolve(layersRoot, file);
  let best: { layer: number; len: number } | undefined;
  layerDirs.forEach((d, i) => {
    const dir = resolve(d);
    if ((abs.startsWith(dir + sep)) && (!best || dir.length > best.len)) best = { layer: i, len: dir.length };
  });
  if (best) return { layer: best.layer, path: abs.slice(best.len + 1) };
  return { path: relative(resolve(layersRoot), abs) };
}

/** Run gitleaks once over `layersRoot` (which holds `layerDirs`) and measure it. Rejects with one line. */
export async function runGitleaks(bin: string, layersRoot: string, layerDirs: string[], options: { timeoutMs?: number } = {}): Promise<PeerRun> {
  const work = await mkdtemp(join(tmpdir(), "bench-gitleaks-"));
  const report = join(work, "report.json");
  try {
    const root = resolve(layersRoot);
    const argv = [bin, "dir", root, "--report-format", "json", "--report-path", report, "--no-banner", "--exit-code", "0", "--log-level", "error", "--redact"];
    const m = await measureCommand(argv, { cwd: work, env: defaultEnv(), timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    const raw = await readPeerReport("gitleaks", report, m.stderrTail);
    if (!Array.isArray(raw)) throw new Error("gitleaks report is not a JSON array; the report format changed");
    const findings: PlacedFinding[] = (raw as GitleaksFinding[]).map((f) => {
      // Only place and rule are kept: Secret, Match and Line are dropped here.
      const place = placeInLayers(String(f.File ?? ""), root, layerDirs);
      const line = typeof f.StartLine === "number" && f.StartLine > 0 ? f.StartLine : undefined;
      return { ...place, line, ruleId: String(f.RuleID ?? "unknown") };
    });
    return { wallMs: m.wallMs, peakRssBytes: m.peakRssBytes, findings };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
