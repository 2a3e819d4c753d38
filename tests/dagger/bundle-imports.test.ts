/**
 * What a real Dagger engine does to the module, checked without one. Inside a module the TypeScript SDK
 * replaces `@dagger.io/dagger` by a bundle whose index exports only a few names, and installs the
 * module's packages with `npm install --omit=dev`. tsc and vitest resolve the full npm package and the
 * dev dependencies, so neither notices a name or a package that only exists here: the module then
 * fails at load, on every call. These tests read the sources the way the engine will.
 */
import { readdir, readFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * The core names of the bundle's index (the TypeScript SDK's runtime/tsutils/module/index.ts, v0.21.8);
 * everything else it exports is the generated API, `export * from "./client.gen.js"`.
 */
const BUNDLE_CORE_EXPORTS = ["connection", "connect", "Context", "func", "check", "generate", "argument", "object", "field", "enumType", "entrypoint", "ConnectOpts", "CallbackFct"];
/** The generated API of the published package: the same core schema the engine generates for the module. */
const CLIENT_GEN = "node_modules/@dagger.io/dagger/dist/src/api/client.gen.d.ts";
/** The TypeScript version the SDK's runtime expects (runtime/tsdistconsts: DefaultTypeScriptVersion). */
const SDK_TYPESCRIPT = "5.9.3";

interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Every .ts file under src/: what the SDK's runtime loads (dagger.json "source": "."; tests are excluded). */
async function moduleSources(dir = "src"): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? moduleSources(join(dir, e.name)) : Promise.resolve(e.name.endsWith(".ts") ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
}

interface ImportUse {
  file: string;
  from: string;
  names: string[];
  /** `import type ...`: erased, never loaded. */
  typeOnly: boolean;
}

/** The static imports of one file, with the names each brings in. */
function importsOf(file: string, text: string): ImportUse[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const uses: ImportUse[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.importClause;
    const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : [];
    uses.push({
      file,
      from: statement.moduleSpecifier.text,
      names: named.map((e) => (e.propertyName ?? e.name).text),
      typeOnly: clause?.isTypeOnly === true || (named.length > 0 && named.every((e) => e.isTypeOnly)),
    });
  }
  return uses;
}

async function allImports(): Promise<ImportUse[]> {
  const files = await moduleSources();
  const lists = await Promise.all(files.map(async (f) => importsOf(f, await readFile(f, "utf8"))));
  return lists.flat();
}

/** The names the module's `@dagger.io/dagger` bundle exports. */
async function bundleExports(): Promise<Set<string>> {
  const text = await readFile(CLIENT_GEN, "utf8");
  const generated = [...text.matchAll(/^export (?:declare )?(?:abstract )?(?:class|enum|type|interface|const|function) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
  return new Set([...BUNDLE_CORE_EXPORTS, ...generated]);
}

/** "yaml" of "yaml/util", "@scope/pkg" of "@scope/pkg/sub"; undefined for relative paths and builtins. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("node:") || builtinModules.includes(specifier.split("/")[0])) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

const pkg = JSON.parse(await readFile("package.json", "utf8")) as PackageJson;

describe("the module as the Dagger engine loads it", () => {
  it("imports from @dagger.io/dagger only what the module bundle exports", async () => {
    const allowed = await bundleExports();
    expect(allowed.has("dag"), `${CLIENT_GEN} read`).toBe(true);
    const uses = (await allImports()).filter((u) => u.from === "@dagger.io/dagger");
    expect(uses.length).toBeGreaterThan(0);
    const missing = uses.flatMap((u) => u.names.filter((n) => !allowed.has(n)).map((n) => `${u.file}: ${n}`));
    expect(missing, "not exported by the bundle inside a module (match errors by name instead)").toEqual([]);
  });

  it("finds every package it loads among the runtime dependencies (npm install --omit=dev)", async () => {
    const loaded = (await allImports()).filter((u) => !u.typeOnly).map((u) => ({ file: u.file, name: packageOf(u.from) }));
    const missing = loaded.filter((u) => u.name !== undefined && !(u.name in pkg.dependencies)).map((u) => `${u.file}: ${u.name}`);
    expect(missing, "move these to package.json dependencies").toEqual([]);
  });

  it("has typescript, which the SDK's runtime loads, as a runtime dependency on the SDK's line", async () => {
    // Exactly the SDK's version makes its runtime mount its own copy over node_modules/typescript, and
    // `npm install` then fails renaming it (EBUSY): a range on the same line installs from the lockfile.
    expect(pkg.dependencies.typescript).toBeDefined();
    expect(pkg.dependencies.typescript).not.toBe(SDK_TYPESCRIPT);
    expect(pkg.devDependencies?.typescript).toBeUndefined();
    const lock = JSON.parse(await readFile("package-lock.json", "utf8")) as { packages: Record<string, { version: string }> };
    expect(lock.packages["node_modules/typescript"].version.split(".").slice(0, 2)).toEqual(SDK_TYPESCRIPT.split(".").slice(0, 2));
  });

  it("pins the SDK package to the engine version of dagger.json", async () => {
    const { engineVersion } = JSON.parse(await readFile("dagger.json", "utf8")) as { engineVersion: string };
    expect(`v${pkg.dependencies["@dagger.io/dagger"]}`).toBe(engineVersion);
  });

  it("reads named, aliased and type-only imports", () => {
    const uses = importsOf("x.ts", 'import { a, b as c, type D } from "p";\nimport type { E } from "q";\nimport "./side.js";');
    expect(uses).toEqual([
      { file: "x.ts", from: "p", names: ["a", "b", "D"], typeOnly: false },
      { file: "x.ts", from: "q", names: ["E"], typeOnly: true },
      { file: "x.ts", from: "./side.js", names: [], typeOnly: false },
    ]);
    expect([packageOf("@dagger.io/dagger"), packageOf("yaml/util"), packageOf("node:fs"), packageOf("fs"), packageOf("./x.js")]).toEqual([
      "@dagger.io/dagger",
      "yaml",
      undefined,
      undefined,
      undefined,
    ]);
  });
});
