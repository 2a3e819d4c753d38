/**
 * Run one command as a child process and measure it the same way whoever wrote it: wall time and peak
 * resident memory (the kernel's ru_maxrss of the largest process in the tree, via getrusage). Node cannot
 * read a child's rusage, so a few lines of Python (on every machine here) spawn the command and report.
 */
import { lastLine } from "../../src/text.js";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Measured {
  wallMs: number;
  peakRssBytes: number;
  exitCode: number;
  /** The command's stdout (also written to `stdoutFile` when one was given). */
  stdout: string;
  /** The last 4 KiB of stderr, for error messages. */
  stderrTail: string;
}

export interface MeasureOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Bound of the whole command; it is killed (and the call rejects) past it. */
  timeoutMs: number;
  /** Exit codes that count as success (default [0]); a scanner exits 1 when it finds something. */
  okExitCodes?: number[];
}

// argv[1] = result file, argv[2] = timeout seconds, argv[3:] = the command. stdout and stderr go to files
// next to the result, so a large JSON report never sits in a pipe buffer.
const WRAPPER = `
import json, resource, subprocess, sys, time
res, timeout, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
t0 = time.perf_counter()
with open(res + ".out", "wb") as out, open(res + ".err", "wb") as err:
    try:
        code = subprocess.run(cmd, stdout=out, stderr=err, timeout=timeout).returncode
    except subprocess.TimeoutExpired:
        code = -9
wall = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
json.dump({"wallMs": wall * 1000, "peakRssBytes": rss, "exitCode": code}, open(res, "w"))
`;

/** Run `argv` once and measure it; rejects with one line when it fails, times out or cannot start. */
export async function measureCommand(argv: string[], options: MeasureOptions): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), "bench-measure-"));
  const result = join(dir, "result.json");
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn("python3", ["-c", WRAPPER, result, String(options.timeoutMs / 1000), ...argv], {
        cwd: options.cwd, env: options.env ?? process.env, stdio: "ignore",
      });
      child.on("error", (e) => reject(new Error(`cannot start python3 to measure ${argv[0]}: ${e.message}`)));
      child.on("close", () => resolve());
    });
    const measured = JSON.parse(await readFile(result, "utf8")) as Omit<Measured, "stdout" | "stderrTail">;
    const stdout = await readFile(`${result}.out`, "utf8");
    const stderrTail = (await readFile(`${result}.err`, "utf8")).slice(-4096);
    const name = argv.slice(0, 2).join(" ");
    if (measured.exitCode === -9) throw new Error(`${name} did not finish within ${options.timeoutMs / 1000} s`);
    if (!(options.okExitCodes ?? [0]).includes(measured.exitCode)) {
      throw new Error(`${name} exited ${measured.exitCode}: ${lastLine(stderrTail)}`);
    }
    return { ...measured, stdout, stderrTail };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
