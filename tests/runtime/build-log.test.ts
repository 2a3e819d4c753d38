import { describe, expect, it } from "vitest";
import { summariseBuildLog } from "../support/docker-runtime.js";

describe("summariseBuildLog", () => {
  it("reduces a BuildKit failure to what failed, without step numbers or prefixes", () => {
    const log = [
      "#6 [2/2] RUN false",
      "#6 ERROR: executor failed running [/bin/sh -c false]: exit code: 1",
      "------",
      " > [2/2] RUN false:",
      "------",
      "error: failed to solve: executor failed running [/bin/sh -c false]: exit code: 1",
    ].join("\n");
    const { summary, tail } = summariseBuildLog(log);
    expect(summary).toBe("executor failed running [/bin/sh -c false]: exit code: 1");
    expect(tail.split("\n")).toHaveLength(6);
  });

  it("strips a timed step prefix, and falls back to the last line", () => {
    expect(summariseBuildLog("#9 0.512 ERROR: no such file").summary).toBe("no such file");
    expect(summariseBuildLog("step one\nstep two\n").summary).toBe("step two");
    expect(summariseBuildLog("").summary).toBe("no output");
  });
});
