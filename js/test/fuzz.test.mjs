// A structure-aware fuzz of the package's doors, as tests/fuzz.rs fuzzes the crate's: fixtures'
// bodies (the `financial` shape and the v2 shape) mutated (fields removed, types swapped, extreme
// numbers, odd strings, arrays grown past their caps, numbers as strings; on the text a cut, a BOM,
// a duplicated key) and run through summaryJson and simulateJson (as text and, where it parses, as
// an object). A case passes when the call returns JSON text or throws a QitechSimError with a
// string kind and a field (null only for the CET solver's `no_solution`); any other exception
// fails. A sample of the bodies goes through the CLI's `batch --summary`: each line the bytes
// summaryJson gives, or an error line with the same kind and field.
//
// QITECH_FUZZ_CASES sets the cases (default 400, so that `npm test` stays fast), QITECH_FUZZ_SEED
// the seed (default 1). For a campaign: QITECH_FUZZ_CASES=1000000 node --test test/fuzz.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { QitechSimError, simulateJson, summaryJson } from "qitech-sim";
import { cli, read, ROOT } from "./support.mjs";

const CASES = Number(process.env.QITECH_FUZZ_CASES ?? 400);
const SEED = Number(process.env.QITECH_FUZZ_SEED ?? 1);
/** Bodies compared with the CLI: every case up to 200, then one in 1000 (at most 2000). */
const SAMPLE = (k) => k < 200 || (k % 1000 === 0 && k < 2_000_000);

const SEEDS = [
  "fixtures/siape/simulation_request.json",
  "fixtures/personal_credit/simulation_request.json",
  "fixtures/airforce/simulation_request_4_options.json",
  "fixtures/reliability/negative-rate-identity.json",
  "fixtures/qi-examples/v2-sim-2025.request.v2.json",
].map((p) => JSON.parse(read(p)));

/** mulberry32: small, fast, deterministic. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n) => Math.floor(next() * Math.max(1, n));
  return { next, below, chance: (p) => next() * 100 < p, pick: (xs) => xs[below(xs.length)] };
}

const NUMBERS = [0, 1, -1, 2, 59, 60, 61, 99, 100, 101, 365, 599, 600, 601, 2 ** 31, 2 ** 53, 2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER, 0.01, 0.005, -0.5, -0.9999999, 1e-9, 1e-28, 0.1, 2.16, 1e6, 1e15, 1e15 + 0.5,
  1e16, 1e28, 7.9e28, 1e300, Number.MAX_VALUE, Number.MIN_VALUE, -0, 12.0, 90071992547409.93];
const STRINGS = ["", "2023-3-4", "+2023-03-14", " 2023-03-14 ", "2023-02-29", "9999-12-31", "0000-01-01",
  "2023-03-14T00:00:00", "calendar_days", "workdays", "pre_price_days", "pre_sac", "federal_payroll",
  "natural", "legal", "percentage", "absolute", "internal", "external", "tac", "spread", "1e-400",
  "é\u0000\ufeff\"\\\n", "x".repeat(70), "NaN", "12.0", "0.0205"];
const KEYS = ["annual_interest_rate", "monthly_interest_rate", "disbursed_amount", "installment_face_value",
  "first_due_date_delay", "first_due_date", "limit_days_to_disburse", "interest_base", "issue_date",
  "disbursed_issue_amount", "number_of_installments", "fees", "issuer_person_type", "interest_type",
  "principal_amortization_month_period", "due_dates", "desired_installments"];

function randomValue(r, depth) {
  switch (r.below(depth > 2 ? 5 : 7)) {
    case 0: return null;
    case 1: return r.chance(50);
    case 2: case 3: return r.chance(70) ? r.pick(NUMBERS) : Math.round((r.next() * 2e6 - 1e6)) / 1000;
    case 4: return r.chance(20)
      ? `${1990 + r.below(120)}-${String(r.below(14)).padStart(2, "0")}-${String(r.below(33)).padStart(2, "0")}`
      : r.pick(STRINGS);
    case 5: return Array.from({ length: r.below(4) }, () => randomValue(r, depth + 1));
    default: {
      const o = {};
      for (let i = r.below(4); i > 0; i--) o[`k${r.below(5)}`] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** A random node of `v` with its parent and key (the parent null for the root). */
function randomNode(r, v) {
  let parent = null;
  let key = null;
  for (;;) {
    const keys = v !== null && typeof v === "object" ? Object.keys(v) : [];
    if (keys.length === 0 || !r.chance(75)) return { parent, key, node: v };
    parent = v;
    key = Array.isArray(v) ? r.below(v.length) : r.pick(keys);
    v = v[key];
  }
}

function mutate(r, root) {
  const { parent, key, node } = randomNode(r, root);
  const set = (x) => (parent === null ? x : ((parent[key] = x), root));
  switch (r.below(8)) {
    case 0:
      if (parent === null) return root;
      if (Array.isArray(parent)) parent.splice(key, 1);
      else delete parent[key];
      return root;
    case 1: return set(randomValue(r, 0));
    case 2: case 3: return set(r.pick(NUMBERS));
    case 4: return set(r.pick(STRINGS));
    case 5:
      if (Array.isArray(node) && node.length > 0) {
        const n = r.pick([2, 15, 16, 17, 63, 64, 65, 100, 101, 599, 600, 601]);
        return set(Array.from({ length: n }, () => structuredClone(node[0])));
      }
      return root;
    case 6:
      if (node !== null && typeof node === "object" && !Array.isArray(node)) node[r.pick(KEYS)] = randomValue(r, 1);
      return root;
    default:
      return typeof node === "number" ? set(String(node)) : root;
  }
}

function mutateText(r, text) {
  switch (r.below(14)) {
    case 0: {
      const at = text.indexOf('{"');
      if (at < 0) return text;
      const end = text.indexOf('"', at + 2) + 1;
      return `${text.slice(0, at + 1)}${text.slice(at + 1, end)}:0,${text.slice(at + 1)}`;
    }
    case 1: return text.slice(0, r.below(text.length));
    case 2: return text.replace(/\d/, "1e-400");
    case 3: return `\ufeff${text}`;
    case 4: return text.replace(/\d+\.\d+/, (m) => `${m}1234567`);
    default: return text;
  }
}

function input(r) {
  let v = structuredClone(r.pick(SEEDS));
  delete v._note;
  for (let i = 1 + r.below(3); i > 0; i--) v = mutate(r, v);
  return mutateText(r, JSON.stringify(v) ?? "null");
}

/** `{ ok: text }` or `{ kind, field }`; throws for an exception that is not a QitechSimError. */
function answer(f, text) {
  try {
    const out = f();
    assert.equal(typeof out, "string");
    JSON.parse(out);
    return { ok: out };
  } catch (e) {
    if (!(e instanceof QitechSimError)) throw new Error(`not a QitechSimError: ${e?.stack ?? e}\ninput: ${text.slice(0, 2000)}`);
    assert.equal(typeof e.kind, "string", text);
    if (e.field === null && e.kind !== "no_solution") throw new Error(`an error without a field: ${e.message}\ninput: ${text.slice(0, 2000)}`);
    return { kind: e.kind, field: e.field };
  }
}

test(`fuzz: ${CASES} bodies through summaryJson and simulateJson`, () => {
  const started = Date.now();
  let priced = 0;
  const sample = [];
  for (let k = 0; k < CASES; k++) {
    const r = rng(SEED + k);
    const text = input(r);
    const summary = answer(() => summaryJson(text), text);
    if (summary.ok !== undefined) priced++;
    if (r.chance(20)) {
      const full = answer(() => simulateJson(text, undefined, { eventDatetime: "2023-03-14 12:00:00" }), text);
      // Both doors price a body or refuse it the same way.
      assert.equal(full.ok !== undefined, summary.ok !== undefined, text);
      if (full.ok === undefined) assert.deepEqual(full, summary, text);
    }
    if (r.chance(10)) {
      let object;
      try {
        object = JSON.parse(text);
      } catch {
        object = undefined;
      }
      if (object !== undefined && object !== null && typeof object === "object") answer(() => summaryJson(object), text);
    }
    // A BOM is the CLI's to strip on line 1 only (the library's JSON text has none): not compared.
    if (k > 0 && k % 100_000 === 0) console.log(`fuzz js: ${k} cases, ${priced} priced, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (SAMPLE(k) && !text.includes("\n") && !text.startsWith("\ufeff")) sample.push([text, summary]);
  }
  // The sample through the CLI, one batch --summary stream.
  const out = spawnSync(cli(), ["batch", "--summary"], {
    cwd: ROOT,
    input: sample.map(([t]) => t).join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  assert.ok([0, 1].includes(out.status), out.stderr);
  const lines = out.stdout.split("\n");
  assert.equal(lines.length, sample.length + 1);
  sample.forEach(([text, js], i) => {
    if (js.ok !== undefined) {
      assert.equal(lines[i], js.ok, text);
    } else {
      const line = JSON.parse(lines[i]);
      // Text that is not JSON is named by its input: `line N` in batch, `request` here.
      const field = js.kind === "invalid_json" ? line.field : js.field;
      assert.deepEqual({ kind: line.kind, field: line.field }, { kind: js.kind, field }, text);
    }
  });
  console.log(`fuzz js: ${CASES} cases from seed ${SEED}, ${priced} priced, ${sample.length} compared with the CLI, ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
