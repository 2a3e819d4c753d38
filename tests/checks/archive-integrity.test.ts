import { describe, expect, it } from "vitest";
import { archiveIntegrityCheck } from "../../src/checks/image/archive-integrity.js";
import type { ReadProblem } from "../../src/image/types.js";
import { evidence, image } from "./evidence.js";

const withProblems = (problems: ReadProblem[]) => {
  const img = image([{ createdBy: "FROM base", files: ["etc/passwd"] }, { createdBy: "COPY . /app", files: ["app/main.py"] }]);
  return evidence({ image: { ...img, problems } });
};

describe("archive-integrity", () => {
  it("passes a tarball the reader found nothing odd in", () => {
    const j = archiveIntegrityCheck.judge(withProblems([]));
    expect(j).toMatchObject({ verdict: "pass", summary: "2 layers read, digests match, no entry leaves the root" });
    expect(j.evidence).toEqual(["read as docker-archive, platform linux/amd64"]);
  });

  it("fails on an entry that climbs out of the root, naming layer and path", () => {
    const j = archiveIntegrityCheck.judge(
      withProblems([{ code: "path-traversal", message: "entry name leaves the image root", layerIndex: 1, path: "../../etc/cron.d/x" }]),
    );
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("1 archive problem(s): path-traversal");
    expect(j.evidence.slice(1)).toEqual(["path-traversal (layer 1 ../../etc/cron.d/x): entry name leaves the image root"]);
    expect(j.fix).toMatch(/^rebuild the image/);
  });

  it("only warns on problems that do not make the layers untrustworthy", () => {
    const j = archiveIntegrityCheck.judge(withProblems([{ code: "history-mismatch", message: "3 history entries for 2 layers" }]));
    expect(j.verdict).toBe("warn");
    expect(j.evidence.slice(1)).toEqual(["history-mismatch: 3 history entries for 2 layers"]);
  });
});
