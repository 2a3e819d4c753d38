import { describe, expect, it } from "vitest";
import { forbiddenFilesCheck } from "../../src/checks/image/forbidden-files.js";
import { globToRegExp } from "../../src/image/glob.js";
import { evidence, image } from "./evidence.js";

describe("globToRegExp", () => {
  it("matches segments, ** across segments and at the root", () => {
    const git = globToRegExp("**/.git/**");
    expect(git.test(".git/config")).toBe(true);
    expect(git.test("app/.git/objects/ab/cd")).toBe(true);
    expect(git.test("app/.github/x")).toBe(false);
    expect(globToRegExp("**/bin/uv").test("usr/local/bin/uv")).toBe(true);
    expect(globToRegExp("**/bin/uv").test("usr/local/bin/uvicorn")).toBe(false);
    expect(globToRegExp("var/lib/apt/lists/*_Packages*").test("var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4")).toBe(true);
    expect(globToRegExp("var/lib/apt/lists/*_Packages*").test("var/lib/apt/lists/partial/x_Packages")).toBe(false);
  });
});

describe("forbidden-files", () => {
  const base = { createdBy: "FROM python:3.12-slim", files: ["usr/bin/python3", "etc/passwd"] };

  it("passes an image without forbidden paths", () => {
    const j = forbiddenFilesCheck.judge(evidence({ image: image([base, { files: ["app/main.py", "app/.venv/bin/uvicorn"] }]) }));
    expect(j.verdict).toBe("pass");
  });

  it("fails with path and layer for files in the final filesystem", () => {
    const img = image([base, { createdBy: "COPY --from=ghcr.io/astral-sh/uv /uv /usr/local/bin/uv", files: ["usr/local/bin/uv"] }, { createdBy: "COPY . /app", files: ["app/.env", "app/main.py"] }]);
    const j = forbiddenFilesCheck.judge(evidence({ image: img }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("2 forbidden file(s): 2 in the final filesystem");
    expect(j.evidence).toEqual([
      "usr/local/bin/uv in layer 1 (COPY --from=ghcr.io/astral-sh/uv /uv /usr/local/bin/uv) [**/bin/uv]",
      "app/.env in layer 2 (COPY . /app) [**/.env]",
    ]);
  });

  it("reports files deleted in a later layer as still shipped", () => {
    const img = image([
      base,
      { createdBy: "RUN pip install -r requirements.txt", files: ["root/.cache/pip/http/ab/cd"] },
      { createdBy: "RUN rm -rf /root/.cache/pip", deletes: ["root/.cache/pip"] },
    ]);
    const j = forbiddenFilesCheck.judge(evidence({ image: img }));
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("1 forbidden file(s): 1 deleted later but still in a layer");
    expect(j.evidence).toEqual([
      "root/.cache/pip/http/ab/cd in layer 1 (RUN pip install -r requirements.txt) [root/.cache/pip/**] (deleted in layer 2, still shipped)",
    ]);
  });

  it("uses the configured patterns", () => {
    const img = image([{ files: ["app/secrets.json"] }]);
    expect(forbiddenFilesCheck.judge(evidence({ image: img })).verdict).toBe("pass");
    expect(forbiddenFilesCheck.judge(evidence({ image: img, config: { forbiddenPaths: ["**/secrets.json"] } })).verdict).toBe("fail");
  });
});
