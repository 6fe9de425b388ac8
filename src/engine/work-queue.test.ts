import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLocalQueue } from './work-queue.ts';

const Job = z.object({ n: z.number() });
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('local work queue', () => {
  it('runs every job, at most `concurrency` at once, and drains', async () => {
    const queue = createLocalQueue({ concurrency: 2 });
    const seen: number[] = [];
    let inFlight = 0;
    let most = 0;
    queue.handle('square', Job, async ({ n }) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await tick();
      seen.push(n * n);
      inFlight--;
    });
    await queue.add(
      'square',
      [1, 2, 3, 4, 5].map((n) => ({ n })),
    );
    await queue.drain();
    expect(seen.sort((a, b) => a - b)).toEqual([1, 4, 9, 16, 25]);
    expect(most).toBe(2);
  });

  it('drains at once when nothing was added', async () => {
    await expect(createLocalQueue().drain()).resolves.toBeUndefined();
  });

  it('stops starting jobs after a failure and reports it from drain', async () => {
    const queue = createLocalQueue();
    const ran: number[] = [];
    queue.handle('job', Job, async ({ n }) => {
      ran.push(n);
      if (n === 2) throw new Error('job 2 failed');
    });
    await queue.add('job', [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await expect(queue.drain()).rejects.toThrow('job 2 failed');
    expect(ran).toEqual([1, 2]);
    // The failure is reported once; the queue works again afterwards.
    await queue.add('job', [{ n: 4 }]);
    await queue.drain();
    expect(ran).toEqual([1, 2, 4]);
  });

  it('checks each job against its kind’s schema and refuses unknown kinds', async () => {
    const queue = createLocalQueue();
    queue.handle('job', Job, async () => undefined);
    await queue.add('job', [{ n: 'one' }]);
    await expect(queue.drain()).rejects.toThrow(/expected number/);
    await queue.add('other', [{}]);
    await expect(queue.drain()).rejects.toThrow('no handler for jobs of kind "other"');
    expect(() => queue.handle('job', Job, async () => undefined)).toThrow(/already registered/);
    expect(() => createLocalQueue({ concurrency: 0 })).toThrow(/concurrency/);
  });
});
