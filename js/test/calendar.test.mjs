// The calendar agrees with the native library on a few thousand dates (12,000 calls through the
// native oracle, one process) and with the CLI itself on a sample.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QitechSimError, addBusinessDays, following, isBusinessDay, workdays } from "qitech-sim";
import { runCli, runOracle } from "./support.mjs";

const DAY = 86_400_000;
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);

/** 3,000 dates from 1990 to 2100 (past both ends of the calendar's range), by a fixed LCG. */
function calls() {
  let seed = 20;
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const start = Date.UTC(1990, 0, 1);
  const span = (Date.UTC(2100, 0, 1) - start) / DAY;
  const out = [];
  for (let i = 0; i < 3000; i++) {
    // Half of the dates in 2020–2030, where loans are, half anywhere.
    const d = i % 2 ? start + next(span) * DAY : Date.UTC(2020, 0, 1) + next(3653) * DAY;
    out.push(["is-business-day", iso(d)]);
    out.push(["following", iso(d)]);
    out.push(["workdays", iso(d - next(800) * DAY), iso(d)]);
    out.push(["add-business-days", iso(d), String(next(601) - 300)]);
  }
  return out;
}

const js = {
  "is-business-day": (d) => isBusinessDay(d),
  following: (d) => following(d),
  workdays: (a, b) => workdays(a, b),
  "add-business-days": (d, n) => addBusinessDays(d, Number(n)),
};

function answer(call) {
  try {
    return { ok: js[call[0]](...call.slice(1)) };
  } catch (e) {
    assert.ok(e instanceof QitechSimError, String(e));
    return { error: { kind: e.kind, field: e.field } };
  }
}

test("12,000 calendar calls: the native library's answers", () => {
  const list = calls();
  const file = join(mkdtempSync(join(tmpdir(), "qitech-sim-")), "calls.txt");
  writeFileSync(file, list.map((c) => c.join(" ")).join("\n") + "\n");
  const native = runOracle(["calendar", file]).trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.equal(native.length, list.length);
  let errors = 0;
  for (const [i, call] of list.entries()) {
    const got = answer(call);
    if (got.error) errors++;
    assert.deepEqual(got, native[i], call.join(" "));
  }
  // Some calls fall outside the calendar's range and must be refused alike; most do not.
  assert.ok(errors > 0 && errors < list.length / 4, `${errors} refused`);
});

test("a sample of 40 calls: the CLI's answers", () => {
  const list = calls().filter((_, i) => i % 300 === 0);
  for (const call of list) {
    const cli = runCli(["calendar", ...call]);
    const got = answer(call);
    if (cli.status !== 0) {
      assert.ok(got.error, `${call.join(" ")}: the CLI refused (${cli.stderr.trim()}), the package did not`);
      continue;
    }
    const out = JSON.parse(cli.stdout);
    const expected = { "is-business-day": out.business_day, following: out.following, workdays: out.workdays, "add-business-days": out.result }[call[0]];
    assert.deepEqual(got, { ok: expected }, call.join(" "));
  }
});

test("known days: Carnival, Tiradentes, a Sunday", () => {
  assert.equal(isBusinessDay("2023-02-21"), false);
  assert.equal(following("2023-04-21"), "2023-04-24");
  assert.equal(workdays("2023-03-14", "2023-04-07"), 17);
  assert.equal(addBusinessDays("2023-04-07", 0), "2023-04-07");
  assert.equal(isBusinessDay(new Date(Date.UTC(2023, 3, 9))), false);
});
