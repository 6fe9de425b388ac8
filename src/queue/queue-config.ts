import { z } from 'zod';

/** The deployment's key prefix, as the shared ERP budget reads it (`src/distributed/redis-keys.ts`). */
const PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

const QueueOptions = z
  .strictObject({
    kind: z.literal('redis').default('redis'),
    /** `redis://[user:password@]host:port[/db]` or `rediss://…`; write `${REDIS_URL}` for a password. */
    url: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379'),
    /** Separates deployments on one Redis; the ERP budget's keys use it too. Default `default`. */
    prefix: z
      .string()
      .regex(PREFIX, 'use 1–64 letters, digits, "_", "-" or "." (no ":", braces or spaces)')
      .default('default'),
    /** How long a job's lock lasts without renewal (a live worker renews at half of it). Default 10 000. */
    lockDurationMs: z.int().min(2000).max(600_000).default(10_000),
    /** How often workers look for jobs whose lock expired (their worker died). Default 2 000. */
    stalledIntervalMs: z.int().min(500).max(600_000).default(2000),
  })
  .refine((queue) => queue.stalledIntervalMs < queue.lockDurationMs, {
    message: 'stalledIntervalMs must be shorter than lockDurationMs',
    path: ['stalledIntervalMs'],
  });

/**
 * `queue:` in erpbridge.yaml: where the distributed runner's jobs go (BullMQ on Redis). Absent: the
 * embedded mode, where jobs run in the process that plans them. A URL alone means
 * `{ kind: redis, url }` with the defaults.
 *
 * The timing defaults, and why (docs/deploy.md): a SIGKILLed worker keeps its jobs' locks until
 * they expire after `lockDurationMs` (10 s; a live worker renews every 5 s, so an event loop busy
 * for a few seconds, say training a model, keeps its locks); the stalled check every
 * `stalledIntervalMs` (2 s) then hands those jobs to another worker. Takeover after a kill:
 * lockDurationMs plus one or two checks, 10–14 s.
 *
 * @example
 *   queue: redis://127.0.0.1:6379
 *   queue: { kind: redis, url: "${REDIS_URL}", prefix: prod, lockDurationMs: 10000, stalledIntervalMs: 2000 }
 */
export const QueueConfig = z.preprocess(
  (value) => (typeof value === 'string' ? { url: value } : value),
  QueueOptions,
);
export type QueueConfig = z.output<typeof QueueConfig>;
