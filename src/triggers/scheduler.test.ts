import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { createScheduler, type Scheduler } from './scheduler.ts';

/**
 * Real croner timers on a schedule of every second (`* * * * * *`). The timed tests run
 * concurrently, each with its own scheduler, so the file takes about as long as its slowest test
 * (about 3 s) rather than their sum.
 */

const EVERY_SECOND = '* * * * * *';
const WAIT = { timeout: 5000, interval: 20 };

/** Runs `body` with a started scheduler and always stops it. */
async function withScheduler(scheduler: Scheduler, body: () => Promise<void>): Promise<void> {
  scheduler.start();
  try {
    await body();
  } finally {
    await scheduler.stop();
  }
}

describe('createScheduler: timing, with real timers', () => {
  it.concurrent('a fire longer than the interval is never overlapped: the ticks meanwhile are skipped', async ({
    expect,
  }) => {
    let running = 0;
    let mostAtOnce = 0;
    let fires = 0;
    const scheduler = createScheduler({
      schedules: [{ workflow: 'po-urgency', cron: EVERY_SECOND }],
      fire: async () => {
        fires += 1;
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        // Only the first fire is slow, so stop() does not wait long for the second.
        await sleep(fires === 1 ? 1300 : 10);
        running -= 1;
      },
    });
    await withScheduler(scheduler, async () => {
      await vi.waitFor(() => expect(fires).toBe(1), WAIT);
      expect(scheduler.running('po-urgency')).toBe(true);
      await vi.waitFor(() => expect(fires).toBe(2), WAIT);
      expect(scheduler.skipped('po-urgency')).toBeGreaterThanOrEqual(1);
      expect(mostAtOnce).toBe(1);
    });
    expect(mostAtOnce).toBe(1);
  });

  it.concurrent('different workflows run at the same time', async ({ expect }) => {
    const running = new Set<string>();
    let together = false;
    const scheduler = createScheduler({
      schedules: [
        { workflow: 'po-urgency', cron: EVERY_SECOND },
        { workflow: 'invoice-match', cron: EVERY_SECOND },
      ],
      fire: async (workflow) => {
        running.add(workflow);
        if (running.size === 2) together = true;
        await sleep(1200);
        running.delete(workflow);
      },
    });
    await withScheduler(scheduler, async () => {
      await vi.waitFor(() => expect(together).toBe(true), WAIT);
      expect(scheduler.running('po-urgency')).toBe(true);
      expect(scheduler.running('invoice-match')).toBe(true);
    });
  });

  it.concurrent('a fire that throws or rejects goes to onError, and the schedule goes on', async ({
    expect,
  }) => {
    const errors: [string, unknown][] = [];
    let calls = 0;
    const scheduler = createScheduler({
      schedules: [{ workflow: 'po-urgency', cron: EVERY_SECOND }],
      fire: (workflow) => {
        calls += 1;
        // The first fails before returning a promise, the others reject.
        if (calls === 1) throw new Error(`${workflow}: ERP unreachable`);
        return Promise.reject(new Error(`${workflow}: still unreachable`));
      },
      onError: (workflow, error) => errors.push([workflow, error]),
    });
    await withScheduler(scheduler, async () => {
      await vi.waitFor(() => expect(errors).toHaveLength(2), WAIT);
    });
    expect(errors).toEqual([
      ['po-urgency', new Error('po-urgency: ERP unreachable')],
      ['po-urgency', new Error('po-urgency: still unreachable')],
    ]);
    expect(scheduler.running('po-urgency')).toBe(false);
  });

  it.concurrent('an onError that throws becomes a process warning, and the schedule goes on', async ({
    expect,
  }) => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    let calls = 0;
    const scheduler = createScheduler({
      schedules: [{ workflow: 'po-urgency', cron: EVERY_SECOND }],
      fire: async () => {
        calls += 1;
        throw new Error('ERP unreachable');
      },
      onError: () => {
        throw new Error('logger closed');
      },
    });
    try {
      await withScheduler(scheduler, async () => {
        await vi.waitFor(() => expect(calls).toBe(2), WAIT);
      });
      await vi.waitFor(() => expect(warnings.length).toBeGreaterThanOrEqual(1), WAIT);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings[0]).toBe(
      "onError threw while reporting a failed scheduled run of po-urgency: logger closed (the run's error: ERP unreachable)",
    );
  });

  it.concurrent('stop() waits for the running fire, and nothing fires after it', async ({ expect }) => {
    let fires = 0;
    let finished = 0;
    const scheduler = createScheduler({
      schedules: [{ workflow: 'po-urgency', cron: EVERY_SECOND }],
      fire: async () => {
        fires += 1;
        await sleep(600);
        finished += 1;
      },
    });
    scheduler.start();
    await vi.waitFor(() => expect(scheduler.running('po-urgency')).toBe(true), WAIT);
    await scheduler.stop();
    expect(finished).toBe(fires);
    expect(scheduler.running('po-urgency')).toBe(false);
    await sleep(1100);
    expect(fires).toBe(finished);
    expect(fires).toBe(1);
  });
});

describe('createScheduler: without waiting', () => {
  const now = () => new Date('2026-12-04T12:00:00Z'); // a Friday

  it('next() is the next match after now(), in the schedule’s time zone', () => {
    const scheduler = createScheduler({
      schedules: [
        { workflow: 'berlin', cron: '0 6 * * 1-5', timezone: 'Europe/Berlin' },
        { workflow: 'new-york', cron: '0 6 * * 1-5', timezone: 'America/New_York' },
      ],
      fire: async () => undefined,
      now,
    });
    expect(scheduler.next('berlin')).toEqual(new Date('2026-12-07T05:00:00Z'));
    expect(scheduler.next('new-york')).toEqual(new Date('2026-12-07T11:00:00Z'));
  });

  it('next() is null for a workflow without a schedule, and for every workflow once stopped', async () => {
    const scheduler = createScheduler({
      schedules: [{ workflow: 'po-urgency', cron: '0 6 * * *' }],
      fire: async () => undefined,
      now,
    });
    expect(scheduler.next('unscheduled')).toBeNull();
    expect(scheduler.running('unscheduled')).toBe(false);
    expect(scheduler.skipped('unscheduled')).toBe(0);
    scheduler.start();
    expect(scheduler.next('po-urgency')).not.toBeNull();
    await scheduler.stop();
    expect(scheduler.next('po-urgency')).toBeNull();
  });

  it('start() twice is one start; start() after stop() throws', async () => {
    const scheduler = createScheduler({
      schedules: [{ workflow: 'po-urgency', cron: '0 6 * * *' }],
      fire: async () => undefined,
    });
    scheduler.start();
    scheduler.start();
    await scheduler.stop();
    expect(() => scheduler.start()).toThrow(
      new Error('this scheduler was stopped; create a new one to start again'),
    );
  });

  it('refuses, before any timer, a schedule croner cannot read, naming the workflow', () => {
    expect(() =>
      createScheduler({
        schedules: [{ workflow: 'po-urgency', cron: '61 * * * *' }],
        fire: async () => undefined,
      }),
    ).toThrow(
      new Error(
        'schedule of workflow po-urgency: invalid cron expression "61 * * * *": CronPattern: Invalid value for minute: 61',
      ),
    );
  });

  it('refuses a workflow listed twice', () => {
    expect(() =>
      createScheduler({
        schedules: [
          { workflow: 'po-urgency', cron: '0 6 * * *' },
          { workflow: 'po-urgency', cron: '0 18 * * *' },
        ],
        fire: async () => undefined,
      }),
    ).toThrow(new Error('workflow po-urgency has two schedules; give each workflow one'));
  });

  it('a scheduler with no schedules starts and stops', async () => {
    const scheduler = createScheduler({ schedules: [], fire: async () => undefined });
    scheduler.start();
    await expect(scheduler.stop()).resolves.toBeUndefined();
  });
});
