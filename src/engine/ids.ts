import { createHash, randomBytes } from 'node:crypto';

/** A run id that sorts by time and reads well in a terminal: `20261204-162701-a3f9`. */
export function newRunId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * The idempotency key of a planned write: one run's change to one record, at the version it was
 * planned on, to these values. Resuming the run (any process, any worker) reuses the key, so the
 * write happens at most once; another run planning the same values is another change, which apply
 * will find already satisfied.
 */
export function idempotencyKey(
  runId: string,
  entity: string,
  recordId: string,
  version: string | null,
  after: unknown,
): string {
  return createHash('sha256')
    .update(`${runId}\n${entity}\n${recordId}\n${version ?? ''}\n${JSON.stringify(after)}`)
    .digest('hex')
    .slice(0, 32);
}
