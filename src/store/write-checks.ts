import { ErpError } from '../errors/index.ts';
import type { AuditEntry } from './contract.ts';

/**
 * Checks every store makes before a write, with the same messages, whichever database it runs on.
 */

/**
 * The store's own guard on the chain: the entries must continue the tail's sequence without a gap
 * and link to it, whatever the builder did. Hashes themselves are the audit module's business.
 */
export function checkAppend(tail: AuditEntry | null, entries: AuditEntry[]): void {
  let seq = tail === null ? 0 : tail.seq;
  let hash = tail === null ? null : tail.hash;
  for (const entry of entries) {
    if (entry.seq !== seq + 1) {
      throw new ErpError(
        'validation',
        `appendAudit: entry seq ${entry.seq} does not follow ${seq}; nothing appended`,
        {
          key: String(entry.seq),
        },
      );
    }
    if (hash !== null && entry.prevHash !== hash) {
      throw new ErpError(
        'validation',
        `appendAudit: entry ${entry.seq} does not link to entry ${seq} (prevHash differs); nothing appended`,
        { key: String(entry.seq) },
      );
    }
    seq = entry.seq;
    hash = entry.hash;
  }
}

export function unknownRun(operation: string, id: string): ErpError {
  return new ErpError('validation', `${operation}: run ${id} does not exist`, {
    key: id,
    hint: 'Create the run (createRun) first.',
  });
}

export function unknownChange(id: string): ErpError {
  return new ErpError('validation', `updateChanges: change ${id} does not exist; no change was updated`, {
    key: id,
  });
}

export function neverClaimed(unclaimed: string[]): ErpError {
  return new ErpError(
    'validation',
    `completeIdempotencyKeys: ${unclaimed.length} key(s) were never claimed, e.g. ${unclaimed[0]}; none was completed`,
    { key: unclaimed[0], hint: 'Claim a key (claimIdempotencyKeys) before its write.' },
  );
}

export function unknownDeadLetter(id: string): ErpError {
  return new ErpError('validation', `markDeadLettersReplayed: no dead letter ${id}; none was marked`, {
    key: id,
  });
}
