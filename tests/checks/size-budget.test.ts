import { describe, expect, it } from "vitest";
import { sizeBudgetCheck } from "../../src/checks/image/size-budget.js";
import { evidence, file, image } from "./evidence.js";

const MB = 1_000_000;

describe("size-budget", () => {
  const img = image([
    { createdBy: "FROM debian", uncompressedSize: 80 * MB },
    { createdBy: "RUN apt-get install build-essential", files: [file("usr/lib/big.a", 30 * MB)], uncompressedSize: 120 * MB },
    { createdBy: "RUN apt-get purge build-essential", deletes: ["usr/lib/big.a"], uncompressedSize: 1 * MB },
    { createdBy: "COPY . /app", uncompressedSize: 2 * MB },
  ]);

  it("passes within budget with the largest layers and wasted bytes as evidence", () => {
    const j = sizeBudgetCheck.judge(evidence({ image: img }));
    expect(j.verdict).toBe("pass");
    expect(j.evidence).toEqual([
      "total 203.0 MB uncompressed (budget 400 MB), 4 layers (max 30)",
      "layer 1: 120.0 MB RUN apt-get install build-essential",
      "layer 0: 80.0 MB FROM debian",
      "layer 3: 2.0 MB COPY . /app",
      "wasted 30.0 MB in 1 files overwritten or deleted by later layers",
      "wasted 30.0 MB: usr/lib/big.a (layer 1, deleted in layer 2)",
    ]);
  });

  it("fails over the size budget or the layer limit", () => {
    expect(sizeBudgetCheck.judge(evidence({ image: img, config: { sizeBudgetMB: 200 } })).summary).toBe("203.0 MB exceeds the 200 MB budget");
    expect(sizeBudgetCheck.judge(evidence({ image: img, config: { maxLayers: 3 } }))).toMatchObject({ verdict: "fail", summary: "4 layers exceed the maximum of 3" });
  });
});
