// Errors are QitechSimError with the crate's kind, field and value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { QitechSimError, simulate, simulateJson, debt, portability, isBusinessDay, addBusinessDays } from "qitech-sim";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { read, runCli } from "./support.mjs";

const siape = () => JSON.parse(read("fixtures/siape/simulation_request.json"));

function refused(f, kind, field, value) {
  assert.throws(f, (e) => {
    assert.ok(e instanceof QitechSimError, `not a QitechSimError: ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, "QitechSimError");
    assert.equal(e.kind, kind);
    assert.equal(e.field, field);
    if (value !== undefined) assert.equal(e.value, value);
    assert.ok(e.message.length > 0);
    return true;
  });
}

test("an out-of-range field names itself and its value", () => {
  const r = siape();
  r.financial.number_of_installments = 0;
  refused(() => simulate(r), "out_of_range", "financial.number_of_installments", "0");
  // The CLI refuses it naming the same field.
  const file = join(mkdtempSync(join(tmpdir(), "qitech-sim-")), "r.json");
  writeFileSync(file, JSON.stringify(r));
  const cli = runCli(["simulate", file]);
  assert.equal(cli.status, 2);
  assert.match(cli.stderr, /financial\.number_of_installments/);
});

test("a missing field, a wrong type, an unknown key, a conflict", () => {
  const r = siape();
  delete r.financial.disbursement_date;
  refused(() => simulate(r), "missing", "financial.disbursement_date");
  const t = siape();
  t.financial.number_of_installments = "2";
  refused(() => simulate(t), "wrong_type", "financial.number_of_installments");
  const u = siape();
  u.financial.installment_face_valu = 1;
  assert.throws(() => simulate(u), (e) => e instanceof QitechSimError && e.field.includes("installment_face_valu"));
  simulate(u, null, { allowUnknownFields: true });
  const c = siape();
  c.financial.annual_interest_rate = 0.3;
  refused(() => simulate(c), "conflict", "financial.annual_interest_rate");
});

test("invalid JSON, a bad configuration, a bad option", () => {
  refused(() => simulateJson("{"), "invalid_json", "request");
  refused(() => simulate(siape(), "[1"), "invalid_json", "config");
  refused(() => simulate(siape(), null, { delayUnit: "weeks" }), "invalid", "options.delayUnit");
  refused(() => simulate(siape(), null, { colour: 1 }), "invalid", "options.colour");
  refused(() => simulate(undefined), "missing", "request");
  refused(() => simulate(siape(), null, "fast"), "wrong_type", "options");
  refused(
    () => portability(read("fixtures/airforce/portability.json"), null, { targetChange: 1, installmentsRange: [1, 2] }),
    "conflict",
    "options.targetChange",
  );
  refused(() => portability(read("fixtures/airforce/portability.json"), null, { installmentsRange: [0, 2] }), "out_of_range", "options.installmentsRange");
  refused(() => debt(read("fixtures/qi-examples/v2-sim-2025.request.v2.json")), "unsupported", "request");
});

test("calendar errors", () => {
  refused(() => isBusinessDay("2023-02-30"), "invalid", "date");
  refused(() => isBusinessDay("1800-01-01"), "date_out_of_range", "calendar.date");
  refused(() => addBusinessDays("2023-01-02", 1.5), "invalid", "n");
  refused(() => addBusinessDays("2023-01-02", "3"), "wrong_type", "n");
});
