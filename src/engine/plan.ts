import type { Classification } from '../ai/contract.ts';
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
  const declared = new Set<string>(workflow.fields);
  orders.forEach((order, index) => {
    const result = results[index];
    if (!result) throw new Error(`the AI answered ${results.length} of ${orders.length} records`);
    const proposal = workflow.decide(order, result, context);
    const before = pick(order, Object.keys(proposal?.after ?? {}));
    const changed = proposal !== null && !sameValues(before, proposal.after);
    items.push({
      runId: run.id,
      recordId: order.id,
      state: changed ? 'planned' : 'unchanged',
      label: result.label,
      confidence: result.confidence,
      error: null,
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
    const state = initialChangeState(workflow.policy, result, approved, amount);
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
      decidedBy: state === 'approved' ? `policy:auto>=${workflow.policy.minConfidence}` : null,
      outcome: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    });
  });
  return { items, changes };
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
