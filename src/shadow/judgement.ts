/**
 * One shadow decision compared with what people did in the ERP afterwards. Pure.
 *
 * A record counts as decided by a person when its field now holds a value and either that value
 * differs from the one the shadow run read, or the record was saved since (its version moved on):
 * a buyer who confirms the ERP's default by saving the order has decided too, and leaving those out
 * would count only the orders people changed — the disagreements with the default. A field still
 * unset, or still as it was with the record untouched, is "not yet decided", never a disagreement.
 */

/** What the AI decided for one record in a shadow run, and the record as that run read it. */
export interface ShadowDecision {
  runId: string;
  /** When the run started (ISO); the decision's day and week. */
  runAt: string;
  recordId: string;
  /** The value the AI chose for the field: its change's `after`, or its label. */
  aiValue: unknown;
  confidence: number | null;
  /** The field's value when the run read the record. */
  before: unknown;
  /** The record's concurrency token when the run read it; null where the ERP has none. */
  beforeVersion: string | null;
}

/** The record in the ERP now: the field's value and the record's version; null when it is gone. */
export type CurrentRecord = { value: unknown; version: string | null } | null;

export const OUTCOMES = ['agreed', 'disagreed', 'undecided', 'gone'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Judgement {
  outcome: Outcome;
  /** What the person set (agreed / disagreed), else null. */
  humanValue: unknown;
  /** How the person decided: changed the value, or saved the record with it as it was. */
  how: 'changed' | 'confirmed' | null;
}

/** Compares one decision with the record as it is now. */
export function judge(decision: ShadowDecision, current: CurrentRecord): Judgement {
  if (current === null) return { outcome: 'gone', humanValue: null, how: null };
  if (isUnset(current.value)) return { outcome: 'undecided', humanValue: null, how: null };
  const changed = !sameValue(current.value, decision.before);
  const saved =
    decision.beforeVersion !== null && current.version !== null && current.version !== decision.beforeVersion;
  if (!changed && !saved) return { outcome: 'undecided', humanValue: null, how: null };
  return {
    outcome: sameValue(current.value, decision.aiValue) ? 'agreed' : 'disagreed',
    humanValue: current.value,
    how: changed ? 'changed' : 'confirmed',
  };
}

/** A value as a label: text as it is, anything else as JSON. */
export function labelOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** Equality of field values as the engine compares them (JSON, null and undefined alike). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The value of `key` on an object (a canonical record as stored), or undefined. */
export function fieldValue(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && key in value ? Reflect.get(value, key) : undefined;
}

function isUnset(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}
