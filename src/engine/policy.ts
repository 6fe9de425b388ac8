import { z } from 'zod';
import type { Approval, Change, ChangeState } from './change.ts';
import { POLICIES } from './run.ts';

/**
 * When a shadow workflow has earned more autonomy: at least `minAgreement` of at least `minItems`
 * decisions people have acted on agree with theirs. `erpbridge shadow-report` then suggests
 * moving to `suggest`; nothing changes on its own. Defaults: 0.98, 500, `review`.
 */
export const PromotionRule = z.strictObject({
  minAgreement: z.number().min(0).max(1).default(0.98),
  minItems: z.number().int().positive().default(500),
  suggest: z.enum(['review', 'auto']).default('review'),
});
export type PromotionRule = z.infer<typeof PromotionRule>;

/**
 * How much autonomy a workflow has. One schema, used by the config loader, the engine and (later)
 * the console, so the numbers never drift apart.
 */
export const PolicyConfig = z
  .strictObject({
    /** `shadow` decides but never writes; `review` waits for a person; `auto` applies what it is sure of. */
    mode: z.enum(POLICIES).default('review'),
    /** Under `auto`, changes at or above this confidence are approved; the rest wait. Default 0.8. */
    minConfidence: z.number().min(0).max(1).default(0.8),
    /** Under `auto`, at most this many changes are approved in one run; the rest wait. Default 1000. */
    maxChangesPerRun: z.number().int().positive().default(1000),
    /**
     * Four-eyes: a change whose amount (the order's total) is above this needs two approvals by
     * two different people. Default null: one approval is enough. It never lets the policy
     * approve such a change on its own either: under `auto` it waits for people.
     */
    fourEyesAbove: z.number().nonnegative().nullable().default(null),
    /** Shadow mode: when the shadow report suggests promotion; absent means the defaults of {@link PromotionRule}. */
    promotion: PromotionRule.optional(),
  })
  .prefault({});
export type PolicyConfig = z.infer<typeof PolicyConfig>;

/**
 * The state a newly planned change starts in. Pure: `approvedSoFar` is how many changes this run has
 * already approved by policy. `decision` is the AI result's confidence, or the result itself: one
 * that carries `review` (an answer outside the allowed values, a spent LLM budget) always waits for
 * a person, whatever its confidence and the mode.
 */
export function initialChangeState(
  policy: PolicyConfig,
  decision: number | { confidence: number; review?: { reason: string } | undefined },
  approvedSoFar: number,
  amount: number | null = null,
): ChangeState {
  const confidence = typeof decision === 'number' ? decision : decision.confidence;
  if (typeof decision !== 'number' && decision.review !== undefined) return 'pending';
  if (policy.mode !== 'auto') return 'pending';
  if (needsFourEyes(policy, amount)) return 'pending';
  if (confidence < policy.minConfidence) return 'pending';
  if (approvedSoFar >= policy.maxChangesPerRun) return 'pending';
  return 'approved';
}

/** Whether a change of this amount needs two approvers. An unknown amount never does. */
export function needsFourEyes(policy: PolicyConfig, amount: number | null): boolean {
  return policy.fourEyesAbove !== null && amount !== null && amount > policy.fourEyesAbove;
}

/** What one person's approval does to a pending change. */
export type ApprovalStep =
  /** Not allowed; `reason` says why, for the person. */
  | { kind: 'refused'; reason: string }
  /** Counted, but the change waits for another approver. */
  | { kind: 'recorded'; approvals: Approval[] }
  /** The change is approved. */
  | { kind: 'approved'; approvals: Approval[] };

/**
 * One approval, by the rules: nobody approves a change they requested; above the four-eyes amount
 * two different people must approve, so the first approval is recorded and the second approves. Pure.
 */
export function approvalStep(
  policy: PolicyConfig,
  change: Pick<Change, 'id' | 'amount' | 'currency' | 'requestedBy' | 'approvals'>,
  approval: Approval,
): ApprovalStep {
  if (change.requestedBy !== null && change.requestedBy === approval.by) {
    return {
      kind: 'refused',
      reason: `${approval.by} requested change ${change.id} (started its run) and cannot approve it; another approver must`,
    };
  }
  if (change.approvals.some((earlier) => earlier.by === approval.by)) {
    return {
      kind: 'refused',
      reason: `${approval.by} already approved change ${change.id}; it needs a second approver (four-eyes)`,
    };
  }
  const approvals = [...change.approvals, approval];
  if (needsFourEyes(policy, change.amount) && approvals.length < 2) {
    return { kind: 'recorded', approvals };
  }
  return { kind: 'approved', approvals };
}
