// A fresh Node project that installs the package (as `npm pack` ships it) quotes SIAPE with the
// CLI's numbers, with a bare `import { simulate } from "qitech-sim"` and no init call.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JS_DIR, ROOT, clockless, runCli } from "./support.mjs";

const npm = (args, cwd) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--offline", "--loglevel=error"], { cwd, encoding: "utf8" });

test("npm pack → npm install in a fresh project → the CLI's SIAPE bytes", () => {
  const dir = mkdtempSync(join(tmpdir(), "qitech-sim-consumer-"));
  try {
    const tarball = npm(["pack", JS_DIR, "--pack-destination", dir], dir).trim().split("\n").pop();
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    npm(["install", `./${tarball}`], dir);
    const request = join(ROOT, "fixtures/siape/simulation_request.json");
    const config = join(ROOT, "fixtures/siape/pricing.json");
    writeFileSync(
      join(dir, "quote.mjs"),
      `import { readFileSync } from "node:fs";
import { simulate, simulateJson } from "qitech-sim";
const request = readFileSync(${JSON.stringify(request)}, "utf8");
const config = readFileSync(${JSON.stringify(config)}, "utf8");
const quote = simulate(JSON.parse(request), JSON.parse(config));
if (quote.data.disbursement_options[0].cet !== 0.0346) throw new Error("cet " + quote.data.cet);
process.stdout.write(simulateJson(request, config));
`,
    );
    const out = execFileSync("node", ["quote.mjs"], { cwd: dir, encoding: "utf8" });
    const cli = runCli(["simulate", request, "--config", config, "--compact"]);
    assert.equal(cli.status, 0, cli.stderr);
    assert.equal(clockless(out), clockless(cli.stdout.trimEnd()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
