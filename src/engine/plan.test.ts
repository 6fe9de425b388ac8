import { describe, expect, it } from 'vitest';
import { poUrgencyWorkflow } from '../../workflows/po-urgency.ts';
import type { Classification } from '../ai/contract.ts';
import type { UrgencyInput } from '../ai/tasks/po-urgency.ts';
import type { Priority, PurchaseOrder } from '../canonical/index.ts';
import { testOpenOrder } from '../canonical/test-orders.ts';
import { WorkflowConfig } from '../config/schema.ts';
import { ErpError } from '../errors/index.ts';
import { decideBatch, isUnanswered, unansweredResults } from './plan.ts';
import type { WorkflowContext } from './workflow.ts';

const workflow = poUrgencyWorkflow(
  'po-urgency',
  WorkflowConfig.parse({
    task: 'po-urgency',
    connector: 'erp',
    write: { labels: ['urgent', 'high', 'normal', 'low'] },
    policy: { mode: 'auto', minConfidence: 0 },
  }),
);
const context: WorkflowContext = { asOf: '2026-11-02', suppliers: new Map() };

function order(id: string, priority: Priority | null): PurchaseOrder {
  return testOpenOrder(id, { priority });
}

function answer(label: Priority, review?: string): Classification<Priority> {
  return {
    label,
    confidence: 0.9,
    probabilities: { urgent: 0.9, high: 0.05, normal: 0.03, low: 0.02 },
    explanation: review ? `needs review: ${review}` : `classified ${label}`,
    model: 'llm:stand-in',
    ...(review ? { review: { reason: review } } : {}),
  };
}

function decide(orders: PurchaseOrder[], results: Classification<Priority>[]) {
  const inputs: UrgencyInput[] = orders.map((each) => workflow.toInput(each, context));
  return decideBatch(
    workflow,
    { id: 'run-1', approvedSoFar: 0, requestedBy: null },
    orders,
    inputs,
    results,
    context,
    '2026-11-02T08:00:00.000Z',
  );
}

describe('decideBatch: what becomes of each record', () => {
  const outside = 'the model\'s answer is outside the allowed values (label "critical")';

  it('makes a review result that proposes no change a review item with the reason, and plans no change', () => {
    // The review label is urgent; this order is urgent already, so the workflow proposes nothing.
    const { items, changes } = decide([order('45000001', 'urgent')], [answer('urgent', outside)]);

    expect(changes).toEqual([]);
    expect(items).toEqual([
      expect.objectContaining({
        recordId: '45000001',
        state: 'review',
        label: 'urgent',
        error: `needs review: ${outside}`,
      }),
    ]);
  });

  it('keeps ordinary answers as before: unchanged when the value holds, planned (and approved by auto) when it differs', () => {
    const { items, changes } = decide(
      [order('45000002', 'normal'), order('45000003', 'low')],
      [answer('normal'), answer('high')],
    );

    expect(items.map((item) => [item.recordId, item.state, item.error])).toEqual([
      ['45000002', 'unchanged', null],
      ['45000003', 'planned', null],
    ]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      recordId: '45000003',
      after: { priority: 'high' },
      state: 'approved',
    });
  });

  it('plans a review result that does propose a change as a pending change, never approved, even under auto', () => {
    const { items, changes } = decide([order('45000004', 'low')], [answer('urgent', outside)]);

    expect(items[0]).toMatchObject({ state: 'planned', error: null });
    expect(changes[0]).toMatchObject({
      after: { priority: 'urgent' },
      state: 'pending',
      decidedBy: null,
      explanation: `needs review: ${outside}`,
    });
  });
});

describe('unansweredResults: a batch the AI could not answer', () => {
  it('gives every record the review label at 1/labels confidence with the error as the reason', () => {
    const error = new ErpError('transient', 'LLM request for task "po-urgency" failed: 500 boom');
    const results = unansweredResults(workflow.task, 2, error, 'llm');

    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({
      label: 'urgent',
      confidence: 0.25,
      probabilities: { urgent: 0.25, high: 0.25, normal: 0.25, low: 0.25 },
      explanation:
        'needs review: the AI could not answer: LLM request for task "po-urgency" failed: 500 boom',
      model: 'llm',
      review: { reason: 'the AI could not answer: LLM request for task "po-urgency" failed: 500 boom' },
    });
    const { items, changes } = decide([order('45000005', 'urgent'), order('45000006', 'low')], results);
    expect(items.map((item) => item.state)).toEqual(['review', 'planned']);
    expect(changes.map((change) => change.state)).toEqual(['pending']);
  });

  it('sends only a provider’s retryable failures to review; the ERP’s and a person’s problems fail the run', () => {
    expect(isUnanswered(new ErpError('transient', 'LLM 500'))).toBe(true);
    expect(isUnanswered(new ErpError('rate_limited', 'LLM 429', { retryAfterMs: 1000 }))).toBe(true);
    expect(isUnanswered(new ErpError('auth', 'LLM 401'))).toBe(false);
    expect(isUnanswered(new ErpError('validation', 'still malformed after one repair'))).toBe(false);
    expect(isUnanswered(new ErpError('transient', 'ERP 503', { connector: 'erp' }))).toBe(false);
    expect(isUnanswered(new Error('a bug'))).toBe(false);
  });
});
