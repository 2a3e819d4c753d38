/**
 * An image from the local Docker engine as a tarball the reader can open: `docker save` into a temporary
 * folder. A copy cannot be avoided: `docker save` writes the manifest after the layers, and the reader
 * attributes each layer by the manifest before streaming it, so it needs random access to the archive.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImageReadError } from "./types.js";
import { lastLine } from "../text.js";

/** The docker CLI: DOCKER when set, else `docker` on PATH. */
const DOCKER = process.env.DOCKER ?? "docker";
/** A whole image through one pipe: generous, but bounded. */
const SAVE_TIMEOUT_MS = 15 * 60_000;

/**
 * `docker save <name>` to a temporary tarball, handed to `use`; the folder is removed afterwards, and
 * also when the process is interrupted (the docker child is killed then too).
 */
export async function withSavedImage<T>(name: string, use: (tarball: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "image-verify-save-"));
  const tarball = join(dir, "image.tar");
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const interrupted = () => void cleanup().finally(() => process.exit(130));
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    await dockerSave(name, tarball);
    return await use(tarball);
  } finally {
    process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
    await cleanup();
  }
}

function dockerSave(name: string, tarball: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, ["save", "-o", tarball, name], { stdio: ["ignore", "ignore", "pipe"], timeout: SAVE_TIMEOUT_MS });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-8192)));
    const stop = () => child.kill("SIGKILL");
    process.once("exit", stop);
    child.on("error", (error) => reject(new ImageReadError(`cannot run ${DOCKER} (${error.message}): install the docker CLI, or give a tarball (docker save -o image.tar ${name})`)));
    child.on("close", (code, signal) => {
      process.off("exit", stop);
      if (code === 0) return resolve();
      const why = signal === "SIGTERM" ? `no answer within ${SAVE_TIMEOUT_MS / 60_000} minutes` : lastLine(stderr) || `exit ${code ?? signal}`;
      reject(new ImageReadError(`docker save ${name} failed: ${why}: check the name with docker image ls`));
    });
  });
}
