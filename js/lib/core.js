// The package's JavaScript, shared by the Node and the browser entry points: it turns JS values
// into JSON text for the wasm module, its JSON text back into plain objects, and its thrown error
// records into QitechSimError. It computes nothing.

/** An input the engine refused: `kind` (stable snake-case name), `field` (JSON path), `value`. */
export class QitechSimError extends Error {
  constructor(record) {
    super(record.message);
    this.name = "QitechSimError";
    this.kind = record.kind;
    this.field = record.field ?? null;
    this.value = record.value ?? null;
  }
}

function refused(kind, field, value, reason) {
  return new QitechSimError({ kind, field, value, message: `${field}: ${reason}` });
}

/** A wasm failure as a QitechSimError (the module throws its error record as JSON text). */
function translated(e) {
  if (typeof e === "string" && e.startsWith("{")) {
    return new QitechSimError(JSON.parse(e));
  }
  return e;
}

function call(f) {
  try {
    return f();
  } catch (e) {
    throw translated(e);
  }
}

/** JSON text of a request or configuration given as text or as a plain object. */
function jsonText(v, field) {
  if (typeof v === "string") return v;
  let text;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    throw refused("wrong_type", field, String(v), `not serialisable to JSON (${e.message})`);
  }
  if (text === undefined || v === null) {
    throw refused("missing", field, null, "expected an object or JSON text");
  }
  return text;
}

/** The UTC clock as the CLI prints `event_datetime`: `YYYY-MM-DD HH:MM:SS`. */
function nowUtc() {
  return new Date().toISOString().slice(0, 19).replace("T", " ");
}

function optionsText(options, withClock) {
  if (options !== undefined && (options === null || typeof options !== "object" || Array.isArray(options))) {
    throw refused("wrong_type", "options", String(options), "expected an object");
  }
  const o = { ...(options ?? {}) };
  if (withClock && !("eventDatetime" in o)) o.eventDatetime = nowUtc();
  return JSON.stringify(o);
}

function configText(config) {
  return config === undefined || config === null ? undefined : jsonText(config, "config");
}

/** A date given as `YYYY-MM-DD` text or a Date (its UTC day). */
function dateText(d, field) {
  if (typeof d === "string") return d;
  if (d instanceof Date && !Number.isNaN(d.getTime())) return d.toISOString().slice(0, 10);
  throw refused("wrong_type", field, String(d), "expected YYYY-MM-DD text or a Date");
}

/** The instantiated wasm module, handed over by the entry point (`lib/node.mjs`, `lib/web.js`). */
let raw;

/** Called once by the entry point, before any export is used. */
export function bindWasm(module) {
  raw = module;
}

function endpoint(name, withClock) {
  const json = (request, config, options) =>
    call(() => raw[name](jsonText(request, "request"), configText(config), optionsText(options, withClock)));
  return [json, (request, config, options) => JSON.parse(json(request, config, options))];
}

export const [simulateJson, simulate] = endpoint("simulateJson", true);
export const [summaryJson, summary] = endpoint("summaryJson", false);
export const [debtJson, debt] = endpoint("debtJson", false);
export const [portabilityJson, portability] = endpoint("portabilityJson", false);
export const isBusinessDay = (date) => call(() => raw.isBusinessDay(dateText(date, "date")));
export const following = (date) => call(() => raw.following(dateText(date, "date")));
export const workdays = (from, to) => call(() => raw.workdays(dateText(from, "from"), dateText(to, "to")));
export function addBusinessDays(date, n) {
  if (typeof n !== "number") throw refused("wrong_type", "n", String(n), "expected a whole number");
  return call(() => raw.addBusinessDays(dateText(date, "date"), n));
}
