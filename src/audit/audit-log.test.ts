import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErpError } from '../errors/index.ts';
import type { AuditEntry, Store } from '../store/contract.ts';
import { createSqliteStore } from '../store/index.ts';
import { AuditLog, type VerifyResult } from './audit-log.ts';
import { type AuditInput, chain, GENESIS_HASH } from './hash-chain.ts';

let dir: string;
let path: string;
const stores: Store[] = [];

async function openStore(): Promise<Store> {
  const store = createSqliteStore({ path });
  stores.push(store);
  await store.migrate();
  return store;
}

/** Edits the SQLite file behind the store's back, the way someone with file access would. */
function tamper(edit: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    edit(db);
  } finally {
    db.close();
  }
}

/** Verifies through a fresh store, as `erpbridge audit verify` in a new process would. */
async function verifyFresh(options?: Parameters<AuditLog['verify']>[0]): Promise<VerifyResult> {
  return new AuditLog(await openStore()).verify(options);
}

function events(count: number, from = 0): AuditInput[] {
  return Array.from({ length: count }, (_, index) => {
    const n = from + index;
    return n % 3 === 0
      ? {
          type: 'extract.batch',
          runId: 'run-1',
          payload: { count: 500, firstRecordId: `PO-${n}`, lastRecordId: `PO-${n + 499}` },
        }
      : n % 3 === 1
        ? {
            type: 'ai.decisions',
            runId: 'run-1',
            payload: {
              decisions: [{ id: `PO-${n}`, label: 'urgent', confidence: 0.91, model: 'po-urgency@3' }],
            },
          }
        : { type: 'change.approved', runId: 'run-1', payload: { changeIds: [`chg-${n}`] }, actor: 'anna' };
  });
}

type Row = Record<string, unknown>;
const CONTENT_COLUMNS = ['format_version', 'at', 'type', 'run_id', 'actor', 'payload', 'prev_hash', 'hash'];

function row(db: Database.Database, seq: number): Row {
  const found: unknown = db.prepare('select * from audit_entries where seq = ?').get(seq);
  if (typeof found !== 'object' || found === null) throw new Error(`no audit entry ${seq}`);
  return { ...found };
}

function writeContent(db: Database.Database, seq: number, content: Row, columns = CONTENT_COLUMNS): void {
  const assignments = columns.map((column) => `"${column}" = @${column}`).join(', ');
  const values = Object.fromEntries(columns.map((column) => [column, content[column]]));
  db.prepare(`update audit_entries set ${assignments} where seq = @seq`).run({ ...values, seq });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'erpbridge-audit-'));
  path = join(dir, 'audit.sqlite');
});

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('AuditLog.record', () => {
  it('appends entries with the default actor, or the one given', async () => {
    const audit = new AuditLog(await openStore());
    const started = await audit.record('run.started', 'run-1', { workflow: 'po-urgency' });
    const approved = await audit.record('change.approved', 'run-1', { changeIds: ['chg-1'] }, 'anna');
    expect(started).toMatchObject({
      seq: 1,
      type: 'run.started',
      actor: 'erpbridge',
      prevHash: GENESIS_HASH,
    });
    expect(approved).toMatchObject({ seq: 2, actor: 'anna', prevHash: started.hash });
  });

  it('recordMany appends a batch in order, in one store call', async () => {
    const store = await openStore();
    const append = vi.spyOn(store, 'appendAudit');
    const audit = new AuditLog(store, 'engine-7', () => '2024-05-01T08:00:00.000Z');
    const entries = await audit.recordMany(events(5));
    expect(append).toHaveBeenCalledTimes(1);
    expect(entries.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries.map((entry) => entry.actor)).toEqual([
      'engine-7',
      'engine-7',
      'anna',
      'engine-7',
      'engine-7',
    ]);
    expect(await store.readAudit()).toEqual(entries);
    expect(await audit.recordMany([])).toEqual([]);
    expect(append).toHaveBeenCalledTimes(1);
  });

  it('refuses a payload that is not JSON, writing nothing', async () => {
    const store = await openStore();
    const audit = new AuditLog(store);
    await audit.record('run.started', 'run-1', {});
    const error: unknown = await audit
      .recordMany([
        { type: 'extract.batch', runId: 'run-1', payload: { count: 1 } },
        { type: 'ai.decisions', runId: 'run-1', payload: { decisions: [{ confidence: Number.NaN }] } },
      ])
      .catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({
      kind: 'validation',
      message: expect.stringContaining('$.payload.decisions[0].confidence is NaN'),
    });
    expect(await store.readAudit()).toHaveLength(1);
  });

  it('refuses an empty actor', async () => {
    const store = await openStore();
    expect(() => new AuditLog(store, ' ')).toThrow('an audit entry needs an actor');
    await expect(new AuditLog(store).record('run.started', null, {}, '')).rejects.toThrow(ErpError);
  });

  it('keeps one chain when records race', async () => {
    const audit = new AuditLog(await openStore());
    await Promise.all(Array.from({ length: 50 }, (_, index) => audit.recordMany(events(3, index * 3))));
    expect(await audit.verify()).toMatchObject({ ok: true, entries: 150 });
  });
});

describe('AuditLog.verify', () => {
  it('accepts an empty log', async () => {
    expect(await verifyFresh()).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
  });

  it('accepts an intact log of 10,000 entries, reading it in pages', async () => {
    const store = await openStore();
    const audit = new AuditLog(store);
    let last: AuditEntry | undefined;
    for (let batch = 0; batch < 20; batch++) last = (await audit.recordMany(events(500, batch * 500))).at(-1);
    const read = vi.spyOn(store, 'readAudit');
    expect(await audit.verify()).toEqual({ ok: true, entries: 10_000, head: last?.hash });
    expect(read.mock.calls.length).toBe(11);
    expect(read.mock.calls.every(([options]) => options?.limit === 1000)).toBe(true);
  });

  it('rejects a page size that is not a positive integer', async () => {
    await expect(verifyFresh({ pageSize: 0 })).rejects.toThrow('pageSize must be a positive integer');
  });

  describe('finds tampering with entry k', () => {
    const k = 17;

    beforeEach(async () => {
      const audit = new AuditLog(await openStore());
      // Pages of 7 put k and k+1 in different pages: the checks must carry across page ends.
      for (let batch = 0; batch < 5; batch++) await audit.recordMany(events(10, batch * 10));
      expect(await audit.verify({ pageSize: 7 })).toMatchObject({ ok: true, entries: 50 });
    });

    it('an edited payload: edited at k', async () => {
      tamper((db) => {
        db.prepare("update audit_entries set payload = json_set(payload, '$.count', 9999) where seq = ?").run(
          k,
        );
      });
      const result = await verifyFresh({ pageSize: 7 });
      expect(result).toMatchObject({ ok: false, entries: k - 1, firstBad: { seq: k, reason: 'edited' } });
      expect(result.ok ? '' : result.firstBad.detail).toContain(
        `entry ${k} was changed after it was written`,
      );
    });

    it('an edited actor: edited at k', async () => {
      tamper((db) => {
        db.prepare("update audit_entries set actor = 'someone-else' where seq = ?").run(k);
      });
      expect(await verifyFresh()).toMatchObject({ ok: false, firstBad: { seq: k, reason: 'edited' } });
    });

    it('a payload that is no longer JSON: edited at k, the entries before it verified', async () => {
      tamper((db) => {
        db.prepare("update audit_entries set payload = '{broken' where seq = ?").run(k);
      });
      const result = await verifyFresh({ pageSize: 7 });
      expect(result).toMatchObject({ ok: false, entries: k - 1, firstBad: { seq: k, reason: 'edited' } });
      expect(result.ok ? '' : result.firstBad.detail).toContain('not valid JSON');
    });

    it('a deleted entry: missing at k', async () => {
      tamper((db) => {
        db.prepare('delete from audit_entries where seq = ?').run(k);
      });
      const result = await verifyFresh({ pageSize: 7 });
      expect(result).toMatchObject({ ok: false, entries: k - 1, firstBad: { seq: k, reason: 'missing' } });
      expect(result.ok ? '' : result.firstBad.detail).toBe(
        `entry ${k} is missing: the log continues at entry ${k + 1} (deleted)`,
      );
    });

    it('several deleted entries: missing at the first of them', async () => {
      tamper((db) => {
        db.prepare('delete from audit_entries where seq between ? and ?').run(k, k + 2);
      });
      const result = await verifyFresh();
      expect(result).toMatchObject({ ok: false, firstBad: { seq: k, reason: 'missing' } });
      expect(result.ok ? '' : result.firstBad.detail).toContain(`entries ${k}–${k + 2} are missing`);
    });

    it('a deleted first entry: missing at 1', async () => {
      tamper((db) => {
        db.prepare('delete from audit_entries where seq = 1').run();
      });
      expect(await verifyFresh()).toMatchObject({
        ok: false,
        entries: 0,
        firstBad: { seq: 1, reason: 'missing' },
      });
    });

    it('k and k+1 swapped, contents moved and seq numbers kept: reordered at k', async () => {
      tamper((db) => {
        const first = row(db, k);
        const second = row(db, k + 1);
        writeContent(db, k, second);
        writeContent(db, k + 1, first);
      });
      expect(await verifyFresh({ pageSize: 7 })).toMatchObject({
        ok: false,
        entries: k - 1,
        firstBad: { seq: k, reason: 'reordered' },
      });
    });

    it('k and k+1 swapped by their seq numbers: reordered at k', async () => {
      tamper((db) => {
        db.prepare('update audit_entries set seq = -1 where seq = ?').run(k);
        db.prepare('update audit_entries set seq = ? where seq = ?').run(k, k + 1);
        db.prepare('update audit_entries set seq = ? where seq = -1').run(k + 1);
      });
      expect(await verifyFresh()).toMatchObject({
        ok: false,
        entries: k - 1,
        firstBad: { seq: k, reason: 'reordered' },
      });
    });

    it('k and k+1 with only their payloads swapped: edited at k', async () => {
      tamper((db) => {
        const first = row(db, k);
        const second = row(db, k + 1);
        writeContent(db, k, second, ['payload', 'type']);
        writeContent(db, k + 1, first, ['payload', 'type']);
      });
      expect(await verifyFresh()).toMatchObject({
        ok: false,
        entries: k - 1,
        firstBad: { seq: k, reason: 'edited' },
      });
    });

    it('the first two entries swapped: reordered at 1', async () => {
      tamper((db) => {
        const first = row(db, 1);
        writeContent(db, 1, row(db, 2));
        writeContent(db, 2, first);
      });
      expect(await verifyFresh()).toMatchObject({
        ok: false,
        entries: 0,
        firstBad: { seq: 1, reason: 'reordered' },
      });
    });

    it('deleted newest entries pass alone, and fail against an anchor', async () => {
      const intact = await verifyFresh();
      if (!intact.ok) throw new Error('the log should be intact before tampering');
      tamper((db) => {
        db.prepare('delete from audit_entries where seq >= 48').run();
      });
      expect(await verifyFresh()).toMatchObject({ ok: true, entries: 47 });
      const result = await verifyFresh({ anchor: { seq: 50, hash: intact.head } });
      expect(result).toMatchObject({ ok: false, entries: 47, firstBad: { seq: 48, reason: 'missing' } });
      expect(result.ok ? '' : result.firstBad.detail).toContain('the anchor records entry 50');
    });

    it('a log rebuilt with recomputed hashes passes alone, and fails against an anchor', async () => {
      const intact = await verifyFresh();
      if (!intact.ok) throw new Error('the log should be intact before tampering');
      const store = await openStore();
      const original = await store.readAudit();
      const kept = original.slice(0, k - 1);
      const forged = chain(
        kept.at(-1) ?? null,
        original.slice(k - 1).map((entry, index) => ({
          type: 'extract.batch',
          runId: entry.runId,
          actor: entry.actor,
          payload: index === 0 ? { count: 1 } : entry.payload,
        })),
        () => '2024-05-01T08:00:00.000Z',
      );
      tamper((db) => {
        for (const entry of forged) {
          writeContent(db, entry.seq, {
            format_version: 1,
            at: entry.at,
            type: entry.type,
            run_id: entry.runId,
            actor: entry.actor,
            payload: JSON.stringify(entry.payload),
            prev_hash: entry.prevHash,
            hash: entry.hash,
          });
        }
      });
      expect(await verifyFresh()).toMatchObject({ ok: true, entries: 50 });
      expect(await verifyFresh({ anchor: { seq: 50, hash: intact.head } })).toMatchObject({
        ok: false,
        entries: 49,
        firstBad: { seq: 50, reason: 'rewritten' },
      });
    });
  });
});
