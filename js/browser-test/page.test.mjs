// The quote page in headless Chromium (Debian's, driven by puppeteer-core; nothing downloads a
// browser): the SIAPE quote typed into the form shows the CLI's numbers, a shared link renders its
// quote, an error appears next to the field it names. The screenshot goes to target/js-browser/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import puppeteer from "puppeteer-core";
import { JS_DIR, ROOT, read, runCli } from "../test/support.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = join(process.env.CARGO_TARGET_DIR ?? join(ROOT, "target"), "js-browser");
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".cjs": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

let server;
let base;
let browser;
let profile;
const requests = [];

before(async () => {
  // The package folder, read-only, on 127.0.0.1: the page and its wasm, nothing else.
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    try {
      const body = readFileSync(join(JS_DIR, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${server.address().port}`;
  profile = mkdtempSync(join(tmpdir(), "qitech-sim-chromium-"));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--lang=pt-BR",
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

async function open(hash = "") {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(`${base}/www/index.html${hash}`);
  await page.waitForSelector('body[data-state="rendered"]');
  return { page, errors };
}

async function submit(page) {
  await page.evaluate(() => delete document.body.dataset.state);
  await page.click("#simulate");
  await page.waitForSelector('body[data-state="rendered"]');
}

async function fill(page, values) {
  for (const [id, value] of Object.entries(values)) {
    const tag = await page.$eval(`#${id}`, (el) => el.tagName);
    if (tag === "SELECT") await page.select(`#${id}`, value);
    else await page.$eval(`#${id}`, (el, v) => (el.value = v), value);
  }
}

const rows = (page, tbody) =>
  page.$$eval(`#${tbody} tr`, (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));

// The test's own pt-BR formatting of the CLI's numbers (not the page's code).
const money = (n) => {
  const [int, cents] = Math.abs(n).toFixed(2).split(".");
  return `${n < 0 ? "-" : ""}R$ ${int.replace(/\B(?=(\d{3})+(?!\d))/g, ".")},${cents}`;
};
const percent = (f, period) => `${(f * 100).toFixed(2).replace(".", ",")} % ${period}`;
const ddmmyyyy = (iso) => iso.split("-").reverse().join("/");

// The change (troco) column only where the quote refinances something.
const refinancing = (text) => (JSON.parse(text).refinanced_credit_operations?.length ?? 0) > 0;
function expectedOptions(data, withChange = false) {
  return data.disbursement_options.map((o) => [
    ddmmyyyy(o.disbursement_date),
    money(o.issue_amount),
    money(o.iof_amount),
    money(o.contract_fee_amount),
    money(o.disbursed_issue_amount),
    ...(withChange ? [money(o.final_disbursement_amount)] : []),
    money(o.installments[0].total_amount),
    percent(o.cet, "a.m."),
    percent(o.annual_cet, "a.a."),
  ]);
}

function expectedSchedule(option) {
  return option.installments.map((i) => [
    String(i.installment_number),
    ddmmyyyy(i.due_date),
    String(i.calendar_days),
    money(i.due_principal),
    money(i.pre_fixed_amount),
    money(i.principal_amortization_amount),
    money(i.tax_amount),
    money(i.total_amount),
  ]);
}

const cliQuote = (...args) => {
  const r = runCli(["simulate", ...args, "--compact"]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).data;
};

test("the SIAPE quote typed into the form shows the CLI's numbers", async () => {
  const { page, errors } = await open();
  await fill(page, {
    product: "payroll",
    amountMode: "installment_face_value",
    amount: "100,00",
    rate: "2,05",
    rateKind: "monthly",
    installments: "2",
    disbursementDate: "2023-03-14",
    firstDueDate: "2023-04-07",
    limitDays: "3",
    tac: "1",
    spread: "1",
    spreadTax: "9,25",
    refinanced: "",
  });
  await submit(page);
  const data = cliQuote("fixtures/siape/simulation_request.json", "--config", "fixtures/siape/pricing.json");
  assert.deepEqual(await rows(page, "options-body"), expectedOptions(data));
  assert.deepEqual(await rows(page, "schedule-body"), expectedSchedule(data.disbursement_options[0]));
  assert.equal(await page.$eval("#out-cet", (el) => el.textContent), "3,46 % a.m.");
  assert.equal(await page.$eval("#out-installment", (el) => el.textContent), "R$ 100,00");
  // No refinancing, no change (troco): neither a column nor a word of it.
  assert.equal(await page.$eval("#th-change", (el) => el.hidden), true);
  assert.doesNotMatch(await page.$eval("#out-detail", (el) => el.textContent), /troco/);
  // Another option's schedule on click.
  await page.click("#options-body tr:nth-child(2)");
  assert.deepEqual(await rows(page, "schedule-body"), expectedSchedule(data.disbursement_options[1]));
  await page.click("#options-body tr:nth-child(1)");
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, "siape.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("personal credit, issue amount, an annual rate and a refinanced balance: the CLI's numbers", async () => {
  const { page, errors } = await open();
  await fill(page, {
    product: "personal",
    amountMode: "amount",
    amount: "1.000,00",
    rate: "27,572219",
    rateKind: "annual",
    installments: "12",
    disbursementDate: "2024-05-10",
    firstDueDate: "2024-06-10",
    limitDays: "0",
    tac: "2,5",
    spread: "",
    spreadTax: "",
    refinanced: "300,5",
  });
  await submit(page);
  // The request the form stands for, written out here (not by the page's code).
  const request = {
    borrower: { person_type: "natural" },
    financial: {
      amount: 1000,
      annual_interest_rate: 0.27572219,
      number_of_installments: 12,
      disbursement_date: "2024-05-10",
      first_due_date: "2024-06-10",
      limit_days_to_disburse: 0,
      interest_type: "pre_price_days",
      credit_operation_type: "ccb",
    },
    refinanced_credit_operations: [{ due_balance: 300.5 }],
  };
  const config = { contract_fees: [{ fee_type: "tac", amount_type: "percentage", amount: 2.5 }] };
  const dir = mkdtempSync(join(tmpdir(), "qitech-sim-page-"));
  writeFileSync(join(dir, "request.json"), JSON.stringify(request));
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  const data = cliQuote(join(dir, "request.json"), "--config", join(dir, "config.json"));
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(await rows(page, "options-body"), expectedOptions(data, true));
  assert.equal(await page.$eval("#th-change", (el) => el.hidden), false);
  assert.deepEqual(await rows(page, "schedule-body"), expectedSchedule(data.disbursement_options[0]));
  assert.deepEqual(errors, []);
  await page.close();
});

test("a shared link renders its quote on load", async () => {
  const request = read("fixtures/airforce/simulation_request_4_options.json");
  const hash = `#request=${encodeURIComponent(request)}`;
  const { page, errors } = await open(hash);
  const data = cliQuote("fixtures/airforce/simulation_request_4_options.json");
  assert.equal(refinancing(request), true);
  assert.deepEqual(await rows(page, "options-body"), expectedOptions(data, true));
  assert.deepEqual(await rows(page, "schedule-body"), expectedSchedule(data.disbursement_options[0]));
  // The form shows the link's request.
  assert.equal(await page.$eval("#installments", (el) => el.value), String(JSON.parse(request).financial.number_of_installments));
  assert.deepEqual(errors, []);
  await page.close();
});

test("the page's own link (request and config) reproduces the quote", async () => {
  const config = read("fixtures/siape/pricing.json");
  const request = read("fixtures/siape/simulation_request.json");
  const { page } = await open(`#request=${encodeURIComponent(request)}&config=${encodeURIComponent(config)}`);
  const data = cliQuote("fixtures/siape/simulation_request.json", "--config", "fixtures/siape/pricing.json");
  assert.deepEqual(await rows(page, "options-body"), expectedOptions(data, refinancing(request)));
  const link = await page.$eval("#share-link", (el) => el.getAttribute("href"));
  const again = await open(link.slice(link.indexOf("#")));
  assert.deepEqual(await rows(again.page, "options-body"), expectedOptions(data, refinancing(request)));
  await again.page.close();
  await page.close();
});

test("a bad input shows its error next to the field it names", async () => {
  const { page, errors } = await open();
  for (const [id, value, field] of [
    ["installments", "0", "financial.number_of_installments"],
    ["amount", "cem reais", "financial.installment_face_value"],
    ["firstDueDate", "2023-03-01", "financial.first_due_date"],
    ["tac", "-5", "contract_fees"],
  ]) {
    const before = await page.$eval(`#${id}`, (el) => el.value);
    await fill(page, { [id]: value });
    await submit(page);
    const shown = await page.$eval(`.field-error[data-for="${id}"]`, (el) => el.textContent);
    assert.ok(shown.includes(field), `${id}=${value}: ${JSON.stringify(shown)}`);
    assert.equal(await page.$eval(`#${id}`, (el) => el.classList.contains("invalid")), true);
    assert.equal(await page.$eval("#options", (el) => el.hidden), true);
    await fill(page, { [id]: before });
  }
  // Back to a good input: the error goes, the quote comes back.
  await submit(page);
  assert.equal(await page.$eval(".field-error[data-for=tac]", (el) => el.textContent), "");
  assert.equal(await page.$eval("#options", (el) => el.hidden), false);
  // A link with invalid JSON: the error is shown, never a blank page.
  const bad = await open("#request=%7B");
  assert.match(await bad.page.$eval("#general-error", (el) => el.textContent), /request/);
  assert.deepEqual(errors, []);
  await bad.page.close();
  await page.close();
});

test("no network: every request the page made went to the local server", () => {
  assert.ok(requests.length > 0);
  // (data: URLs are Chromium's own icons, inline in the page.)
  for (const url of requests) assert.ok(url.startsWith(base) || url.startsWith("data:"), url);
});
