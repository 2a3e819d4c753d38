/** The scenarios built from verify.yaml and the image config: argv, user, env, bounds. */
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/schema.js";
import { missingEnvScenarios, resolveImageUser, serveScenario } from "../../src/runtime/scenarios.js";
import { group, image, passwd } from "../checks/evidence.js";

const users = { "etc/passwd": passwd(1001), "etc/group": group(1001) };
const config = {
  ...defaultConfig(),
  requiredEnv: { DATABASE_URL: "postgresql://u:p@127.0.0.1/db", SECRET_KEY: "k" },
  extraEnv: { LOG_LEVEL: "debug" },
  gracePeriodSeconds: 2,
};

describe("serveScenario", () => {
  it("runs entrypoint + cmd as the image's user with every required and extra variable", () => {
    const img = image([{}], { user: "app", entrypoint: ["/app/.venv/bin/uvicorn"], cmd: ["app.main:app"], workingDir: "/app" }, users);
    expect(serveScenario(config, img)).toEqual({
      kind: "serve",
      env: { HOME: "/home/app", DATABASE_URL: "postgresql://u:p@127.0.0.1/db", SECRET_KEY: "k", LOG_LEVEL: "debug" },
      uid: 1001,
      gid: 1001,
      argv: ["/app/.venv/bin/uvicorn", "app.main:app"],
      workingDir: "/app",
      port: 8000,
      healthPath: "/api/v1/health",
      healthTimeoutMs: 30_000,
      graceMs: 2000,
      exitTimeoutMs: 15_000,
    });
  });

  it("keeps the image's own HOME and runs an empty USER as root", () => {
    const img = image([{}], { user: "", cmd: ["python3"], env: ["HOME=/srv"], workingDir: "" }, users);
    const spec = serveScenario(config, img);
    expect(spec).toMatchObject({ uid: 0, gid: 0, workingDir: "/" });
    expect(spec.env.HOME).toBeUndefined();
  });

  it("resolves numeric users and explicit groups", () => {
    expect(resolveImageUser(image([{}], { user: "1001:0" }, users))).toEqual({ uid: 1001, gid: 0, home: "/home/app" });
    expect(resolveImageUser(image([{}], { user: "4242" }, users))).toEqual({ uid: 4242, gid: 0, home: undefined });
  });

  it("fails clearly on a user the image does not know", () => {
    expect(() => serveScenario(config, image([{}], { user: "ghost", cmd: ["x"] }, users))).toThrow(
      /cannot run the app as USER "ghost": user "ghost" is not in the image's etc\/passwd/,
    );
  });
});

describe("missingEnvScenarios", () => {
  it("leaves out one required variable per scenario, keeps the others, and unsets it", () => {
    const img = image([{}], { user: "app", cmd: ["python3", "app.py"] }, users);
    const specs = missingEnvScenarios(config, img);
    expect(Object.keys(specs)).toEqual(["DATABASE_URL", "SECRET_KEY"]);
    expect(specs.DATABASE_URL).toMatchObject({ kind: "missing-env", env: { HOME: "/home/app", SECRET_KEY: "k" }, unsetEnv: ["DATABASE_URL"] });
    expect(specs.DATABASE_URL.env).not.toHaveProperty("DATABASE_URL");
    expect(specs.DATABASE_URL.env).not.toHaveProperty("LOG_LEVEL");
    expect(specs.SECRET_KEY.env).toEqual({ HOME: "/home/app", DATABASE_URL: "postgresql://u:p@127.0.0.1/db" });
  });

  it("builds none when nothing is required", () => {
    expect(missingEnvScenarios({ ...config, requiredEnv: {} }, image([{}], { cmd: ["x"] }, users))).toEqual({});
  });
});
