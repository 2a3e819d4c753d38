/**
 * Run trivy (v0.74.0) in secret-only mode on the image tarball itself, offline, and reduce its report to places
 * (layer, path, line, rule). The command is
 *
 *   trivy image --input <tarball> --scanners secret --format json --output <tmp> --cache-dir <fresh tmp>
 *         --skip-db-update --offline-scan --skip-version-check --disable-telemetry --quiet --timeout <bound>
 *
 *   --input <tarball>       read the docker-archive tarball, no daemon or registry. trivy v0.74.0 opens an OCI
 *                           layout only as a directory ("index.json: not a directory" on a tar), so a tarball
 *                           without manifest.json is extracted first (untimed) and the directory is passed
 *   --scanners secret       secret scanning only (the default is vuln,secret); with no vuln scanner trivy
 *                           needs neither the vulnerability DB nor the Java DB
 *   --format json --output  JSON report to a temp file, parsed here and deleted
 *   --cache-dir <fresh>     an empty cache per run, so no layer analysis is reused between runs
 *   --skip-db-update, --offline-scan   belt and braces: never fetch a DB or call out during analysis
 *   --skip-version-check, --disable-telemetry   trivy otherwise sends one request to its update/telemetry API
 *                           on every run (even with --offline-scan and --quiet); output-only, no effect on the scan
 *   --quiet                 no progress bar or log output
 *   --timeout <bound>       trivy's own default (5 min) would kill a scan of a large image on a slow shared
 *                           machine; set to the benchmark's bound instead (a limit, not a tuning)
 *
 * Everything else stays default: built-in rules and allow rules, default --parallel. It runs from an empty temp
 * directory with TRIVY_* variables removed, so no trivy.yaml / trivy-secret.yaml / environment of the caller
 * applies. Note the built-in allow rules skip, by path: `*.dist-info/`, anything matching test paths
 * (`test`, `/test`, `-test`, `_test`, `.test`), `/vendor/`, `usr/share|include|lib/`, `/locale(s)/`, `*.md`,
 * `opt/yarn-vX/`, `usr/local/go/`, `usr/local/lib/pythonX.Y/` (the Python base image's stdlib and
 * site-packages), `usr/lib/gems/`, `usr/src/wordpress/`, `var/log/anaconda/`; and "example" findings in paths
 * containing "example". Default skip patterns drop `.git/`, `node_modules/`, go.mod/go.sum, lock files,
 * images, pdf/doc, `.bin`, archives (`.zip`, `.gz`, `.tar`, `.deb`, `.rpm`); binary files other than `.pyc`
 * and files under 10 bytes are skipped; `proc`, `sys`, `dev` are never walked.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { PlacedFinding } from "../lib/findings.js";
import { measureCommand } from "../lib/measure.js";
import { readPeerReport, type PeerRun } from "./install.js";
import { extractOuter, hasDockerManifest } from "./layers.js";

interface TrivySecret {
  RuleID?: unknown;
  StartLine?: unknown;
  Layer?: { DiffID?: unknown; Digest?: unknown };
}

interface TrivyResult {
  Target?: unknown;
  Class?: unknown;
  Secrets?: TrivySecret[] | null;
}

const DEFAULT_TIMEOUT_MS = 30 * 60_000;

/** Environment without TRIVY_* variables, which would change trivy's defaults. */
function defaultEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TRIVY_")));
}

/** Run trivy once on `tarball` and measure it; `diffIds` (config rootfs.diff_ids) map layers to indexes. */
export async function runTrivy(bin: string, tarball: string, diffIds: string[], options: { timeoutMs?: number } = {}): Promise<PeerRun> {
  const work = await mkdtemp(join(tmpdir(), "bench-trivy-"));
  const report = join(work, "report.json");
  const cache = join(work, "cache");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    let input = resolve(tarball);
    if (!(await hasDockerManifest(input))) {
      input = join(work, "oci-layout");
      await mkdir(input);
      await extractOuter(tarball, input);
    }
    const argv = [
      bin, "image", "--input", input, "--scanners", "secret", "--format", "json", "--output", report,
      "--cache-dir", cache, "--skip-db-update", "--offline-scan", "--skip-version-check", "--disable-telemetry",
      "--quiet", "--timeout", `${Math.ceil(timeoutMs / 1000)}s`,
    ];
    // Our bound is a little longer than trivy's own, so trivy's timeout error (one line) is what surfaces.
    const m = await measureCommand(argv, { cwd: work, env: defaultEnv(), timeoutMs: timeoutMs + 30_000 });
    const raw = (await readPeerReport("trivy", report, m.stderrTail)) as { Results?: TrivyResult[] | null };
    const findings: PlacedFinding[] = [];
    for (const r of raw.Results ?? []) {
      const path = String(r.Target ?? "").replace(/^\/+/, "");
      for (const s of r.Secrets ?? []) {
        // Only place and rule are kept: Match, Code and the secret itself are dropped here.
        const idx = typeof s.Layer?.DiffID === "string" ? diffIds.indexOf(s.Layer.DiffID) : -1;
        const line = typeof s.StartLine === "number" && s.StartLine > 0 ? s.StartLine : undefined;
        findings.push({ layer: idx >= 0 ? idx : undefined, path, line, ruleId: String(s.RuleID ?? "unknown") });
      }
    }
    return { wallMs: m.wallMs, peakRssBytes: m.peakRssBytes, findings };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
