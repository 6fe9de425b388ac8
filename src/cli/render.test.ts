import { describe, expect, it } from 'vitest';
import { emptyStats, type Run } from '../engine/run.ts';
import { renderRunSummary } from './render.ts';

function run(overrides: Partial<Run>): Run {
  return {
    id: 'run-1',
    workflow: 'po-urgency',
    policy: 'auto',
    dryRun: true,
    state: 'planned',
    params: {},
    stats: { ...emptyStats(), read: 5000 },
    error: null,
    requestedBy: null,
    createdAt: '2026-12-05T08:00:00.000Z',
    updatedAt: '2026-12-05T08:00:00.000Z',
    ...overrides,
  };
}

describe('renderRunSummary', () => {
  it('calls a dry run a dry run until its plan is applied, then says so, with the writes', () => {
    const planned = renderRunSummary({ run: run({}), changes: { approved: 280, pending: 11 }, wrote: 0 });
    expect(planned).toMatch(/po-urgency \(dry run, policy auto\)/);
    expect(planned).not.toContain('writes sent by this command');

    const applied = renderRunSummary({ run: run({}), changes: { applied: 279, conflict: 1 }, wrote: 279 });
    expect(applied).toMatch(/po-urgency \(dry run, its plan applied since, policy auto\)/);
    expect(applied).toMatch(/writes sent by this command\s+│\s*279/);
  });

  it('names an applying run by its mode, and always shows its writes', () => {
    const text = renderRunSummary({
      run: run({ dryRun: false, state: 'completed' }),
      changes: { applied: 3 },
      wrote: 0,
    });
    expect(text).toMatch(/po-urgency \(apply, policy auto\)/);
    expect(text).toMatch(/writes sent by this command\s+│\s*0/);
  });
});
