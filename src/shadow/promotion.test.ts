import { describe, expect, it } from 'vitest';
import { PromotionRule } from '../engine/policy.ts';
import { DEFAULT_PROMOTION_RULE, evaluatePromotion } from './promotion.ts';

const location = { file: '/srv/erpbridge.yaml', line: 57 };

describe('evaluatePromotion', () => {
  it('suggests the configured mode, naming the file, line and key, when the rule holds', () => {
    const verdict = evaluatePromotion({
      workflow: 'po-urgency',
      mode: 'shadow',
      rule: { minAgreement: 0.98, minItems: 500, suggest: 'auto' },
      decided: 612,
      agreement: 0.985,
      location,
    });
    expect(verdict.holds).toBe(true);
    expect(verdict.suggestion).toEqual({
      to: 'auto',
      key: 'workflows.po-urgency.policy.mode',
      file: location.file,
      line: 57,
      text: '/srv/erpbridge.yaml line 57: change "mode: shadow" to "mode: auto" (workflows.po-urgency.policy.mode); erpbridge never changes it on its own',
    });
  });

  it('does not hold below the agreement, or with too few decided items, and says which', () => {
    const low = evaluatePromotion({
      workflow: 'po-urgency',
      mode: 'shadow',
      rule: DEFAULT_PROMOTION_RULE,
      decided: 1800,
      agreement: 0.9,
      location,
    });
    expect(low).toMatchObject({ holds: false, suggestion: null });
    expect(low.reason).toMatch(/90\.0 % agreement over 1800 decided items, below the 98\.0 %/);
    const few = evaluatePromotion({
      workflow: 'po-urgency',
      mode: 'shadow',
      rule: DEFAULT_PROMOTION_RULE,
      decided: 499,
      agreement: 1,
      location,
    });
    expect(few).toMatchObject({ holds: false, suggestion: null });
    expect(few.reason).toMatch(
      /does not hold yet: 100\.0 % agreement over 499 decided items; it needs 98\.0 % agreement over at least 500/,
    );
    const none = evaluatePromotion({
      workflow: 'po-urgency',
      mode: 'shadow',
      rule: DEFAULT_PROMOTION_RULE,
      decided: 0,
      agreement: null,
      location: null,
    });
    expect(none.reason).toMatch(/nobody has acted on its decisions yet/);
  });

  it('suggests nothing for a workflow that is no longer in shadow', () => {
    const verdict = evaluatePromotion({
      workflow: 'po-urgency',
      mode: 'review',
      rule: DEFAULT_PROMOTION_RULE,
      decided: 900,
      agreement: 0.99,
      location,
    });
    expect(verdict).toMatchObject({ holds: true, suggestion: null });
    expect(verdict.reason).toMatch(/already in review mode/);
  });

  it('the rule’s schema fills defaults and refuses values out of range', () => {
    expect(PromotionRule.parse({})).toEqual(DEFAULT_PROMOTION_RULE);
    expect(() => PromotionRule.parse({ minAgreement: 1.2 })).toThrow();
    expect(() => PromotionRule.parse({ minItems: 0 })).toThrow();
    expect(() => PromotionRule.parse({ suggest: 'shadow' })).toThrow();
  });
});
