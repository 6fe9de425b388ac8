import { describe, expect, it } from 'vitest';
import { until } from '../distributed/test-until.ts';
import { startRunSweeper } from './run-sweeper.ts';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startRunSweeper', () => {
  it('settles, then recovers, says what it recovered, and survives a failed sweep', async () => {
    const calls: string[] = [];
    const warnings: string[] = [];
    let sweeps = 0;
    const sweeper = startRunSweeper(
      {
        async settleRuns() {
          calls.push('settle');
          sweeps++;
          if (sweeps === 2) throw new Error('store unreachable');
          return 0;
        },
        async recoverLostJobs() {
          calls.push('recover');
          return sweeps === 1 ? 3 : 0;
        },
      },
      { intervalMs: 20, warn: (message) => warnings.push(message) },
    );
    await until(() => calls.length >= 5, 10_000, 'three sweeps');
    await sweeper.stop();
    expect(calls.slice(0, 5)).toEqual(['settle', 'recover', 'settle', 'settle', 'recover']);
    expect(warnings.slice(0, 2)).toEqual([
      'published again 3 jobs the queue no longer had (Redis lost its data? run it with appendonly yes)',
      'run sweep failed: store unreachable; the next one tries again',
    ]);
    const after = calls.length;
    await wait(60);
    expect(calls.length).toBe(after);
  });

  it('never overlaps sweeps, and stop waits for the one in progress', async () => {
    let active = 0;
    let most = 0;
    let finished = 0;
    const sweeper = startRunSweeper(
      {
        async settleRuns() {
          active++;
          most = Math.max(most, active);
          await wait(80);
          active--;
          finished++;
          return 0;
        },
        recoverLostJobs: async () => 0,
      },
      { intervalMs: 10, warn: () => {} },
    );
    await wait(50);
    await sweeper.stop();
    expect(most).toBe(1);
    expect(finished).toBe(1);
    expect(() =>
      startRunSweeper(
        { settleRuns: async () => 0, recoverLostJobs: async () => 0 },
        { intervalMs: 0, warn: () => {} },
      ),
    ).toThrow('the run sweep interval must be 1 to 2147483647 ms, got 0');
  });
});
