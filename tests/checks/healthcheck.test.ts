import { describe, expect, it } from "vitest";
import { healthcheckCheck, portsIn } from "../../src/checks/image/healthcheck.js";
import type { Healthcheck } from "../../src/image/types.js";
import { evidence, image } from "./evidence.js";

const judge = (healthcheck?: Healthcheck) => healthcheckCheck.judge(evidence({ image: image([], { healthcheck }) }));
const probe = (url: string) => ["CMD", "python", "-c", `import urllib.request; urllib.request.urlopen('${url}')`];

describe("healthcheck", () => {
  it("passes an exec-form probe of the health path and port", () => {
    const j = judge({ test: probe("http://127.0.0.1:8000/api/v1/health") });
    expect(j.verdict).toBe("pass");
    expect(j.evidence[0]).toContain("config Healthcheck.Test: [\"CMD\",\"python\"");
  });

  it("fails a missing or NONE healthcheck", () => {
    expect(judge(undefined)).toMatchObject({ verdict: "fail", summary: "no HEALTHCHECK in the image" });
    expect(judge({ test: ["NONE"] })).toMatchObject({ verdict: "fail", summary: "HEALTHCHECK NONE disables the health check" });
  });

  it("fails the shell form", () => {
    const j = judge({ test: ["CMD-SHELL", "curl -f http://localhost:8000/api/v1/health || exit 1"] });
    expect(j.verdict).toBe("fail");
    expect(j.summary).toBe("HEALTHCHECK uses the shell form (CMD-SHELL)");
  });

  it("fails a probe of another path or port", () => {
    expect(judge({ test: probe("http://127.0.0.1:8000/") }).summary).toBe("HEALTHCHECK does not probe the health path /api/v1/health");
    expect(judge({ test: probe("http://localhost:9000/api/v1/health") }).summary).toBe(
      "HEALTHCHECK probes port 9000, the app listens on 8000",
    );
  });

  it("reads ports from URLs and --port", () => {
    expect(portsIn(["wget", "http://[::1]:8080/x", "--port", "81"])).toEqual([8080, 81]);
    expect(portsIn(["curl", "http://app/health"])).toEqual([]);
  });
});
