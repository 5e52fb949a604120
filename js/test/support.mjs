// What the tests share: the repository's paths, the CLI (built by cargo when missing) and the
// native oracle (js/examples/oracle.rs).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const JS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = join(JS_DIR, "..");
const TARGET = process.env.CARGO_TARGET_DIR ?? join(ROOT, "target");
/** The js workspace's own build directory (as scripts/build.sh chooses it). */
const JS_TARGET = process.env.CARGO_TARGET_DIR ? join(process.env.CARGO_TARGET_DIR, "js") : join(JS_DIR, "target");

/** The CLI binary: $QITECH_SIM_CLI, else the release build (built here when missing). */
export function cli() {
  if (process.env.QITECH_SIM_CLI) return process.env.QITECH_SIM_CLI;
  const bin = join(TARGET, "release", "qitech-sim");
  if (!existsSync(bin)) {
    execFileSync("cargo", ["build", "--release", "-q", "--bin", "qitech-sim"], { cwd: ROOT, stdio: "inherit" });
  }
  return bin;
}

/** Runs the CLI: `{ status, stdout, stderr }`. */
export function runCli(args) {
  const r = spawnSync(cli(), args, { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the native oracle (`cargo run --profile native --example oracle -- ARGS`). */
export function runOracle(args) {
  return execFileSync("cargo", ["run", "-q", "--profile", "native", "--example", "oracle", "--", ...args], {
    cwd: JS_DIR,
    encoding: "utf8",
    maxBuffer: 256 << 20,
    env: { ...process.env, CARGO_TARGET_DIR: JS_TARGET },
  });
}

/** The table of every request fixture with its endpoint, config, options and query. */
export function doors() {
  return JSON.parse(readFileSync(join(ROOT, "fixtures", "doors.json"), "utf8"));
}

export const read = (rel) => readFileSync(join(ROOT, rel), "utf8");

/** A response's bytes with its clock replaced (the CLI prints the time it ran). */
export const clockless = (text) => text.replace(/"event_datetime":("[^"]*"|null)/, '"event_datetime":"…"');
