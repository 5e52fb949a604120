// The package's public names (what index.d.ts types), re-exported by both entry points.
export {
  QitechSimError,
  simulate,
  simulateJson,
  summary,
  summaryJson,
  debt,
  debtJson,
  portability,
  portabilityJson,
  isBusinessDay,
  following,
  workdays,
  addBusinessDays,
} from "./core.js";
