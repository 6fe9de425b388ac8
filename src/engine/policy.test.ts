import { describe, expect, it } from 'vitest';
import { initialChangeState, PolicyConfig } from './policy.ts';

describe('policy', () => {
  it('defaults to review, so nothing is written without a person', () => {
    const policy = PolicyConfig.parse(undefined);
    expect(policy).toEqual({ mode: 'review', minConfidence: 0.8, maxChangesPerRun: 1000 });
    expect(initialChangeState(policy, 0.99, 0)).toBe('pending');
  });

  it('shadow never approves', () => {
    expect(initialChangeState(PolicyConfig.parse({ mode: 'shadow' }), 1, 0)).toBe('pending');
  });

  it('auto approves at or above the threshold and within the run limit', () => {
    const policy = PolicyConfig.parse({ mode: 'auto', minConfidence: 0.9, maxChangesPerRun: 2 });
    expect(initialChangeState(policy, 0.9, 0)).toBe('approved');
    expect(initialChangeState(policy, 0.89, 0)).toBe('pending');
    expect(initialChangeState(policy, 0.95, 1)).toBe('approved');
    expect(initialChangeState(policy, 0.95, 2)).toBe('pending');
  });

  it('rejects values out of range instead of clamping them', () => {
    expect(() => PolicyConfig.parse({ mode: 'auto', minConfidence: 1.5 })).toThrow();
    expect(() => PolicyConfig.parse({ mode: 'sometimes' })).toThrow();
    expect(() => PolicyConfig.parse({ mode: 'auto', maxChangesPerRun: 0 })).toThrow();
  });
});
