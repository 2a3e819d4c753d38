import { describe, expect, it } from "vitest";
import { bytecodeCompiledCheck } from "../../src/checks/image/bytecode-compiled.js";
import { evidence, image } from "./evidence.js";

const SP = "app/.venv/lib/python3.12/site-packages";
const modules = (n: number, compiled: number): string[] =>
  Array.from({ length: n }, (_, i) => [`${SP}/pkg/m${i}.py`, ...(i < compiled ? [`${SP}/pkg/__pycache__/m${i}.cpython-312.pyc`] : [])]).flat();

describe("bytecode-compiled", () => {
  it("passes when at least 90 % of modules have a .pyc", () => {
    const j = bytecodeCompiledCheck.judge(evidence({ image: image([{ files: modules(10, 9) }]) }));
    expect(j.verdict).toBe("pass");
    expect(j.evidence).toEqual(["9 of 10 site-packages modules have a .pyc (90.0 %)", `no bytecode: ${SP}/pkg/m9.py`]);
  });

  it("fails below 90 % with counts and examples", () => {
    const j = bytecodeCompiledCheck.judge(evidence({ image: image([{ files: modules(10, 2) }]) }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("only 20.0 % of site-packages modules are compiled (need 90 %)");
    expect(j.evidence[0]).toBe("2 of 10 site-packages modules have a .pyc (20.0 %)");
    expect(j.evidence.slice(1)).toHaveLength(5);
    expect(j.fix).toContain("UV_COMPILE_BYTECODE=1");
  });

  it("ignores .py files outside site-packages and counts opt-level pyc", () => {
    const files = [`${SP}/a.py`, `${SP}/__pycache__/a.cpython-312.opt-1.pyc`, "app/main.py"];
    expect(bytecodeCompiledCheck.judge(evidence({ image: image([{ files }]) })).summary).toBe("100.0 % of site-packages modules are compiled");
  });

  it("warns when there is no site-packages", () => {
    expect(bytecodeCompiledCheck.judge(evidence({ image: image([{ files: ["app/main.py"] }]) })).verdict).toBe("warn");
  });
});
