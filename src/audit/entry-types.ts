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
  /** `{ changes: [{ id, digest }] }`: one per batch of planned changes; `digest` = `digestOf(change)`. */
  'change.planned',
  /** `{ changeIds, decidedBy }`: by a person, or by policy (`decidedBy: 'policy:auto'`). */
  'change.approved',
  /** `{ changeIds, decidedBy, reason? }` */
  'change.rejected',
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
] as const;

export type AuditEntryType = (typeof AUDIT_ENTRY_TYPES)[number];

/** True for one of the known entry types. */
export function isAuditEntryType(value: string): value is AuditEntryType {
  return AUDIT_ENTRY_TYPES.some((type) => type === value);
}
