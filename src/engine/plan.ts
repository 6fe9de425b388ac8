import { z } from 'zod';
import { type Classification, type ClassifyTask, reviewLabelOf } from '../ai/contract.ts';
import { type ErpError, isErpError } from '../errors/index.ts';
import type { Change, FieldValues } from './change.ts';
import { idempotencyKey } from './ids.ts';
import { initialChangeState } from './policy.ts';
import type { Item } from './run.ts';
import type { CanonicalRecord, WorkflowContext, WorkflowDefinition } from './workflow.ts';

/** The decided form of one batch: every record's item, and the changes planned for some. */
export interface DecidedBatch {
  items: Item[];
  changes: Change[];
}

/**
 * Decides one batch: pure given the AI's answers. A change is planned only where the workflow
 * proposes one and it differs from the record as read; its first state comes from the policy.
 * A record with no change whose answer needs review (`result.review`: outside the allowed values,
 * a spent budget, no answer) is a `review` item carrying the reason, so a person sees it; it has
 * no change, so nothing is ever written for it.
 */
export function decideBatch<Input, Label extends string, R extends CanonicalRecord>(
  workflow: WorkflowDefinition<Input, Label, R>,
  run: { id: string; approvedSoFar: number; requestedBy: string | null },
  orders: readonly R[],
  inputs: readonly Input[],
  results: readonly Classification<Label>[],
  context: WorkflowContext,
  now: string,
): DecidedBatch {
  const items: Item[] = [];
  const changes: Change[] = [];
  let approved = run.approvedSoFar;
  const policy = workflow.policyFor?.(context) ?? workflow.policy;
  const declared = new Set<string>(workflow.fields);
  orders.forEach((order, index) => {
    const result = results[index];
    if (!result) throw new Error(`the AI answered ${results.length} of ${orders.length} records`);
    const proposal = workflow.decide(order, result, context);
    const before = pick(order, Object.keys(proposal?.after ?? {}));
    const changed = proposal !== null && !sameValues(before, proposal.after);
    const review = changed ? undefined : result.review;
    items.push({
      runId: run.id,
      recordId: order.id,
      state: changed ? 'planned' : review ? 'review' : 'unchanged',
      label: result.label,
      confidence: result.confidence,
      error: review ? `needs review: ${review.reason}` : null,
      record: order,
      aiInput: inputs[index],
    });
    if (!changed) return;
    for (const field of Object.keys(proposal.after)) {
      if (!declared.has(field)) {
        throw new Error(`workflow ${workflow.name} proposed a change to ${field}, which it does not declare`);
      }
    }
    const amount = workflow.entity.amount?.(order) ?? null;
    const state = initialChangeState(policy, result, approved, amount);
    if (state === 'approved') approved++;
    changes.push({
      id: `${run.id}:${order.id}`,
      runId: run.id,
      entity: workflow.entity.name,
      recordId: order.id,
      before,
      after: proposal.after,
      amount,
      currency: currencyOf(order),
      version: order.version,
      reason: proposal.reason,
      confidence: result.confidence,
      explanation: result.explanation,
      idempotencyKey: idempotencyKey(run.id, workflow.entity.name, order.id, order.version, proposal.after),
      state,
      revertOf: null,
      requestedBy: run.requestedBy,
      approvals: [],
      decidedBy: state === 'approved' ? `policy:auto>=${policy.minConfidence}` : null,
      outcome: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    });
  });
  return { items, changes };
}

/**
 * Whether the AI's failure on a batch should send the batch's records to review instead of failing
 * the run: the provider could not answer now (a transient failure or rate limit after its retries,
 * or its circuit breaker open on a failing endpoint), which says nothing about the records. Other
 * errors (a wrong key, a refused request, an answer still malformed after its repair) are problems
 * a person must fix in the configuration, and fail the run with their message; so does an ERP
 * failure met on the way (an error naming a connector, e.g. while a model reads its history),
 * which a resumed run gets past.
 */
export function isUnanswered(error: unknown): error is ErpError {
  return isErpError(error) && error.retryable && error.context.connector === undefined;
}

/**
 * The results of a batch the AI could not answer: each record gets the task's review label at
 * 1/labels confidence and the reason, as a provider's review result does, so the policy keeps any
 * change pending and a record without one becomes a `review` item. Nothing is lost or written.
 */
export function unansweredResults<Label extends string>(
  task: Pick<ClassifyTask<unknown, Label>, 'name' | 'labels' | 'reviewLabel'>,
  count: number,
  error: ErpError,
  model: string,
): Classification<Label>[] {
  const reason = `the AI could not answer: ${error.message}`;
  const label = reviewLabelOf(task);
  const share = 1 / task.labels.length;
  const probabilities = z
    .record(z.enum(task.labels), z.number())
    .parse(Object.fromEntries(task.labels.map((each) => [each, share])));
  return Array.from({ length: count }, () => ({
    label,
    confidence: share,
    probabilities,
    explanation: `needs review: ${reason}`,
    model,
    review: { reason },
  }));
}

function currencyOf(record: CanonicalRecord): string | null {
  const currency = (record as { currency?: unknown }).currency;
  return typeof currency === 'string' ? currency : null;
}

function pick(order: CanonicalRecord, fields: string[]): FieldValues {
  const values: FieldValues = {};
  const record = order as unknown as Record<string, unknown>;
  for (const field of fields) values[field] = record[field] ?? null;
  return values;
}

/** Field-by-field equality of canonical values (scalars, as the engine writes today). */
export function sameValues(a: FieldValues, b: FieldValues): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    if (JSON.stringify(a[key] ?? null) !== JSON.stringify(b[key] ?? null)) return false;
  }
  return true;
}
