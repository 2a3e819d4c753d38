/** What the figures came from: the machine, the runtimes and tools, printed and stored with every run. */
import { execFileSync } from "node:child_process";
import { cpus, totalmem, release } from "node:os";

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "not available";
  }
}

/** CPU, cores, memory, kernel, and the versions of node, the Docker engine and Go. */
export function describeMachine(docker: string): Record<string, string> {
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: String(cpus().length),
    memory: `${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    kernel: release(),
    node: process.version,
    dockerEngine: tryRun(docker, ["version", "--format", "{{.Server.Version}}"]),
    go: tryRun("go", ["env", "GOVERSION"]),
  };
}
