// Hand-written types of the `qitech-sim` package. Field names are QI's (snake_case), as in the
// JSON the CLI reads and prints; amounts and rates are JS numbers (the nearest double of the
// engine's decimal, exactly as the CLI's JSON prints them). Objects are open (`[key: string]:
// unknown`) where QI's shapes carry more fields than listed; the engine refuses keys it does not
// know unless `allowUnknownFields` is set.

/** `YYYY-MM-DD`. */
export type DateText = string;

export interface Fee {
  fee_type: "tac" | "spread" | "ted_fee" | "spread_ted_fee" | "insurance_premium" | "insurance_premium_qi";
  amount_type: "percentage" | "absolute";
  /** Percent units for `percentage` (1 = 1 %), BRL for `absolute`. */
  amount: number;
  tax_rate?: number;
  description?: string | null;
  [key: string]: unknown;
}

/** A `/debt_simulation` (or `/debt`) request body. */
export interface SimulationRequest {
  borrower?: { person_type?: "natural" | "legal"; [key: string]: unknown };
  financial: {
    /** One amount mode: the installment (face value) … */
    installment_face_value?: number;
    /** … or the amount the borrower receives (IOF and fees grossed up) … */
    disbursed_amount?: number;
    /** … or the issue amount (IOF and fees reduce the disbursement). */
    amount?: number;
    desired_installments?: { total_amount: number; due_date: DateText }[];
    due_dates?: DateText[];
    number_of_installments?: number;
    /** Fraction a month (0.0205 = 2.05 % a.m.); or `annual_interest_rate`, never both. */
    monthly_interest_rate?: number;
    annual_interest_rate?: number;
    interest_type?: "pre_price_days" | "pre_price" | "pre_sac";
    interest_base?: "calendar_days" | "calendar_days_365" | "workdays";
    disbursement_date?: DateText;
    first_due_date?: DateText;
    first_due_date_delay?: number;
    limit_days_to_disburse?: number;
    disbursement_start_date?: DateText;
    disbursement_end_date?: DateText;
    issue_date?: DateText;
    force_installments_on_workdays?: boolean;
    rebates?: Fee[];
    [key: string]: unknown;
  };
  collaterals?: { collateral_type: string; [key: string]: unknown }[];
  refinanced_credit_operations?: {
    due_balance: number;
    monthly_interest_rate?: number;
    disbursement_date?: DateText;
    operation_key?: string;
    [key: string]: unknown;
  }[];
  requester_key?: string;
  [key: string]: unknown;
}

/** A `/v2/credit_operation/simulation` body (flat, no `financial` object): answered in the v2 shape. */
export interface V2SimulationRequest {
  [key: string]: unknown;
}

/** The partner configuration (the CLI's `--config`): fees, profile, conventions. */
export interface PartnerConfig {
  contract_fees?: Fee[];
  external_contract_fees?: Fee[];
  profile?: string;
  conventions?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The CLI's flags, in camelCase. */
export interface Options {
  /** How `first_due_date_delay` counts days (default `calendar`). */
  delayUnit?: "calendar" | "business";
  /** Which days get a disbursement option (default `calendar`). */
  optionDays?: "calendar" | "business";
  /** Natural-person IOF rule (default `fixed`). */
  naturalIof?: "fixed" | "dated";
  /** Accept keys QI's documentation does not list instead of refusing them. */
  allowUnknownFields?: boolean;
  /** `event_datetime` of a simulation response, `YYYY-MM-DD HH:MM:SS` (default: now, UTC; null: none). */
  eventDatetime?: string | null;
}

export interface PortabilityOptions extends Options {
  /** The smallest installment whose change reaches this amount (`--target-change`). */
  targetChange?: number | string;
  /** The change for each number of installments (`--installments-range MIN..MAX`). */
  installmentsRange?: [number, number] | string;
}

export interface Installment {
  installment_number: number;
  due_date: DateText;
  business_due_date: DateText;
  calendar_days: number;
  workdays: number;
  due_principal: number;
  pre_fixed_amount: number;
  principal_amortization_amount: number;
  tax_amount: number;
  total_amount: number;
  post_fixed_amount: number | null;
  has_interest: boolean;
  [key: string]: unknown;
}

export interface DisbursementOption {
  disbursement_date: DateText;
  first_due_date: DateText;
  issue_amount: number;
  disbursed_issue_amount: number;
  assignment_amount: number;
  iof_amount: number;
  contract_fee_amount: number;
  external_contract_fee_amount: number;
  final_disbursement_amount: number;
  /** Monthly CET (fraction). */
  cet: number;
  annual_cet: number;
  installments: Installment[];
  prefixed_interest_rate: { monthly_rate: number; annual_rate: number; daily_rate: number; interest_base: string };
  [key: string]: unknown;
}

export interface SimulationData extends DisbursementOption {
  disbursement_options: DisbursementOption[];
  number_of_installments: number;
  operation_type: string;
  requester_key: string | null;
  [key: string]: unknown;
}

/** QI's `/debt_simulation` response (`qitech-sim simulate`). */
export interface SimulationResponse {
  data: SimulationData;
  event_datetime: string | null;
  key: string;
  status: string;
  type: string;
}

/** The v2 response shape (for a v2 body). */
export interface V2Response {
  [key: string]: unknown;
}

/** `batch --summary`'s line: per option its headline numbers. */
export interface SummaryResponse {
  key: string;
  requester_key: string | null;
  options: {
    disbursement_date: DateText;
    issue_amount: number;
    disbursed_issue_amount: number;
    iof_amount: number;
    contract_fee_amount: number;
    final_disbursement_amount: number;
    shortfall_amount?: number;
    first_installment_total: number | null;
    cet: number;
    annual_cet: number;
  }[];
}

/** The `data` of QI's issuance (`/debt`) response. */
export interface DebtData {
  issue_amount: number;
  installments: Record<string, unknown>[];
  [key: string]: unknown;
}

/** `qitech-sim portability` (plain, `targetChange` or `installmentsRange`). */
export interface PortabilityResponse {
  [key: string]: unknown;
}

/** A portability input (bridge loan, payroll loan). */
export interface PortabilityRequest {
  [key: string]: unknown;
}

type Json<T> = T | string;

/** Thrown for every refused input: `kind` is the crate's stable snake-case ErrorKind. */
export class QitechSimError extends Error {
  readonly name: "QitechSimError";
  readonly kind:
    | "missing"
    | "wrong_type"
    | "out_of_range"
    | "date_out_of_range"
    | "unsupported"
    | "conflict"
    | "invalid"
    | "overflow"
    | "no_solution"
    | "invalid_json";
  /** The JSON path (`financial.number_of_installments`, `options.delayUnit`, `config`…), or null. */
  readonly field: string | null;
  /** The offending value as text, or null. */
  readonly value: string | null;
}

export function simulate(
  request: Json<SimulationRequest | V2SimulationRequest>,
  config?: Json<PartnerConfig> | null,
  options?: Options,
): SimulationResponse | V2Response;
/** The CLI's `simulate --compact` bytes. */
export function simulateJson(
  request: Json<SimulationRequest | V2SimulationRequest>,
  config?: Json<PartnerConfig> | null,
  options?: Options,
): string;
export function summary(request: Json<SimulationRequest>, config?: Json<PartnerConfig> | null, options?: Options): SummaryResponse;
export function summaryJson(request: Json<SimulationRequest>, config?: Json<PartnerConfig> | null, options?: Options): string;
export function debt(request: Json<SimulationRequest>, config?: Json<PartnerConfig> | null, options?: Options): DebtData;
export function debtJson(request: Json<SimulationRequest>, config?: Json<PartnerConfig> | null, options?: Options): string;
export function portability(
  request: Json<PortabilityRequest>,
  config?: Json<PartnerConfig> | null,
  options?: PortabilityOptions,
): PortabilityResponse;
export function portabilityJson(
  request: Json<PortabilityRequest>,
  config?: Json<PartnerConfig> | null,
  options?: PortabilityOptions,
): string;

/** The ANBIMA national calendar; dates as `YYYY-MM-DD` or a Date (its UTC day). */
export function isBusinessDay(date: DateText | Date): boolean;
export function following(date: DateText | Date): DateText;
/** Business days in `(from, to]` (negative when `to < from`). */
export function workdays(from: DateText | Date, to: DateText | Date): number;
export function addBusinessDays(date: DateText | Date, n: number): DateText;
