/** The scenarios built from verify.yaml and the image config: argv, user, env, bounds. */
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/schema.js";
import { missingEnvScenarios, serveScenario } from "../../src/runtime/scenarios.js";
import { image } from "../checks/evidence.js";

const config = {
  ...defaultConfig(),
  requiredEnv: { DATABASE_URL: "postgresql://u:p@127.0.0.1/db", SECRET_KEY: "k" },
  extraEnv: { LOG_LEVEL: "debug" },
  gracePeriodSeconds: 2,
};
const configOf = (c: Parameters<typeof image>[1]) => image([{}], c).config;

describe("serveScenario", () => {
  it("runs entrypoint + cmd as the image's USER, as written, with every required and extra variable", () => {
    const img = configOf({ user: "app", entrypoint: ["/app/.venv/bin/uvicorn"], cmd: ["app.main:app"], workingDir: "/app" });
    expect(serveScenario(config, img)).toEqual({
      kind: "serve",
      env: { DATABASE_URL: "postgresql://u:p@127.0.0.1/db", SECRET_KEY: "k", LOG_LEVEL: "debug" },
      // The harness resolves the name in the image's own /etc/passwd, as runc does.
      user: "app",
      setHome: true,
      argv: ["/app/.venv/bin/uvicorn", "app.main:app"],
      workingDir: "/app",
      port: 8000,
      healthPath: "/api/v1/health",
      healthTimeoutMs: 30_000,
      graceMs: 2000,
      exitTimeoutMs: 15_000,
    });
  });

  it("keeps the image's own HOME, passes an empty USER through (root) and defaults the workdir to /", () => {
    const spec = serveScenario(config, configOf({ user: "", cmd: ["python3"], env: ["HOME=/srv"], workingDir: "" }));
    expect(spec).toMatchObject({ user: "", setHome: false, workingDir: "/" });
    expect(spec.env.HOME).toBeUndefined();
  });

  it("passes user:group forms through untouched", () => {
    expect(serveScenario(config, configOf({ user: "1001:0", cmd: ["x"] })).user).toBe("1001:0");
  });
});

describe("missingEnvScenarios", () => {
  it("leaves out one required variable per scenario, keeps the others, and unsets it", () => {
    const specs = missingEnvScenarios(config, configOf({ user: "app", cmd: ["python3", "app.py"] }));
    expect(Object.keys(specs)).toEqual(["DATABASE_URL", "SECRET_KEY"]);
    expect(specs.DATABASE_URL).toMatchObject({ kind: "missing-env", env: { SECRET_KEY: "k" }, unsetEnv: ["DATABASE_URL"], user: "app" });
    expect(specs.DATABASE_URL.env).not.toHaveProperty("DATABASE_URL");
    expect(specs.DATABASE_URL.env).not.toHaveProperty("LOG_LEVEL");
    expect(specs.SECRET_KEY.env).toEqual({ DATABASE_URL: "postgresql://u:p@127.0.0.1/db" });
  });

  it("builds none when nothing is required", () => {
    expect(missingEnvScenarios({ ...config, requiredEnv: {} }, configOf({ cmd: ["x"] }))).toEqual({});
  });
});
