import { describe, expect, it } from 'vitest';
import { approvalStep, initialChangeState, PolicyConfig } from './policy.ts';

describe('policy', () => {
  it('defaults to review, so nothing is written without a person', () => {
    const policy = PolicyConfig.parse(undefined);
    expect(policy).toEqual({
      mode: 'review',
      minConfidence: 0.8,
      maxChangesPerRun: 1000,
      fourEyesAbove: null,
    });
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

  it('never approves a result marked for review, whatever its confidence', () => {
    const policy = PolicyConfig.parse({ mode: 'auto', minConfidence: 0 });
    const review = { reason: 'label "critical" is not one of the allowed values' };
    expect(initialChangeState(policy, { confidence: 1, review }, 0)).toBe('pending');
    expect(initialChangeState(policy, { confidence: 1 }, 0)).toBe('approved');
  });

  it('rejects values out of range instead of clamping them', () => {
    expect(() => PolicyConfig.parse({ mode: 'auto', minConfidence: 1.5 })).toThrow();
    expect(() => PolicyConfig.parse({ mode: 'sometimes' })).toThrow();
    expect(() => PolicyConfig.parse({ mode: 'auto', maxChangesPerRun: 0 })).toThrow();
  });
});

describe('four-eyes and approvals', () => {
  const policy = PolicyConfig.parse({ mode: 'auto', fourEyesAbove: 10_000 });
  const change = (
    amount: number | null,
    approvals: { by: string }[] = [],
    requestedBy: string | null = 'rita',
  ) => ({
    id: 'c-1',
    amount,
    currency: 'EUR',
    requestedBy,
    approvals: approvals.map(({ by }) => ({ by, at: '2026-12-04T10:00:00.000Z', comment: null })),
  });
  const by = (name: string) => ({ by: name, at: '2026-12-04T11:00:00.000Z', comment: null });

  it('above the amount, auto never approves on its own', () => {
    expect(initialChangeState(policy, 0.99, 0, 10_000.01)).toBe('pending');
    expect(initialChangeState(policy, 0.99, 0, 10_000)).toBe('approved');
    expect(initialChangeState(policy, 0.99, 0, null)).toBe('approved');
  });

  it('at or below the amount one approval approves', () => {
    expect(approvalStep(policy, change(10_000), by('anna'))).toMatchObject({ kind: 'approved' });
  });

  it('above it the first approval is recorded and a second person approves', () => {
    const first = approvalStep(policy, change(25_000), by('anna'));
    expect(first).toMatchObject({ kind: 'recorded', approvals: [{ by: 'anna' }] });
    const second = approvalStep(policy, change(25_000, [{ by: 'anna' }]), by('ben'));
    expect(second).toMatchObject({ kind: 'approved', approvals: [{ by: 'anna' }, { by: 'ben' }] });
  });

  it('the same person twice is refused', () => {
    const again = approvalStep(policy, change(25_000, [{ by: 'anna' }]), by('anna'));
    expect(again).toMatchObject({ kind: 'refused' });
    if (again.kind === 'refused') expect(again.reason).toContain('second approver');
  });

  it('nobody approves a change they requested, whatever the amount', () => {
    const own = approvalStep(policy, change(5, [], 'anna'), by('anna'));
    expect(own).toMatchObject({ kind: 'refused' });
    if (own.kind === 'refused') expect(own.reason).toContain('cannot approve');
    expect(approvalStep(policy, change(5, [], null), by('anna'))).toMatchObject({ kind: 'approved' });
  });
});
