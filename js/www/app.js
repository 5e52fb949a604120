// The quote page: reads the form (or the link's #request=…&config=…), asks the package for QI's
// simulation response and shows it in pt-BR. The package computes; this file only formats.

const $ = (id) => document.getElementById(id);
const form = $("quote");

// ---- pt-BR text ----------------------------------------------------------------------------
const brl = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" });
const pct = new Intl.NumberFormat("pt-BR", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** `R$ 1.234,56` (the regular space the design uses instead of Intl's no-break space). */
const money = (n) => (n === null || n === undefined ? "—" : brl.format(n).replace(/\u00a0/g, " "));
/** `dd/mm/aaaa` from `YYYY-MM-DD`. */
const date = (iso) => iso.split("-").reverse().join("/");
/** `3,46 % a.m.` from the fraction 0.0346 (the decimal point moved as text, not by a float product). */
const rate = (fraction, period) => `${pct.format(Number(shift(String(fraction), 2)))} % ${period}`;

/** A decimal text with its point moved `by` places (right when positive): exact, no float product. */
function shift(text, by) {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (!m) return text;
  const [, sign, int, frac = "", exp = "0"] = m;
  let d = int + frac;
  let point = int.length + by + Number(exp);
  if (point <= 0) {
    d = "0".repeat(1 - point) + d;
    point = 1;
  }
  if (point > d.length) d += "0".repeat(point - d.length);
  const whole = d.slice(0, point).replace(/^0+(?=\d)/, "") || "0";
  const rest = d.slice(point).replace(/0+$/, "");
  return `${sign}${whole}${rest ? "." + rest : ""}`;
}

/**
 * A number typed in pt-BR (`1.234,56`) or with a dot (`1234.56`), as a JS number; text the
 * engine will refuse (naming the field) when it is not a number. `percent` moves the point two
 * places left (2,05 % → 0.0205) as text, so the fraction is the nearest double of the decimal.
 */
function typed(value, { percent = false } = {}) {
  const t = value.trim().replace(/\s/g, "");
  const plain = t.includes(",") ? t.replace(/\./g, "").replace(",", ".") : t;
  if (!/^-?\d+(\.\d+)?$/.test(plain)) return value;
  return Number(percent ? shift(plain, -2) : plain);
}

// ---- the form ↔ the request -----------------------------------------------------------------
const AMOUNT_FIELDS = ["installment_face_value", "disbursed_amount", "amount"];

function requestFromForm() {
  const v = (id) => $(id).value;
  const financial = {
    disbursement_date: v("disbursementDate") || undefined,
    first_due_date: v("firstDueDate") || undefined,
    number_of_installments: typed(v("installments")),
    interest_type: "pre_price_days",
    credit_operation_type: "ccb",
  };
  financial[v("amountMode")] = typed(v("amount"));
  financial[v("rateKind") === "annual" ? "annual_interest_rate" : "monthly_interest_rate"] = typed(v("rate"), {
    percent: true,
  });
  if (v("limitDays").trim() !== "") financial.limit_days_to_disburse = typed(v("limitDays"));
  const request = { borrower: { person_type: "natural" }, financial };
  if (v("product") === "payroll") request.collaterals = [{ collateral_type: "federal_payroll" }];
  if (v("refinanced").trim() !== "") request.refinanced_credit_operations = [{ due_balance: typed(v("refinanced")) }];
  const config = {};
  if (v("tac").trim() !== "" && typed(v("tac")) !== 0) {
    config.contract_fees = [{ fee_type: "tac", amount_type: "percentage", amount: typed(v("tac")) }];
  }
  if (v("spread").trim() !== "" && typed(v("spread")) !== 0) {
    const fee = { fee_type: "spread", amount_type: "percentage", amount: typed(v("spread")) };
    if (v("spreadTax").trim() !== "") fee.tax_rate = typed(v("spreadTax"), { percent: true });
    config.external_contract_fees = [fee];
  }
  return { request, config: Object.keys(config).length ? config : null };
}

/** pt-BR text of a number for an input (the inverse of `typed`). */
const input = (n, { percent = false } = {}) =>
  typeof n === "number" ? (percent ? shift(String(n), 2) : String(n)).replace(".", ",") : String(n ?? "");

/** Fills the form from a shared request (best effort: the quote is rendered from the request itself). */
function formFromRequest(request, config) {
  const f = request.financial ?? {};
  const set = (id, value) => value !== undefined && ($(id).value = value);
  set("product", request.collaterals?.length ? "payroll" : "personal");
  const mode = AMOUNT_FIELDS.find((k) => f[k] !== undefined);
  if (mode) {
    set("amountMode", mode);
    set("amount", input(f[mode]));
  }
  if (f.annual_interest_rate !== undefined) {
    set("rateKind", "annual");
    set("rate", input(f.annual_interest_rate, { percent: true }));
  } else if (f.monthly_interest_rate !== undefined) {
    set("rateKind", "monthly");
    set("rate", input(f.monthly_interest_rate, { percent: true }));
  }
  set("installments", f.number_of_installments !== undefined ? String(f.number_of_installments) : undefined);
  set("disbursementDate", f.disbursement_date);
  set("firstDueDate", f.first_due_date ?? "");
  set("limitDays", f.limit_days_to_disburse !== undefined ? String(f.limit_days_to_disburse) : "");
  set("refinanced", input(request.refinanced_credit_operations?.[0]?.due_balance ?? ""));
  const tac = config?.contract_fees?.find((x) => x.fee_type === "tac");
  const spread = config?.external_contract_fees?.find((x) => x.fee_type === "spread");
  set("tac", tac ? input(tac.amount) : "");
  set("spread", spread ? input(spread.amount) : "");
  set("spreadTax", spread?.tax_rate !== undefined ? input(spread.tax_rate, { percent: true }) : "");
}

// ---- errors next to their field -------------------------------------------------------------
/** The form input an error's field (the engine's JSON path) belongs to. */
function inputFor(field) {
  if (!field) return null;
  const f = field.replace(/^financial\./, "");
  if (AMOUNT_FIELDS.includes(f)) return "amount";
  if (f === "monthly_interest_rate" || f === "annual_interest_rate") return "rate";
  if (f === "number_of_installments") return "installments";
  if (f === "disbursement_date") return "disbursementDate";
  if (f === "first_due_date") return "firstDueDate";
  if (f === "limit_days_to_disburse") return "limitDays";
  if (f.startsWith("refinanced_credit_operations")) return "refinanced";
  if (/contract_fees\[\d+\]\.tax_rate$/.test(f) && f.includes("external")) return "spreadTax";
  if (f.startsWith("external_contract_fees")) return "spread";
  if (f.startsWith("contract_fees")) return "tac";
  return null;
}

function clearErrors() {
  for (const el of document.querySelectorAll(".field-error")) el.textContent = "";
  for (const el of document.querySelectorAll(".invalid")) el.classList.remove("invalid");
  $("general-error").hidden = true;
}

function showError(e) {
  const message = e && e.message ? e.message : String(e);
  const id = inputFor(e && e.field);
  const slot = id && document.querySelector(`.field-error[data-for="${id}"]`);
  if (slot) {
    slot.textContent = message;
    $(id).classList.add("invalid");
  } else {
    $("general-error").textContent = `Erro: ${message}`;
    $("general-error").hidden = false;
  }
  for (const s of ["summary", "options", "schedule"]) $(s).hidden = true;
}

// ---- the response -----------------------------------------------------------------------------
function cells(row, values) {
  for (const v of values) {
    const td = document.createElement("td");
    td.textContent = v;
    row.appendChild(td);
  }
}

function renderSchedule(option, index) {
  const body = $("schedule-body");
  body.replaceChildren();
  for (const i of option.installments) {
    const tr = document.createElement("tr");
    cells(tr, [
      String(i.installment_number),
      date(i.due_date),
      String(i.calendar_days),
      money(i.due_principal),
      money(i.pre_fixed_amount),
      money(i.principal_amortization_amount),
      money(i.tax_amount),
      money(i.total_amount),
    ]);
    body.appendChild(tr);
  }
  $("schedule-title").textContent = `Tabela de amortização — desembolso em ${date(option.disbursement_date)}`;
  for (const [k, tr] of [...$("options-body").children].entries()) tr.classList.toggle("selected", k === index);
  $("schedule").hidden = false;
}

/** Whether `request` (object or JSON text) refinances an operation: only then is there a change (troco). */
function refinances(request) {
  try {
    const body = typeof request === "string" ? JSON.parse(request) : request;
    return (body?.refinanced_credit_operations?.length ?? 0) > 0;
  } catch {
    return false;
  }
}

function render(response, link, withChange) {
  const d = response.data;
  if (!d || !Array.isArray(d.disbursement_options)) {
    throw new Error("esta página mostra a resposta de /debt_simulation (corpo com financial)");
  }
  const first = d.disbursement_options[0];
  $("out-installment").textContent = money(first.installments[0]?.total_amount);
  $("out-disbursed").textContent = money(first.disbursed_issue_amount);
  $("out-iof").textContent = money(first.iof_amount);
  $("out-cet").textContent = rate(first.cet, "a.m.");
  $("out-detail").textContent =
    `${d.number_of_installments} parcelas · valor de emissão ${money(first.issue_amount)} · ` +
    `tarifas ${money(first.contract_fee_amount)} · ` +
    (withChange ? `troco ${money(first.final_disbursement_amount)} · ` : "") +
    `CET ${rate(first.annual_cet, "a.a.")} · juros ${rate(d.prefixed_interest_rate.monthly_rate, "a.m.")}`;
  $("share-link").href = link;
  $("th-change").hidden = !withChange;
  const body = $("options-body");
  body.replaceChildren();
  d.disbursement_options.forEach((o, k) => {
    const tr = document.createElement("tr");
    tr.className = "option";
    cells(tr, [
      date(o.disbursement_date),
      money(o.issue_amount),
      money(o.iof_amount),
      money(o.contract_fee_amount),
      money(o.disbursed_issue_amount),
      ...(withChange ? [money(o.final_disbursement_amount)] : []),
      money(o.installments[0]?.total_amount),
      rate(o.cet, "a.m."),
      rate(o.annual_cet, "a.a."),
    ]);
    tr.addEventListener("click", () => renderSchedule(o, k));
    body.appendChild(tr);
  });
  for (const s of ["summary", "options"]) $(s).hidden = false;
  renderSchedule(first, 0);
}

/** The link that renders this quote on load. */
function linkFor(request, config) {
  const text = (v) => encodeURIComponent(typeof v === "string" ? v : JSON.stringify(v));
  let hash = `request=${text(request)}`;
  if (config) hash += `&config=${text(config)}`;
  return `${location.pathname}#${hash}`;
}

function quote(qs, request, config) {
  clearErrors();
  try {
    const response = qs.simulate(request, config, { eventDatetime: null });
    const link = linkFor(request, config);
    render(response, link, refinances(request));
    history.replaceState(null, "", link);
  } catch (e) {
    showError(e);
  }
  document.body.dataset.state = "rendered";
}

/** `#request=…&config=…` of the page's address, parsed; null without a request. */
function shared() {
  const params = new URLSearchParams(location.hash.slice(1));
  const text = params.get("request");
  if (!text) return null;
  return { request: text, config: params.get("config") };
}

async function main() {
  let qs;
  try {
    qs = await import("../lib/web.js");
  } catch (e) {
    showError(new Error(`não foi possível carregar o simulador (${e.message})`));
    document.body.dataset.state = "rendered";
    return;
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const { request, config } = requestFromForm();
    quote(qs, request, config);
  });
  const link = shared();
  if (link) {
    // The link's JSON is the request itself: priced as given (its errors name its own fields).
    try {
      formFromRequest(JSON.parse(link.request), link.config ? JSON.parse(link.config) : null);
    } catch {
      // An unparseable link is reported by the engine below, with its field.
    }
    quote(qs, link.request, link.config);
  } else {
    const { request, config } = requestFromForm();
    quote(qs, request, config);
  }
}

main();
