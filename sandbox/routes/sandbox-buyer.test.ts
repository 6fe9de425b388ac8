import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LABEL_OF_PRIORITY_CODE, type UrgencyLabel } from '../hidden-rules.ts';
import type { Sandbox } from '../index.ts';
import { callSandbox, field, records, startTestSandbox } from '../test-support.ts';
import type { BuyerDecision } from './sandbox-buyer.ts';

let sandbox: Sandbox;
let stop: () => Promise<void>;
beforeAll(async () => {
  ({ sandbox, stop } = await startTestSandbox());
});
afterAll(() => stop());

const anonymous = () => ({ url: sandbox.url, apiKey: null });

async function openOrders(): Promise<Map<string, Record<string, unknown>>> {
  const answer = await callSandbox(sandbox, '/api/purchase_orders?status=open&page_size=1000');
  return new Map(records(answer.body).map((record) => [String(record.po_number), record]));
}

function labelOfCode(code: unknown): string | undefined {
  return Object.entries(LABEL_OF_PRIORITY_CODE).find(([candidate]) => candidate === code)?.[1];
}

function decisionsOf(body: unknown): BuyerDecision[] {
  const value = field(body, 'decisions');
  if (!Array.isArray(value)) throw new Error('decisions expected');
  return value;
}

describe('POST /_sandbox/buyer', () => {
  test('buyers act on the asked share of open orders, from the truth with the asked mistakes, as real writes', async () => {
    const truth = field((await callSandbox(anonymous(), '/_sandbox/truth')).body, 'labels') as Record<
      string,
      UrgencyLabel
    >;
    const before = await openOrders();
    const answer = await callSandbox(anonymous(), '/_sandbox/buyer', {
      method: 'POST',
      body: { share: 0.6, accuracy: 0.8, seed: 7 },
    });
    expect(answer.status).toBe(200);
    const decisions = decisionsOf(answer.body);
    // 450 open orders: a share of 0.6 is 270 ± a few binomial standard deviations (σ ≈ 10).
    expect(decisions.length).toBeGreaterThan(230);
    expect(decisions.length).toBeLessThan(310);
    const mistakes = decisions.filter((decision) => decision.label !== decision.truth);
    expect(field(answer.body, 'mistakes')).toBe(mistakes.length);
    expect(mistakes.length / decisions.length).toBeGreaterThan(0.1);
    expect(mistakes.length / decisions.length).toBeLessThan(0.3);
    const after = await openOrders();
    for (const decision of decisions) {
      expect(decision.truth).toBe(truth[decision.poNumber]);
      const record = after.get(decision.poNumber);
      expect(labelOfCode(record?.priority)).toBe(decision.label);
      // Every order a buyer acted on was saved: its version moved on, as with any write.
      expect(String(record?.updated_at) > String(before.get(decision.poNumber)?.updated_at)).toBe(true);
      const neighbours = ['urgent', 'high', 'normal', 'low'];
      expect(
        Math.abs(neighbours.indexOf(decision.label) - neighbours.indexOf(decision.truth)),
      ).toBeLessThanOrEqual(1);
    }
    const acted = new Set(decisions.map((decision) => decision.poNumber));
    for (const [poNumber, record] of after) {
      if (!acted.has(poNumber)) expect(record).toEqual(before.get(poNumber));
    }
    expect(field(answer.body, 'changed')).toBe(decisions.filter((decision) => decision.changed).length);
  });

  test('the same seed makes the same choices; confirm "skip" leaves orders already right untouched', async () => {
    const before = await openOrders();
    const answer = await callSandbox(anonymous(), '/_sandbox/buyer', {
      method: 'POST',
      body: { share: 0.6, accuracy: 0.8, seed: 7, confirm: 'skip' },
    });
    // The first test set exactly these values, so nothing is left to change.
    expect(field(answer.body, 'acted')).toBe(0);
    expect(await openOrders()).toEqual(before);
  });

  test('refuses a body out of range, naming the key', async () => {
    const answer = await callSandbox(anonymous(), '/_sandbox/buyer', {
      method: 'POST',
      body: { share: 1.5, accuracy: 0.9 },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'bad_request', key: 'share' });
    expect(field(answer.body, 'message')).toMatch(/^share: /);
  });
});
