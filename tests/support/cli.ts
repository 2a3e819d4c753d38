/** bin/image-verify.mjs run as a user runs it: its own node process, bounded, the exit code returned instead of thrown. */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const BIN = join(import.meta.dirname, "../../bin/image-verify.mjs");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node [nodeFlags] bin/image-verify.mjs <args>`, with `env` added to this process's environment. */
export async function runCli(args: string[], options: { env?: Record<string, string>; nodeFlags?: string[] } = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...(options.nodeFlags ?? []), BIN, ...args], {
      timeout: 60_000,
      env: { ...process.env, ...options.env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
