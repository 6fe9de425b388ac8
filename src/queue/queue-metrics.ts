import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { MetricName } from '../metrics/metric-names.ts';
import type { JobEvent } from './bullmq-queue.ts';
import type { RelayFigures } from './outbox-relay.ts';

/**
 * The distributed runner's metrics, added to a process's registry (`createMetrics(...).registry`):
 *
 * | name                                  | type      | labels        | what                                           |
 * | ------------------------------------- | --------- | ------------- | ---------------------------------------------- |
 * | `erpbridge_queue_jobs_total`          | counter   | kind, outcome | jobs this process ran: completed, failed, gave-up |
 * | `erpbridge_queue_job_duration_seconds`| histogram | kind          | time this process spent on a job attempt       |
 * | `erpbridge_queue_jobs_running`        | gauge     |               | jobs running in this process now               |
 * | `erpbridge_queue_jobs`                | gauge     | state         | the deployment's jobs by BullMQ state (waiting, active, delayed, failed, …) |
 * | `erpbridge_outbox_published_total`    | counter   |               | outbox rows this process published             |
 * | `erpbridge_outbox_relay_failures_total` | counter |               | relay rounds of this process that failed       |
 *
 * `erpbridge_queue_jobs` is the same on every process (read from Redis at scrape time): aggregate
 * it with `max`, not `sum`. The names are part of the metrics contract: `QUEUE_METRIC_NAMES` in
 * `src/metrics/metric-names.ts`.
 */
export interface QueueMetrics {
  /** Records one job attempt this process ran. */
  jobEnded(event: JobEvent): void;
}

export interface QueueMetricsSources {
  /** Jobs running in this process. */
  running(): number;
  /** The deployment's jobs by BullMQ state; a rejection leaves the gauge out of that scrape. */
  counts(): Promise<Record<string, number>>;
  relay(): RelayFigures;
}

/** Buckets of a job attempt: an apply job of 128 changes at 50 ms takes seconds; a plan job minutes. */
export const JOB_BUCKETS = [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 300, 900];

export function registerQueueMetrics(registry: Registry, sources: QueueMetricsSources): QueueMetrics {
  const registers = [registry];
  const jobs = new Counter({
    name: 'erpbridge_queue_jobs_total' satisfies MetricName,
    help: 'Job attempts this process ran, by kind (plan, apply) and outcome (completed, failed: retried, gave-up).',
    labelNames: ['kind', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'erpbridge_queue_job_duration_seconds' satisfies MetricName,
    help: 'Time this process spent on one job attempt, in seconds, by kind.',
    labelNames: ['kind'],
    buckets: JOB_BUCKETS,
    registers,
  });
  new Gauge({
    name: 'erpbridge_queue_jobs_running' satisfies MetricName,
    help: 'Jobs running in this process now.',
    registers,
    collect() {
      this.set(sources.running());
    },
  });
  new Gauge({
    name: 'erpbridge_queue_jobs' satisfies MetricName,
    help: "The deployment's jobs by BullMQ state, read from Redis at scrape time (the same on every process: aggregate with max).",
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await sources.counts().catch(() => null);
      this.reset();
      for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
    },
  });
  new Counter({
    name: 'erpbridge_outbox_published_total' satisfies MetricName,
    help: 'Outbox rows this process published to the queue.',
    registers,
    collect() {
      this.reset();
      this.inc(sources.relay().published);
    },
  });
  new Counter({
    name: 'erpbridge_outbox_relay_failures_total' satisfies MetricName,
    help: 'Relay rounds of this process that failed (the rows wait for the next round).',
    registers,
    collect() {
      this.reset();
      this.inc(sources.relay().failures);
    },
  });
  for (const kind of ['plan', 'apply']) {
    for (const outcome of ['completed', 'failed', 'gave-up']) jobs.inc({ kind, outcome }, 0);
  }
  return {
    jobEnded(event) {
      jobs.inc({ kind: event.kind, outcome: event.outcome });
      duration.observe({ kind: event.kind }, event.seconds);
    },
  };
}
