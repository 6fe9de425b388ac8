import { createHash } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';

/** Whatever runs a raw query: a Kysely instance, a transaction, a single connection. */
type Executor = Parameters<RawBuilder<unknown>['execute']>[0];

/** What a lock serialises. Each schema has its own locks, so two stores on one server never wait for each other. */
export type AdvisoryLockPurpose = 'migrate' | 'audit';

/**
 * The 64-bit key of an advisory lock: the first 8 bytes of `sha256("erpbridge:<purpose>:<schema>")`,
 * as a signed decimal string (PostgreSQL's `bigint`). Stable across processes and versions.
 */
export function advisoryLockKey(purpose: string, schema: string): string {
  const digest = createHash('sha256').update(`erpbridge:${purpose}:${schema}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * Takes a transaction-scoped advisory lock (`pg_advisory_xact_lock`): waits until no other
 * transaction holds it, and holds it until this one commits or rolls back. Call it inside a
 * transaction; outside one it is released at once.
 */
export async function lockForTransaction(
  trx: Executor,
  purpose: AdvisoryLockPurpose,
  schema: string,
): Promise<void> {
  await sql`select pg_advisory_xact_lock(${advisoryLockKey(purpose, schema)}::bigint)`.execute(trx);
}
