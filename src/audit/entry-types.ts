/**
 * What the audit log records: one entry type per event an auditor asks about. Entries are written
 * per batch, not per record (a run of 100,000 records makes a few hundred entries), and each names
 * the records it covers. The comment after each type lists its payload.
 */
export const AUDIT_ENTRY_TYPES = [
  /** `{ workflow, policy, dryRun, params }` */
  'run.started',
  /** `{ count, firstRecordId, lastRecordId, pageDigest }`: one per page read; `pageDigest` = `digestOf(records)`. */
  'extract.batch',
  /** `{ model, decisions: [{ id, label, confidence, model }] }`: one per batch of AI answers. */
  'ai.decisions',
  /**
   * `AiExchange` (src/ai/guardrails/exchange.ts): one per LLM request — model, prompt version, input
   * and output hashes, tokens, cost, attempts, outcome and the redacted request text.
   */
  'ai.exchange',
  /** `{ task, model, reason, records }`: the run's LLM budget refused a request; its records went to review. */
  'ai.budget-exhausted',
  /** `{ changes: [{ id, digest }] }`: one per batch of planned changes; `digest` = `digestOf(change)`. */
  'change.planned',
  /** `{ changeIds, decidedBy }`: by a person, or by policy (`decidedBy: 'policy:auto'`). */
  'change.approved',
  /** `{ changeIds, decidedBy, reason? }` */
  'change.rejected',
  /** `{ changeId, proposed, after }`: a person changed the proposed values before approving. */
  'change.edited',
  /** `{ changeIds, needed }`: a first approval of a four-eyes change; it waits for a second person. */
  'change.approval-recorded',
  /** `{ refused: [{ id, reason }] }`: approvals the rules did not allow (own change, same person twice). */
  'change.approval-refused',
  /** `{ previousState }`: a person stopped the run; it ends before its next batch. */
  'run.cancelled',
  /** `{ changeId, idempotencyKey, entity, recordId, version }`: written and verified by read-back. */
  'write.applied',
  /** `{ changeId, entity, recordId, expected, found }`: the record no longer matched `before`. */
  'write.conflict',
  /** `{ changeId, entity, recordId, kind, message }` */
  'write.failed',
  /** `{ changeId, revertChangeId }`: an applied change undone by its inverse. */
  'change.reverted',
  /** `{ state, stats }` */
  'run.completed',
  /** `{ name, version, metrics }` */
  'model.trained',
  /** `{ route, method, status, ... }`: a mutating request to the HTTP service, with who made it. */
  'service.request',
  /** `{ name, role }` / `{ id }` / `{ user }`: credentials created, revoked, a login. */
  'access.token-created',
  'access.token-revoked',
  'access.user-saved',
  'access.login',
  'access.login-failed',
  /** `{ workflow, idempotencyKey, runId }`: an inbound webhook accepted. */
  'trigger.webhook',
  /** `{ workflow, runId }`: a schedule fired. */
  'trigger.schedule',
  /** `{ workflow, field, runs, decisions, decided, agreed, agreement, coverage, promotion }`: a shadow report was made. */
  'shadow.report',
  /** `{ workflow, from, format, rows, skipped, out }`: labeled data left the store (`labels export`). */
  'labels.exported',
] as const;

export type AuditEntryType = (typeof AUDIT_ENTRY_TYPES)[number];

/** True for one of the known entry types. */
export function isAuditEntryType(value: string): value is AuditEntryType {
  return AUDIT_ENTRY_TYPES.some((type) => type === value);
}
