/**
 * exec-form: the app is PID 1 itself. A shell (`sh -c ...`) or a launcher (`uv run`, `poetry run`)
 * between PID 1 and the app swallows SIGTERM, so the app is SIGKILLed at the grace limit.
 */
import type { Check, Evidence, Judgement } from "../types.js";
import { maskArgv } from "./describe.js";

const SHELLS = new Set(["sh", "bash", "dash", "ash", "zsh", "ksh"]);
/** Tools whose `run` subcommand starts the app as a child process. */
const RUNNERS = new Set(["uv", "pipenv", "poetry", "pdm", "hatch"]);

const base = (arg: string): string => arg.slice(arg.lastIndexOf("/") + 1);

/** Drop a leading `env` and its VAR=value arguments: env execs the command, so it is not a parent. */
function skipEnv(argv: string[]): string[] {
  if (argv.length === 0 || base(argv[0]) !== "env") return argv;
  let i = 1;
  while (i < argv.length && (argv[i].includes("=") || argv[i].startsWith("-"))) i++;
  return argv.slice(i);
}

/** Why this argv puts a process between PID 1 and the app, or undefined when it does not. */
export function parentProcess(argv: string[]): { kind: "shell" | "launcher"; what: string } | undefined {
  const real = skipEnv(argv);
  if (real.length === 0) return undefined;
  const cmd = base(real[0]);
  if (SHELLS.has(cmd) && real.slice(1).some((a) => /^-[a-z]*c[a-z]*$/.test(a))) return { kind: "shell", what: `${real[0]} -c` };
  if (cmd === "uvx") return { kind: "launcher", what: "uvx" };
  if (RUNNERS.has(cmd) && real.includes("run")) return { kind: "launcher", what: `${cmd} run` };
  return undefined;
}

function judge({ image }: Evidence): Judgement {
  if (!image) throw new Error("image evidence missing");
  const { entrypoint, cmd } = image.config;
  const argv = [...entrypoint, ...cmd];
  const show = (a: string[]) => JSON.stringify(maskArgv(a));
  const lines = [`Entrypoint: ${show(entrypoint)}`, `Cmd: ${show(cmd)}`, `argv of PID 1: ${show(argv)}`];
  if (argv.length === 0) {
    return { verdict: "fail", summary: "no ENTRYPOINT or CMD: nothing to run", evidence: lines, fix: 'add CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]' };
  }
  const parent = parentProcess(argv);
  if (parent?.kind === "shell") {
    return {
      verdict: "fail",
      summary: `starts through a shell (${parent.what}): SIGTERM goes to the shell, not the app`,
      evidence: lines,
      fix: 'use the exec (JSON array) form: CMD ["uvicorn", "app.main:app", ...], or `exec` the app from the script',
    };
  }
  if (parent?.kind === "launcher") {
    return {
      verdict: "fail",
      summary: `starts through \`${parent.what}\`: an extra parent process between PID 1 and the app`,
      evidence: lines,
      fix: "put the venv's bin on PATH (ENV PATH=/app/.venv/bin:$PATH) and run the app directly: CMD [\"uvicorn\", ...]",
    };
  }
  const shell = SHELLS.has(base(skipEnv(argv)[0] ?? ""));
  if (shell) {
    return { verdict: "warn", summary: `PID 1 is a shell (${base(argv[0])}): it must \`exec\` the app`, evidence: lines, fix: "end the script with `exec \"$@\"` or run the app directly in exec form" };
  }
  return { verdict: "pass", summary: `exec form: ${base(skipEnv(argv)[0])} is PID 1`, evidence: lines };
}

/** The exec-form check. */
export const execFormCheck: Check = {
  id: "exec-form",
  title: "The app is PID 1 (exec form, no shell or launcher)",
  severity: "high",
  needs: ["image"],
  judge,
};
