/**
 * A private registry for tests: Debian's docker-registry (distribution 2.8) on a free loopback port, with
 * htpasswd (bcrypt) basic auth over plain HTTP, which both Docker and the Dagger engine allow on
 * 127.0.0.0/8. Images get in through a Docker client config of its own (DOCKER_CONFIG), so the machine's
 * login state is untouched. The password is made here and never printed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { docker, dockerOk } from "./docker.js";

export interface PrivateRegistry {
  /** host:port, on 127.0.0.1. */
  address: string;
  username: string;
  password: string;
  /** Push a local image as `<address>/image-verify/<name>:1` and return that reference. */
  push(localRef: string, name: string): Promise<string>;
  /** Stop the registry and remove its storage. */
  close(): Promise<void>;
}

const START_MS = 20_000;
const TAIL = 4096;

/** Start a registry that answers only to its own user; throws with the registry's output if it does not come up. */
export async function startPrivateRegistry(): Promise<PrivateRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), "private-registry-"));
  try {
    return await startIn(dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Everything of the registry lives in `dir`: its htpasswd, config and storage, and the Docker client config for pushes. */
async function startIn(dir: string): Promise<PrivateRegistry> {
  const username = "image-verify";
  const password = randomBytes(18).toString("hex");
  const address = `127.0.0.1:${await freeLoopbackPort()}`;
  const configPath = path.join(dir, "config.yml");
  await writeFile(path.join(dir, "htpasswd"), htpasswd(username, password));
  await writeFile(configPath, stringify({
    version: 0.1,
    log: { level: "warn" },
    storage: { filesystem: { rootdirectory: path.join(dir, "data") } },
    http: { addr: address, secret: randomBytes(16).toString("hex") },
    auth: { htpasswd: { realm: "image-verify-test", path: path.join(dir, "htpasswd") } },
  }));
  const dockerConfig = path.join(dir, "docker");
  await mkdir(dockerConfig);
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  await writeFile(path.join(dockerConfig, "config.json"), JSON.stringify({ auths: { [address]: { auth } } }));

  const server = spawn("docker-registry", ["serve", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  server.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString("utf8")).slice(-TAIL)));
  server.once("error", (e) => (output = `cannot run docker-registry (Debian's docker-registry package): ${e.message}`));
  const close = async () => {
    await stop(server);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAsking(address, server, () => output);
  } catch (error) {
    await stop(server);
    throw error;
  }
  return {
    address,
    username,
    password,
    close,
    async push(localRef, name) {
      const ref = `${address}/image-verify/${name}:1`;
      await dockerOk(["tag", localRef, ref], 30_000);
      try {
        await dockerOk(["push", ref], 300_000, { DOCKER_CONFIG: dockerConfig });
      } finally {
        await docker(["rmi", ref], 60_000);
      }
      return ref;
    },
  };
}

/** Until /v2/ answers 401 (up, and asking for credentials), bounded; fails early if the registry exits. */
async function waitUntilAsking(address: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_MS;
  while (Date.now() < deadline) {
    const status = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, () => 0);
    if (status === 401) return;
    // After the fetch, so that a spawn error (no such command) has been reported.
    if (server.exitCode !== null || server.pid === undefined) throw new Error(`docker-registry exited (${server.exitCode}): ${output().trim().split("\n").pop()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry did not answer on ${address} within ${START_MS / 1000} s: ${output().trim().split("\n").pop()}`);
}

/** SIGTERM, then SIGKILL if it is still there after 5 s. */
async function stop(server: ChildProcess): Promise<void> {
  if (server.pid === undefined || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** An htpasswd line (bcrypt, the only hash the registry accepts); the password goes on stdin, not in argv. */
function htpasswd(username: string, password: string): string {
  const r = spawnSync("htpasswd", ["-Bin", username], { input: password, encoding: "utf8", timeout: 30_000 });
  if (r.error) throw new Error(`cannot run htpasswd (Debian's apache2-utils package): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`htpasswd failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}
