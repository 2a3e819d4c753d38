#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step): register tsx, then start the CLI.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
