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

/** One person's approval of a change (four-eyes needs two, by different people). */
export interface Approval {
  by: string;
  at: string;
  comment: string | null;
}

/** What the write of a change found: the ERP's answer and the read-back that verified it. */
export interface ChangeOutcome {
  at: string;
  /** What happened, in words: "applied and read back", "conflict: priority is now 2", ... */
  detail: string;
  /** The changed fields as read back after the write; null when there was no read-back. */
  readBack: FieldValues | null;
}

export interface Change {
  id: string;
  runId: string;
  /** Canonical entity name, e.g. `purchaseOrder`, and the record's canonical id. */
  entity: string;
  recordId: string;
  before: FieldValues;
  after: FieldValues;
  /** What is at stake, e.g. the order's total (four-eyes compares it); null when unknown. */
  amount: number | null;
  /** ISO 4217 currency of `amount`. */
  currency: string | null;
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
  /** Who started the run that planned it (a person, a token, `schedule`, `webhook`); nobody approves their own. */
  requestedBy: string | null;
  /** People's approvals so far, oldest first; policy approvals are in `decidedBy` only. */
  approvals: Approval[];
  decidedBy: string | null;
  /** Set once the write was attempted: applied, conflict or failed. */
  outcome: ChangeOutcome | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
}
