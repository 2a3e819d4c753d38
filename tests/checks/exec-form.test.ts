import { describe, expect, it } from "vitest";
import { execFormCheck } from "../../src/checks/image/exec-form.js";
import { evidence, image } from "./evidence.js";

const judge = (entrypoint: string[], cmd: string[]) => execFormCheck.judge(evidence({ image: image([], { entrypoint, cmd }) }));

describe("exec-form", () => {
  it("passes uvicorn in exec form, with argv as evidence", () => {
    const j = judge([], ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]);
    expect(j.verdict).toBe("pass");
    expect(j.evidence).toContain('argv of PID 1: ["uvicorn","app.main:app","--host","0.0.0.0","--port","8000"]');
  });

  it("passes an entrypoint through env (env execs the command)", () => {
    expect(judge(["/usr/bin/env", "PYTHONUNBUFFERED=1", "python"], ["-m", "app"]).verdict).toBe("pass");
  });

  it.each([
    [[], ["/bin/sh", "-c", "uvicorn app.main:app"]],
    [[], ["sh", "-c", "uvicorn app.main:app"]],
    [["bash", "-c"], ["uvicorn app.main:app"]],
    [[], ["/bin/bash", "-ec", "uvicorn app.main:app"]],
    [[], ["dash", "-c", "python app.py"]],
  ])("fails a shell: %j %j", (entrypoint, cmd) => {
    const j = judge(entrypoint, cmd);
    expect(j.verdict).toBe("fail");
    expect(j.summary).toMatch(/^starts through a shell \(.+ -c\)/);
    expect(j.evidence[2]).toBe(`argv of PID 1: ${JSON.stringify([...entrypoint, ...cmd])}`);
  });

  it.each([
    [["uv", "run", "uvicorn", "app.main:app"], "uv run"],
    [["/usr/local/bin/uv", "run", "--no-sync", "uvicorn"], "uv run"],
    [["uvx", "uvicorn"], "uvx"],
    [["pipenv", "run", "python", "app.py"], "pipenv run"],
    [["poetry", "run", "uvicorn", "app.main:app"], "poetry run"],
  ])("fails a launcher: %j", (cmd, what) => {
    const j = judge([], cmd);
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe(`starts through \`${what}\`: an extra parent process between PID 1 and the app`);
  });

  it("fails an image with nothing to run and warns on a shell script", () => {
    expect(judge([], []).verdict).toBe("fail");
    expect(judge(["/bin/sh", "/entrypoint.sh"], []).verdict).toBe("warn");
  });
});

describe("exec-form evidence", () => {
  it("masks credentials passed on the command line", () => {
    const j = judge([], ["app", "--db=postgresql://app:Sup3rS3cretPw@db/x", "--token", "tok_live_abcdef123456", "API_KEY=k-9f8e7d6c5b4a"]);
    const text = JSON.stringify(j);
    for (const value of ["Sup3rS3cretPw", "tok_live_abcdef123456", "k-9f8e7d6c5b4a"]) expect(text).not.toContain(value);
    expect(j.evidence[1]).toBe('Cmd: ["app","--db=postgresql://app:****@db/x","--token","****","API_KEY=****"]');
  });
});
