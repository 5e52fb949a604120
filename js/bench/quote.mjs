// The SIAPE quote in Node (the package's wasm, through simulateJson) against the same Rust calls
// run natively (examples/oracle.rs, the main crate's release settings), in one run: CPU time per
// quote on each side (process.cpuUsage for Node, the thread's schedstat for native) and the ratio.
//   npm --prefix js run bench [-- N]
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { simulateJson } from "qitech-sim";
import { ROOT, runOracle } from "../test/support.mjs";

const n = Number(process.argv[2] ?? 20000);
const requestPath = join(ROOT, "fixtures/siape/simulation_request.json");
const configPath = join(ROOT, "fixtures/siape/pricing.json");
const request = readFileSync(requestPath, "utf8");
const config = readFileSync(configPath, "utf8");
const options = { eventDatetime: "2026-01-01 00:00:00" };

function node() {
  let bytes = 0;
  for (let i = 0; i < n / 10; i++) bytes = simulateJson(request, config, options).length;
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) bytes = simulateJson(request, config, options).length;
  const used = process.cpuUsage(start);
  return { ns_per_quote: ((used.user + used.system) * 1000) / n, bytes };
}

runOracle(["bench", "10", requestPath, configPath]); // built before the clock starts
const load = loadavg()[0].toFixed(1);
const nodeSide = node();
const native = JSON.parse(runOracle(["bench", String(n), requestPath, configPath]));
if (nodeSide.bytes !== native.bytes) throw new Error(`${nodeSide.bytes} vs ${native.bytes} bytes`);
const ratio = nodeSide.ns_per_quote / native.ns_per_quote;
console.log(
  `SIAPE quote (${n} each, load ${load}): Node ${(nodeSide.ns_per_quote / 1000).toFixed(1)} µs, ` +
    `native ${(native.ns_per_quote / 1000).toFixed(1)} µs, ratio ${ratio.toFixed(2)}×  (${process.version}, ` +
    `${execFileSync("rustc", ["--version"], { encoding: "utf8" }).trim()})`,
);
