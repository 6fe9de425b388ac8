import type { Change } from '../engine/change.ts';
import { emptyStats, type Run } from '../engine/run.ts';
import type { AuditEntry } from './contract.ts';

/**
 * For tests only (not exported from the folder): the records the store tests write on both
 * dialects and in the writer process of the SQLite cross-process tests (`sqlite/store-writer.fixture.ts`).
 * The conformance suite keeps its own, with overrides.
 */

/** A running, not-dry-run `po-urgency` run. */
export function testRun(id: string): Run {
  return {
    id,
    workflow: 'po-urgency',
    policy: 'auto',
    dryRun: false,
    state: 'running',
    params: {},
    stats: emptyStats(),
    error: null,
    requestedBy: null,
    createdAt: '2024-05-01T08:00:00.000Z',
    updatedAt: '2024-05-01T08:00:00.000Z',
  };
}

/** A pending change of run-1 raising PO-1's priority from normal to urgent. */
export function testChange(id: string, idempotencyKey = `key-${id}`): Change {
  return {
    id,
    runId: 'run-1',
    entity: 'purchaseOrder',
    recordId: 'PO-1',
    before: { priority: 'normal' },
    after: { priority: 'urgent' },
    amount: null,
    currency: null,
    version: '3',
    reason: 'late supplier',
    confidence: 0.9,
    explanation: 'x',
    idempotencyKey,
    state: 'pending',
    revertOf: null,
    requestedBy: null,
    approvals: [],
    decidedBy: null,
    outcome: null,
    error: null,
    createdAt: '2024-05-01T08:00:00.000Z',
    updatedAt: '2024-05-01T08:00:00.000Z',
  };
}

/**
 * `count` audit entries by `actor` continuing `tail`, each hashed by its label (`actor-seq`): the
 * store checks the links of the chain, not the hashes.
 */
export function entriesAfter(tail: AuditEntry | null, actor: string, count = 1): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let seq = tail?.seq ?? 0;
  let prevHash = tail?.hash ?? '0'.repeat(64);
  for (let index = 0; index < count; index++) {
    seq += 1;
    const hash = `${actor}-${seq}`;
    entries.push({
      seq,
      at: new Date().toISOString(),
      type: 'extract.batch',
      runId: null,
      actor,
      payload: { seq },
      prevHash,
      hash,
    });
    prevHash = hash;
  }
  return entries;
}
