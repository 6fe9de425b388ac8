import { Cron } from 'croner';
import { describeError } from '../errors/index.ts';
import { cronProblem } from './schedule-config.ts';

/** One workflow's schedule. */
export interface WorkflowSchedule {
  workflow: string;
  /** A cron expression croner reads (5, 6 or 7 fields); checked by `ScheduleTrigger` at load time. */
  cron: string;
  /** IANA time zone the expression is read in; default the server's. */
  timezone?: string;
}

export interface SchedulerOptions {
  schedules: readonly WorkflowSchedule[];
  /**
   * Starts one scheduled run of `workflow` and settles when it has finished. The scheduler never
   * starts a workflow again while its previous fire is still running.
   */
  fire: (workflow: string) => Promise<void>;
  /**
   * The clock {@link Scheduler.next} reads; default `() => new Date()`. Croner's timers run on the
   * real clock whatever this says.
   */
  now?: () => Date;
  /**
   * Told about a fire that threw or rejected; the schedule goes on. Default: one line on stderr
   * naming the workflow. Must not throw.
   */
  onError?: (workflow: string, error: unknown) => void;
}

/** Cron schedules of workflows; one timer per workflow. */
export interface Scheduler {
  /** Starts the timers. Calling it again does nothing; after {@link stop} it throws. */
  start(): void;
  /** Stops the timers and settles once every fire still running has finished. */
  stop(): Promise<void>;
  /**
   * When the workflow's schedule next matches after `now()`; null when it has no schedule here,
   * never matches again, or the scheduler has been stopped.
   */
  next(workflow: string): Date | null;
  /** Whether a fire of the workflow is running now. */
  running(workflow: string): boolean;
  /** Ticks skipped because the workflow's previous fire was still running, since creation. */
  skipped(workflow: string): number;
}

interface ScheduleState {
  schedule: WorkflowSchedule;
  job: Cron | undefined;
  /** The fire running now; it never rejects (failures go to onError). */
  inFlight: Promise<void> | undefined;
  skipped: number;
}

const reportToStderr = (workflow: string, error: unknown) => {
  console.error(`scheduled run of ${workflow} failed: ${describeError(error)}`);
};

/**
 * Fires each workflow on its cron schedule, with croner. A workflow never overlaps itself: a tick
 * that comes while its previous fire is still running is skipped and counted, not queued, so a run
 * that takes longer than the interval is not followed by a pile of runs catching up. Different
 * workflows fire independently and may run at the same time. A fire that fails is reported to
 * `onError` and the schedule goes on.
 *
 * The guard against overlap is this module's own in-flight promise rather than croner's `protect`
 * option: `stop()` has to wait for the running fires, so the promise is kept anyway, and with it
 * a skip is counted at the tick itself (croner reports blocked ticks from a later timer).
 *
 * @throws Error naming the workflow, for a schedule croner cannot read or a workflow listed twice.
 * @example
 *   const scheduler = createScheduler({
 *     schedules: [{ workflow: 'po-urgency', cron: '0 6 * * 1-5', timezone: 'Europe/Berlin' }],
 *     fire: (workflow) => runs.start(workflow, { trigger: 'schedule' }),
 *     onError: (workflow, error) => log.error({ workflow, err: error }, 'scheduled run failed'),
 *   });
 *   scheduler.start();
 *   // on shutdown:
 *   await scheduler.stop();
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { fire } = options;
  const now = options.now ?? (() => new Date());
  const onError = options.onError ?? reportToStderr;

  const states = new Map<string, ScheduleState>();
  for (const schedule of options.schedules) {
    if (states.has(schedule.workflow)) {
      throw new Error(`workflow ${schedule.workflow} has two schedules; give each workflow one`);
    }
    const problem = cronProblem(schedule.cron, schedule.timezone);
    if (problem) throw new Error(`schedule of workflow ${schedule.workflow}: ${problem}`);
    states.set(schedule.workflow, { schedule, job: undefined, inFlight: undefined, skipped: 0 });
  }
  let phase: 'created' | 'started' | 'stopped' = 'created';

  const runOnce = async (workflow: string): Promise<void> => {
    try {
      await fire(workflow);
    } catch (error) {
      try {
        onError(workflow, error);
      } catch (reportError) {
        // A throwing reporter must not turn into an unhandled rejection that ends the process.
        process.emitWarning(
          `onError threw while reporting a failed scheduled run of ${workflow}: ${describeError(reportError)} (the run's error: ${describeError(error)})`,
        );
      }
    }
  };

  const tick = (state: ScheduleState) => {
    if (phase !== 'started') return;
    if (state.inFlight) {
      state.skipped += 1;
      return;
    }
    const fired = runOnce(state.schedule.workflow);
    state.inFlight = fired;
    void fired.finally(() => {
      state.inFlight = undefined;
    });
    // Nothing is returned to croner: it would otherwise hold the tick's promise as well.
  };

  return {
    start() {
      if (phase === 'stopped') throw new Error('this scheduler was stopped; create a new one to start again');
      if (phase === 'started') return;
      phase = 'started';
      for (const state of states.values()) {
        const { cron, timezone } = state.schedule;
        state.job = new Cron(cron, timezone === undefined ? {} : { timezone }, () => tick(state));
      }
    },
    async stop() {
      phase = 'stopped';
      for (const state of states.values()) state.job?.stop();
      await Promise.all([...states.values()].map((state) => state.inFlight));
    },
    next(workflow) {
      const state = states.get(workflow);
      if (!state || phase === 'stopped') return null;
      const { cron, timezone } = state.schedule;
      // A job without a function starts no timer; it only computes.
      return new Cron(cron, timezone === undefined ? {} : { timezone }).nextRun(now());
    },
    running(workflow) {
      return states.get(workflow)?.inFlight !== undefined;
    },
    skipped(workflow) {
      return states.get(workflow)?.skipped ?? 0;
    },
  };
}
