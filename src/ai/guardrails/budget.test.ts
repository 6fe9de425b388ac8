import { describe, expect, it } from 'vitest';
import { costOf, estimateTokens, LlmBudget, LlmPrices, RunBudget } from './budget.ts';

const prices = LlmPrices.parse({ input1k: 0.5, output1k: 1.5, currency: 'EUR' });

describe('costOf and estimateTokens', () => {
  it('prices tokens per thousand and estimates four characters a token', () => {
    expect(costOf({ input: 2000, output: 1000 }, prices)).toBeCloseTo(2.5, 12);
    expect(estimateTokens('x'.repeat(9))).toBe(3);
  });
});

describe('RunBudget', () => {
  it('holds estimates of requests in flight, so two cannot overrun it together', () => {
    const budget = new RunBudget(LlmBudget.parse({ maxTokensPerRun: 1000 }), prices);
    const first = budget.reserve({ input: 400, output: 100 });
    expect(first.ok).toBe(true);
    expect(budget.reserve({ input: 400, output: 200 })).toEqual({
      ok: false,
      reason: "the run's LLM budget of 1000 tokens is spent (0 used, the next request needs about 600)",
    });
  });

  it('counts real usage when settled, and stays refused once exhausted', () => {
    const budget = new RunBudget(LlmBudget.parse({ maxCostPerRun: 1 }), prices);
    const held = budget.reserve({ input: 1000, output: 100 });
    if (!held.ok) throw new Error('expected the first request to fit');
    expect(budget.settle(held.reservation, { input: 1200, output: 200 })).toBeCloseTo(0.9, 12);
    const next = budget.reserve({ input: 200, output: 100 });
    expect(next).toEqual({
      ok: false,
      reason:
        "the run's LLM budget of 1.0000 EUR is spent (0.9000 EUR used, the next request costs about 0.2500 EUR)",
    });
    expect(budget.reserve({ input: 1, output: 0 }).ok).toBe(false);
    expect(budget.spent()).toMatchObject({
      tokens: 1400,
      currency: 'EUR',
      exhausted: expect.stringContaining('1.0000 EUR'),
    });
  });

  it('only counts when no limit is set', () => {
    const budget = new RunBudget(LlmBudget.parse({}), prices);
    for (let i = 0; i < 100; i++) {
      const held = budget.reserve({ input: 100_000, output: 100_000 });
      if (!held.ok) throw new Error('refused without a limit');
      budget.settle(held.reservation, { input: 1, output: 1 });
    }
    expect(budget.spent().tokens).toBe(200);
  });

  it('rejects a limit out of range instead of clamping it', () => {
    expect(() => LlmBudget.parse({ maxTokensPerRun: 0 })).toThrow();
    expect(() => LlmBudget.parse({ maxCostPerRun: -1 })).toThrow();
    expect(() => LlmPrices.parse({ input1k: -0.1 })).toThrow();
  });
});
