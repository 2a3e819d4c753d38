/**
 * The scan rows: on each input, our scan against the raw decompression of the same tarball (the physical
 * limit), gitleaks on the layers extracted to a folder (extraction not timed) and trivy in secret-only mode
 * on the tarball; then recall and precision on the planted secrets. Runs go round-robin (raw, ours,
 * gitleaks, trivy, then again) so a busy moment of the machine is shared rather than hitting one scanner.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recall, type PlacedFinding, type PlantedSecret } from "../lib/findings.js";
import { single, type Metric, type Row, type Target } from "../lib/report.js";
import { repeat, summarise } from "../lib/stats.js";
import { installPeer, type PeerInstall } from "../peers/install.js";
import { runGitleaks } from "../peers/gitleaks.js";
import { extractLayers } from "../peers/layers.js";
import { runTrivy } from "../peers/trivy.js";
import { runOurs, runRawDecompression, type ScanRun } from "../scan/scanners.js";

export interface ScanInput {
  /** Short name for the table, e.g. "synthetic 1.1 GiB, OCI gzip". */
  name: string;
  tarball: string;
  uncompressedBytes: number;
  diffIds: string[];
  /** Secrets planted on purpose (synthetic images); none on the clean production image. */
  planted: PlantedSecret[];
  /** What the targets ask of this input (issue 13): see speedTargets. */
  goals: ScanGoals;
}

/**
 * Speed targets of one input: our throughput against raw decompression (a share, for compressed layers)
 * or in absolute terms (docker save, where "decompression" is a file read), and against the peers.
 */
export interface ScanGoals {
  /** Our throughput as a share of raw decompression, at least (gzip inputs). */
  rawShare?: number;
  /** Our throughput in MB/s, at least (uncompressed inputs). */
  minMBps?: number;
  /** Times gitleaks's release build, at least. */
  gitleaks: number;
  /** Times trivy, at least. */
  trivy: number;
}

type ScannerName = "raw decompression (no scan)" | "ours: image-verify inspect" | "gitleaks" | "trivy";

interface ScannerOutcome {
  name: string;
  runs: ScanRun[];
  /** Why it did not run (not installed, failed): the row says so. */
  unavailable?: string;
  notes?: string[];
}

const MB = 1e6;
const MIB = 2 ** 20;
export const PEAK_RSS_LIMIT_MIB = 256;

/** Run every scanner `runs` times on `input` and return its rows. */
export async function scanRows(input: ScanInput, runs: number, binDir: string, log: (line: string) => void): Promise<Row[]> {
  const installs = { gitleaks: await installPeer("gitleaks", binDir), plain: await installPeer("gitleaks-plain", binDir), trivy: await installPeer("trivy", binDir) };
  const layersRoot = await mkdtemp(join(tmpdir(), "bench-layers-"));
  try {
    const scanners = await scannersFor(input, installs, layersRoot);
    const outcomes = new Map<string, ScannerOutcome>(scanners.map((s) => [s.name, { name: s.name, runs: [], unavailable: s.unavailable, notes: s.notes }]));
    await repeat(runs, async (run) => {
      for (const s of scanners) {
        const outcome = outcomes.get(s.name)!;
        if (outcome.unavailable || (s.once && run > 0)) continue;
        log(`${input.name}: ${s.name}, run ${run + 1}/${runs}`);
        await s.run().then((r) => outcome.runs.push(r), (e: unknown) => (outcome.unavailable = `failed: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
    return rowsFor(input, [...outcomes.values()]);
  } finally {
    await rm(layersRoot, { recursive: true, force: true });
  }
}

interface Scanner {
  name: string;
  unavailable?: string;
  /** Only one run (a slow reference row that no target is judged on). */
  once?: boolean;
  notes?: string[];
  run(): Promise<ScanRun>;
}

/** What each peer's documented defaults leave out: their speed is over what they chose to read. */
const PEER_NOTES = {
  gitleaks: "built as its releases are (-tags gore2regex); default allowlist skips lib/pythonX.Y/ (all of site-packages), *.dist-info, node_modules, vendor, binaries by file type",
  plain: "the literal `go install` (Go's stdlib regexp): reference only, one run; same defaults as above",
  trivy: "default allow rules skip usr/lib, usr/share, usr/local/lib/pythonX.Y, *.dist-info, test paths, *.md; binaries other than .pyc",
};

async function scannersFor(input: ScanInput, installs: { gitleaks: PeerInstall; plain: PeerInstall; trivy: PeerInstall }, layersRoot: string): Promise<Scanner[]> {
  const peer = (name: string, install: PeerInstall, notes: string, run: (bin: string) => Promise<ScanRun>): Scanner =>
    install.ok
      ? { name: `${name} ${install.version}`, notes: [notes], run: () => run(install.bin) }
      : { name, unavailable: `not installed: ${install.reason}`, run: () => Promise.reject(new Error(install.reason)) };
  // Extraction is set-up, not part of gitleaks's time.
  const layerDirs = installs.gitleaks.ok || installs.plain.ok ? (await extractLayers(input.tarball, layersRoot)).layerDirs : [];
  return [
    { name: "raw decompression (no scan)" satisfies ScannerName, run: () => runRawDecompression(input.tarball) },
    { name: "ours: image-verify inspect" satisfies ScannerName, run: () => runOurs(input.tarball) },
    peer("gitleaks", installs.gitleaks, PEER_NOTES.gitleaks, (bin) => runGitleaks(bin, layersRoot, layerDirs)),
    peer("trivy", installs.trivy, PEER_NOTES.trivy, (bin) => runTrivy(bin, input.tarball, input.diffIds)),
    { ...peer("gitleaks (plain go install)", installs.plain, PEER_NOTES.plain, (bin) => runGitleaks(bin, layersRoot, layerDirs)), once: true },
  ];
}

function throughput(input: ScanInput, o: ScannerOutcome): Metric {
  return { label: "throughput", unit: "MB/s", value: summarise(o.runs.map((r) => input.uncompressedBytes / MB / (r.wallMs / 1000))) };
}

function rowsFor(input: ScanInput, outcomes: ScannerOutcome[]): Row[] {
  const group = `Secret scan: ${input.name} (${(input.uncompressedBytes / MB).toFixed(0)} MB uncompressed, ${input.diffIds.length} layers)`;
  const [raw, ours, ...peers] = outcomes;
  const oursSpeed = ours!.runs.length ? throughput(input, ours!).value.median : undefined;
  const rows = outcomes.map((o): Row => {
    if (o.unavailable || o.runs.length === 0) return { group, name: o.name, metrics: [], notes: [o.unavailable ?? "no run finished"], targets: [] };
    const speed = throughput(input, o);
    const rss: Metric = { label: "peak RSS", unit: "MiB", value: summarise(o.runs.map((r) => r.peakRssBytes / MIB)) };
    const metrics = [speed, rss, { label: "wall", unit: "s", value: summarise(o.runs.map((r) => r.wallMs / 1000)) } satisfies Metric];
    const ratio = oursSpeed === undefined || o === ours ? []
      : o === raw ? [single("ours as share of it", (100 * oursSpeed) / speed.value.median, "%")]
      : [single("ours is", oursSpeed / speed.value.median, "x")];
    return { group, name: o.name, metrics: [...metrics, ...ratio], notes: o.notes ?? [], targets: [] };
  });
  const oursRow = rows[1]!;
  oursRow.targets.push(...speedTargets(input, raw!, ours!, peers), memoryTarget(ours!));
  // The plain gitleaks build has the same rules and defaults: its recall row would repeat the release's.
  rows.push(...recallRows(group, input, outcomes.slice(1).filter((o) => !o.name.startsWith("gitleaks (plain"))));
  return rows;
}

function speedTargets(input: ScanInput, raw: ScannerOutcome, ours: ScannerOutcome, peers: ScannerOutcome[]): Target[] {
  if (!ours.runs.length) return [];
  const speed = (o: ScannerOutcome) => (o.runs.length ? throughput(input, o).value.median : undefined);
  const oursSpeed = speed(ours)!;
  const vs = (o: ScannerOutcome | undefined, goal: string, min: number, asPercent: boolean): Target => {
    const other = o ? speed(o) : undefined;
    if (other === undefined) return { goal, actual: `${o?.name ?? "peer"} did not run`, pass: undefined };
    const r = oursSpeed / other;
    return { goal, actual: asPercent ? `${(100 * r).toFixed(0)}%` : `${r.toFixed(1)}x`, pass: r >= min };
  };
  const byName = (prefix: string) => peers.find((p) => p.name.startsWith(prefix));
  const { rawShare, minMBps, gitleaks, trivy } = input.goals;
  return [
    ...(rawShare !== undefined ? [vs(raw, `scan throughput ≥ ${(100 * rawShare).toFixed(0)}% of raw decompression`, rawShare, true)] : []),
    ...(minMBps !== undefined ? [{ goal: `scan throughput ≥ ${minMBps} MB/s`, actual: `${oursSpeed.toFixed(0)} MB/s`, pass: oursSpeed >= minMBps }] : []),
    vs(byName("gitleaks v"), `≥ ${gitleaks}x gitleaks (as released)`, gitleaks, false),
    vs(byName("trivy"), `≥ ${trivy}x trivy`, trivy, false),
  ];
}

function memoryTarget(ours: ScannerOutcome): Target {
  const goal = `peak memory < ${PEAK_RSS_LIMIT_MIB} MiB (highest run)`;
  if (ours.runs.length === 0) return { goal, actual: "our scan did not run", pass: undefined };
  const peak = Math.max(...ours.runs.map((r) => r.peakRssBytes)) / MIB;
  return { goal, actual: `${peak.toFixed(0)} MiB`, pass: peak < PEAK_RSS_LIMIT_MIB };
}

/** Found, missed and false findings of each scanner (from its first run: scans are deterministic). */
function recallRows(group: string, input: ScanInput, scanners: ScannerOutcome[]): Row[] {
  const ran = scanners.filter((s) => s.runs.length > 0);
  const results = ran.map((s) => ({ s, r: recall(s.runs[0]!.findings, input.planted) }));
  const best = Math.max(0, ...results.filter(({ s }) => !s.name.startsWith("ours")).map(({ r }) => r.found.length));
  return results.map(({ s, r }): Row => {
    const isOurs = s.name.startsWith("ours");
    const notes = [
      ...(r.missed.length ? [`missed: ${r.missed.join(", ")}`] : []),
      ...(r.falseFindings.length ? [`false findings: ${describeFalse(r.falseFindings)}`] : []),
    ];
    const targets: Target[] = [];
    if (isOurs && input.planted.length) {
      const peerOnly = results.filter((x) => x.s !== s).flatMap((x) => x.r.found).filter((id) => !r.found.includes(id));
      targets.push({ goal: "recall ≥ best peer's", actual: `${r.found.length} vs ${best}`, pass: r.found.length >= best });
      targets.push({ goal: "nothing a peer finds is missed", actual: peerOnly.length ? [...new Set(peerOnly)].join(", ") : "none missed", pass: peerOnly.length === 0 });
    }
    if (isOurs && !input.planted.length) targets.push({ goal: "no false finding on the clean image", actual: `${r.falseFindings.length} findings`, pass: r.falseFindings.length === 0 });
    return {
      group,
      name: `recall, ${s.name}`,
      metrics: [single("found", r.found.length, "count"), single("of planted", input.planted.length, "count"), single("missed", r.missed.length, "count"), single("false findings", r.falseFindings.length, "count")],
      notes,
      targets,
    };
  });
}

function describeFalse(findings: PlacedFinding[]): string {
  const shown = findings.slice(0, 5).map((f) => `${f.ruleId} at ${f.layer ?? "?"}:${f.path}:${f.line ?? "?"}`);
  return findings.length > 5 ? `${shown.join("; ")} and ${findings.length - 5} more` : shown.join("; ");
}
