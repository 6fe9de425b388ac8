import { ErpError } from '../errors/index.ts';
import type { AuditEntry, Store } from '../store/contract.ts';
import type { AuditEntryType } from './entry-types.ts';
import { type AuditInput, chain, DEFAULT_ACTOR, GENESIS_HASH, hashEntry } from './hash-chain.ts';

/**
 * How verification can fail, for the first bad entry:
 * - `edited`: the entry's contents no longer hash to its stored hash (or it cannot be read at all).
 * - `missing`: a sequence number is absent, i.e. an entry was deleted (names the first missing seq).
 * - `reordered`: the entry's `prevHash` is not the previous entry's hash: entries were swapped or
 *   moved, or a link was rewritten.
 * - `rewritten`: the chain is consistent, but the entry at the anchor's seq is not the one the
 *   anchor recorded: the log was rebuilt with recomputed hashes from this entry or earlier.
 */
export const VERIFY_FAILURES = ['edited', 'missing', 'reordered', 'rewritten'] as const;
export type VerifyFailure = (typeof VERIFY_FAILURES)[number];

export type VerifyResult =
  /** `head` is the last entry's hash (`GENESIS_HASH` for an empty log): keep it as an anchor. */
  | { ok: true; entries: number; head: string }
  /** `entries` counts the entries found intact before `firstBad`. */
  | { ok: false; entries: number; firstBad: { seq: number; reason: VerifyFailure; detail: string } };

/**
 * A link of the chain recorded outside the store (printed by an earlier `audit verify`, kept by an
 * auditor). The chain alone cannot show that its newest entries were cut off, or that the whole
 * log was rebuilt with fresh hashes; an anchor can.
 */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

export interface VerifyOptions {
  /** Also require that the log still holds this entry, unchanged. */
  anchor?: AuditAnchor;
  /** Entries read per page; the log is never loaded whole. Default 1000. */
  pageSize?: number;
}

const DEFAULT_PAGE_SIZE = 1000;

/**
 * The append-only, hash-chained audit log over a Store. Appends take the store's write lock, so
 * several engine processes share one unbroken chain.
 *
 * @example
 * const audit = new AuditLog(store);
 * await audit.record('run.started', run.id, { workflow: 'po-urgency', policy: 'review', dryRun: false, params });
 * const result = await audit.verify();
 * if (!result.ok) console.error(`entry ${result.firstBad.seq}: ${result.firstBad.detail}`);
 */
export class AuditLog {
  readonly #store: Store;
  readonly #actor: string;
  readonly #now: () => string;

  /**
   * @param actor who the entries name when a call does not say: `erpbridge` by default, a user
   *   name for a console session.
   * @param now the clock for `at`; ISO-8601 UTC by default.
   */
  constructor(store: Store, actor = DEFAULT_ACTOR, now: () => string = () => new Date().toISOString()) {
    checkActor(actor);
    this.#store = store;
    this.#actor = actor;
    this.#now = now;
  }

  /** Appends one entry and returns it as stored. */
  async record(
    type: AuditEntryType,
    runId: string | null,
    payload: Record<string, unknown>,
    actor?: string,
  ): Promise<AuditEntry> {
    const [entry] = await this.recordMany([
      { type, runId, payload, ...(actor === undefined ? {} : { actor }) },
    ]);
    if (entry === undefined) throw new Error('appendAudit returned no entry for one event');
    return entry;
  }

  /**
   * Appends entries in order, atomically: one store transaction for the lot (the engine calls it
   * once per batch). An input without an actor gets the log's.
   */
  async recordMany(inputs: readonly AuditInput[]): Promise<AuditEntry[]> {
    if (inputs.length === 0) return [];
    const withActors = inputs.map(({ actor = this.#actor, ...input }): AuditInput => {
      checkActor(actor);
      return { ...input, actor };
    });
    return this.#store.appendAudit((tail) => chain(tail, withActors, this.#now));
  }

  /**
   * Reads the whole log page by page, checking every entry's sequence number, link and hash, and
   * stops at the first bad entry. An edit of entry k, a deletion of entry k and a swap of entries k
   * and k+1 each report k.
   */
  async verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    const { anchor, pageSize = DEFAULT_PAGE_SIZE } = options;
    if (!(Number.isInteger(pageSize) && pageSize > 0)) {
      throw new ErpError('validation', `verify: pageSize must be a positive integer, got ${pageSize}`, {
        field: 'pageSize',
      });
    }
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let readSize = pageSize;
    const fail = (seq: number, reason: VerifyFailure, detail: string): VerifyResult => ({
      ok: false,
      entries: expectedSeq - 1,
      firstBad: { seq, reason, detail },
    });

    for (;;) {
      let page: AuditEntry[];
      try {
        page = await this.#store.readAudit({ fromSeq: expectedSeq, limit: readSize });
      } catch (error) {
        const seq = unreadableSeq(error);
        if (seq === undefined) throw error;
        // Narrow down to the first unreadable entry, verifying the good ones before it.
        if (readSize > 1) {
          readSize = 1;
          continue;
        }
        if (seq > expectedSeq) return fail(expectedSeq, 'missing', missingDetail(expectedSeq, seq));
        return fail(seq, 'edited', `entry ${seq} cannot be read as an audit entry: ${messageOf(error)}`);
      }

      for (const entry of page) {
        if (entry.seq !== expectedSeq) {
          return fail(expectedSeq, 'missing', missingDetail(expectedSeq, entry.seq));
        }
        if (entry.prevHash !== prevHash) {
          return fail(
            entry.seq,
            'reordered',
            `entry ${entry.seq} does not link to ${expectedSeq === 1 ? 'the start of the log' : `entry ${expectedSeq - 1}`}: ` +
              `its prevHash is ${short(entry.prevHash)}, expected ${short(prevHash)} ` +
              '(entries were reordered, or a link was rewritten)',
          );
        }
        const hash = hashEntry(entry.prevHash, entry);
        if (hash !== entry.hash) {
          return fail(
            entry.seq,
            'edited',
            `entry ${entry.seq} was changed after it was written: its contents hash to ${short(hash)}, ` +
              `the log records ${short(entry.hash)}`,
          );
        }
        if (anchor !== undefined && entry.seq === anchor.seq && entry.hash !== anchor.hash) {
          return fail(
            entry.seq,
            'rewritten',
            `entry ${entry.seq} has hash ${short(entry.hash)} but the anchor records ${short(anchor.hash)}: ` +
              'the log was rebuilt from this entry or earlier',
          );
        }
        prevHash = entry.hash;
        expectedSeq += 1;
      }
      if (page.length < readSize) break;
    }

    if (anchor !== undefined && anchor.seq >= expectedSeq) {
      return fail(
        expectedSeq,
        'missing',
        `entry ${expectedSeq} is missing: the log ends at entry ${expectedSeq - 1}, ` +
          `but the anchor records entry ${anchor.seq} (the newest entries were deleted)`,
      );
    }
    return { ok: true, entries: expectedSeq - 1, head: prevHash };
  }
}

function checkActor(actor: string): void {
  if (actor.trim() === '') {
    throw new ErpError('validation', 'an audit entry needs an actor (who did it); got an empty name', {
      field: 'actor',
    });
  }
}

function missingDetail(missing: number, next: number): string {
  const last = next - 1;
  const range = last > missing ? `entries ${missing}–${last} are` : `entry ${missing} is`;
  return `${range} missing: the log continues at entry ${next} (deleted)`;
}

/** The seq of an audit row the store could not read (it names the row in the error's key). */
function unreadableSeq(error: unknown): number | undefined {
  if (!(error instanceof ErpError) || error.context.entity !== 'audit_entries') return undefined;
  const seq = Number(error.context.key);
  return Number.isInteger(seq) && seq > 0 ? seq : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function short(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}
