/**
 * Compile the PID 1 harness (src/runtime/harness/pid1.c) with the host gcc, statically, once per source
 * version: the binary is cached under node_modules/.cache/image-verify/pid1-<hash>. Concurrent callers
 * (parallel test files) are safe: each compiles to a temp name and renames into place atomically.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { harnessSourceFile } from "../../src/runtime/harness.js";

const run = promisify(execFile);
const CACHE_DIR = path.resolve("node_modules/.cache/image-verify");

/** Path of the static harness binary for the current source, compiling it when not cached. */
export async function buildHarness(): Promise<string> {
  const source = harnessSourceFile();
  const hash = createHash("sha256").update(await readFile(source)).digest("hex").slice(0, 16);
  const target = path.join(CACHE_DIR, `pid1-${hash}`);
  if (existsSync(target)) return target;
  await mkdir(CACHE_DIR, { recursive: true });
  const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    await run("gcc", ["-static", "-O2", "-Wall", "-o", temp, source], { timeout: 120_000 });
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    const detail = (err as { stderr?: string }).stderr?.trim().split("\n").slice(-3).join(" | ") ?? String(err);
    throw new Error(`cannot compile the PID 1 harness with gcc -static (install gcc and libc6-dev): ${detail}`);
  }
  return target;
}
