/**
 * A change is one proposed write, compiled before it is an action: it can be printed, stored,
 * approved and applied, and `apply` re-checks its precondition (`before`) against the ERP.
 */
export const CHANGE_STATES = [
  'pending', // waits for a person's approval
  'approved', // may be applied
  'rejected', // a person said no
  'applying', // a write may be in flight (idempotency ledger holds the key)
  'applied', // written and verified by read-back
  'conflict', // the record no longer matched `before`; the ERP's value stays
  'failed', // the write failed for a reason that is not a conflict
  'reverted', // an applied change undone by `revert`
] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

/** Canonical field values, e.g. `{ priority: 'normal' }`. */
export type FieldValues = Record<string, unknown>;

export interface Change {
  id: string;
  runId: string;
  /** Canonical entity name, e.g. `purchaseOrder`, and the record's canonical id. */
  entity: string;
  recordId: string;
  before: FieldValues;
  after: FieldValues;
  /** The record's concurrency token when the change was planned. */
  version: string | null;
  reason: string;
  confidence: number;
  explanation: string;
  /** Same key ⇒ the same write; the ledger makes sure it happens at most once. */
  idempotencyKey: string;
  state: ChangeState;
  /** Set on a revert's inverse change: the change it undoes. */
  revertOf: string | null;
  decidedBy: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}
