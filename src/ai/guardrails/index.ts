/**
 * Guardrails around what goes to an LLM and what comes back: the field allowlist, PII redaction,
 * output bound to master data, the run's budget, the answer cache and the audit record of every
 * exchange. See README.md.
 */

export { type AllowedFields, allowFields, checkSomethingAllowed, requireAllowlist } from './allowlist.ts';
export {
  type BudgetDecision,
  costOf,
  estimateTokens,
  LlmBudget,
  LlmPrices,
  type Reservation,
  RunBudget,
  type TokenUsage,
} from './budget.ts';
export type { AiBudgetExhausted, AiExchange, LlmAuditEntry } from './exchange.ts';
export {
  bindToMasterData,
  checkMasterData,
  distinctValues,
  formatAllowed,
  MAX_LISTED_VALUES,
  type MasterDataBindings,
  type MasterDataIssue,
  matchLabel,
  outsideMessage,
} from './master-data.ts';
export {
  isValidIban,
  PII_KINDS,
  type PiiKind,
  personNames,
  RedactionVault,
  redactFields,
  redactText,
  restorePlaceholders,
} from './redaction.ts';
export {
  type CacheKeyParts,
  cacheKey,
  createMemoryCache,
  DEFAULT_CACHE_ENTRIES,
  type FileCache,
  openFileCache,
  type ResponseCache,
  sha256,
} from './response-cache.ts';
