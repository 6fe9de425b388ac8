import type { ErrorKind } from '../../errors/index.ts';
import type { AiTaskKind } from '../contract.ts';
import type { PiiKind } from './redaction.ts';

/**
 * What the audit log keeps of every request an LLM provider sends: enough to show afterwards which
 * data went to which model and what came back, without keeping personal data. The request text is
 * the redacted one (it is what left the process); the answer is kept as a hash.
 */
export interface AiExchange {
  runId: string | null;
  workflow: string | null;
  task: string;
  kind: AiTaskKind;
  /** `llm:<model>`. */
  model: string;
  /** `<task>@p<task prompt version>+llm<provider prompt version>`. */
  promptVersion: string;
  /** `answer`, or `repair` for the one repair request after an invalid answer. */
  purpose: 'answer' | 'repair';
  /** How many records the request carried, and the first one's id (its position in the call). */
  records: number;
  firstId: string;
  /** sha256 of the request body as sent. */
  inputHash: string;
  /** sha256 of the answer's text; null when there was none. */
  outputHash: string | null;
  /** Tokens as the server reported them; `estimated` when it did not (then four characters each). */
  tokens: { input: number; output: number; estimated: boolean };
  cost: number;
  currency: string;
  /** HTTP attempts (retries after 429/5xx/timeouts included). */
  attempts: number;
  /** `valid`, `invalid` (repaired or routed to review), or the error kind the request ended with. */
  outcome: 'valid' | 'invalid' | 'aborted' | ErrorKind;
  /** The request's messages as sent: after the allowlist and redaction. */
  request: string;
  /** Values hidden behind placeholders, per kind (counts only). */
  redacted: Partial<Record<PiiKind, number>>;
  /** Fields described but held back by the allowlist (paths, no values). */
  withheld: string[];
  durationMs: number;
}

/** The run's budget refused a request: the records it would have carried went to review. */
export interface AiBudgetExhausted {
  runId: string | null;
  workflow: string | null;
  task: string;
  model: string;
  reason: string;
  /** Records routed to review by this refusal. */
  records: number;
}

/** What an LLM provider hands its audit sink: entry type and payload, ready for `AuditLog.record`. */
export type LlmAuditEntry =
  | { type: 'ai.exchange'; payload: AiExchange }
  | { type: 'ai.budget-exhausted'; payload: AiBudgetExhausted };
