// Every request fixture gives the CLI's bytes (event time aside), through the same door.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as qs from "qitech-sim";
import { clockless, doors, read, runCli } from "./support.mjs";

/** A response with its keys blanked: `key` and `installment_key` hash the request's bytes. */
const keyless = (v) =>
  JSON.parse(JSON.stringify(v), (k, x) => (k === "key" || k === "installment_key" ? "…" : x));

const camel = { delay_unit: "delayUnit", option_days: "optionDays", natural_iof: "naturalIof" };

function cliArgs(door) {
  const args = [door.endpoint, door.request, "--compact"];
  if (door.config) args.push("--config", door.config);
  for (const [key, flag] of Object.entries(camel)) {
    if (door.options?.[key] !== undefined) args.push(`--${key.replace("_", "-")}`, door.options[key]);
  }
  if (door.options?.allow_unknown_fields) args.push("--allow-unknown-fields");
  if (door.query?.target_change !== undefined) args.push("--target-change", String(door.query.target_change));
  if (door.query?.installments_range) args.push("--installments-range", door.query.installments_range.join(".."));
  return args;
}

function jsOptions(door) {
  const o = {};
  for (const [key, name] of Object.entries(camel)) if (door.options?.[key] !== undefined) o[name] = door.options[key];
  if (door.options?.allow_unknown_fields) o.allowUnknownFields = true;
  if (door.query?.target_change !== undefined) o.targetChange = door.query.target_change;
  if (door.query?.installments_range) o.installmentsRange = door.query.installments_range;
  return o;
}

for (const door of doors()) {
  test(`${door.name}: the CLI's bytes`, () => {
    const cli = runCli(cliArgs(door));
    const request = read(door.request);
    const config = door.config ? read(door.config) : undefined;
    const call = () => qs[`${door.endpoint}Json`](request, config, jsOptions(door));
    if (cli.status !== 0) {
      assert.equal(cli.status, 2, cli.stderr);
      assert.throws(call, (e) => e instanceof qs.QitechSimError && typeof e.kind === "string");
      return;
    }
    const text = call();
    assert.equal(clockless(text), clockless(cli.stdout.trimEnd()));
    // The object form is JSON.parse of those bytes, and an object request prices as its text
    // does (but for the keys, which hash the request's bytes).
    assert.deepEqual(JSON.parse(clockless(text)), JSON.parse(clockless(JSON.stringify(qs[door.endpoint](request, config, jsOptions(door))))));
    const object = qs[door.endpoint](JSON.parse(request), config && JSON.parse(config), jsOptions(door));
    assert.deepEqual(keyless(JSON.parse(clockless(JSON.stringify(object)))), keyless(JSON.parse(clockless(text))));
  });
}

test("the doors table covers every endpoint", () => {
  const endpoints = new Set(doors().map((d) => d.endpoint));
  for (const e of ["simulate", "debt", "portability"]) assert.ok(endpoints.has(e), e);
});

test("summary: the same numbers as the full response", () => {
  const request = read("fixtures/siape/simulation_request.json");
  const config = read("fixtures/siape/pricing.json");
  const full = qs.simulate(request, config);
  const s = qs.summary(request, config);
  assert.equal(s.key, full.data && s.key);
  assert.equal(s.options.length, full.data.disbursement_options.length);
  for (const [i, o] of s.options.entries()) {
    const f = full.data.disbursement_options[i];
    for (const k of ["issue_amount", "iof_amount", "cet", "annual_cet", "disbursed_issue_amount"]) {
      assert.equal(o[k], f[k], k);
    }
  }
  assert.equal(qs.summaryJson(request, config), JSON.stringify(s));
});

test("the clock: now by default (UTC, the CLI's format), given, or none", () => {
  const request = read("fixtures/siape/simulation_request.json");
  assert.match(qs.simulate(request).event_datetime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.equal(qs.simulate(request, null, { eventDatetime: "2026-12-06 04:00:00" }).event_datetime, "2026-12-06 04:00:00");
  assert.equal(qs.simulate(request, null, { eventDatetime: null }).event_datetime, null);
});
