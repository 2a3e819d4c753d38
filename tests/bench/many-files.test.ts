/**
 * The memory bound, on an image with half a million small files in a deep tree (bench/inputs/many-files.ts):
 * `image-verify inspect` (the bundled CLI, as users and the benchmark run it) in a child process whose V8
 * heap is capped at 256 MiB must finish, stay under 256 MiB of resident memory, and find every plant,
 * including the one a later layer deletes and the one it overwrites (both reported as shadowed).
 * Before the compact index this run peaked at 630 MiB; a regression fails here, not in production.
 *
 * No secret value is printed: the assertions compare places and counts.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manyFilesImage, type ManyFilesImage } from "../../bench/inputs/many-files.js";
import { recall, type PlacedFinding } from "../../bench/lib/findings.js";
import { measureCommand } from "../../bench/lib/measure.js";

const ROOT = join(import.meta.dirname, "../..");
const FILES = 500_000;
const HEAP_MIB = 256;
const RSS_LIMIT_MIB = 256;

interface JsonSecret {
  ruleId: string;
  shadowed?: boolean;
  location: { kind: string; path?: string; line?: number; layer?: { index: number } };
}

describe(`inspect of an image with ${FILES} files`, () => {
  let dir: string;
  let img: ManyFilesImage;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "many-files-"));
    img = await manyFilesImage({ dir, files: FILES });
    // The bundle, as `make install` leaves it: the bound is on what runs, not on tsx's transpiler.
    await promisify(execFile)(process.execPath, [join(ROOT, "scripts/build-cli.mjs")], { timeout: 60_000 });
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it(`stays under ${RSS_LIMIT_MIB} MiB with a ${HEAP_MIB} MiB heap and finds every plant`, async () => {
    const report = join(dir, "report.json");
    const argv = [process.execPath, `--max-old-space-size=${HEAP_MIB}`, join(ROOT, "bin/image-verify.mjs"), "inspect", img.path, "--format", "json", "--output", report];
    const m = await measureCommand(argv, { timeoutMs: 120_000, cwd: ROOT, okExitCodes: [1] });
    const secrets = (JSON.parse(await readFile(report, "utf8")) as { secrets: JsonSecret[] }).secrets;
    const findings: PlacedFinding[] = secrets.filter((s) => s.location.kind === "file").map((s) => ({
      ruleId: s.ruleId, layer: s.location.layer?.index, path: s.location.path ?? "", line: s.location.line,
    }));
    const r = recall(findings, img.planted);
    const rssMiB = m.peakRssBytes / 2 ** 20;
    console.log(`${FILES} files, ${(img.uncompressedBytes / 1e6).toFixed(0)} MB: ${(m.wallMs / 1000).toFixed(1)} s, peak RSS ${rssMiB.toFixed(0)} MiB, found ${r.found.length} of ${img.planted.length}`);
    expect(r.missed).toEqual([]);
    expect(r.falseFindings).toEqual([]);
    const shadowed = img.planted.filter((p) => p.deletedLater).map((p) => p.path).sort();
    expect(secrets.filter((s) => s.shadowed).map((s) => s.location.path).sort()).toEqual(shadowed);
    expect(rssMiB).toBeLessThan(RSS_LIMIT_MIB);
  }, 180_000);
});
