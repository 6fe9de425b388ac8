import { z } from 'zod';
import type { ChangeState } from './change.ts';
import { POLICIES } from './run.ts';

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
  })
  .prefault({});
export type PolicyConfig = z.infer<typeof PolicyConfig>;

/**
 * The state a newly planned change starts in. Pure: `approvedSoFar` is how many changes this run has
 * already approved by policy.
 */
export function initialChangeState(
  policy: PolicyConfig,
  confidence: number,
  approvedSoFar: number,
): ChangeState {
  if (policy.mode !== 'auto') return 'pending';
  if (confidence < policy.minConfidence) return 'pending';
  if (approvedSoFar >= policy.maxChangesPerRun) return 'pending';
  return 'approved';
}
