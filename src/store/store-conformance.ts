import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Change } from '../engine/change.ts';
import { emptyStats, type Item, type Run } from '../engine/run.ts';
import { ErpError, type ErrorKind } from '../errors/index.ts';
import type { AuditEntry, DeadLetter, LabeledEdit, OutboxJob, Store, StoredModel } from './contract.ts';

/** What a store implementation hands the suite: a fresh, empty store and how to dispose of it. */
export interface StoreUnderTest {
  store: Store;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every Store must show, as one vitest suite. An implementation's test file calls
 * it with a factory for a fresh, empty store (the suite runs `migrate()` itself):
 *
 * @example
 * describeStoreConformance('sqlite', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'store-'));
 *   const store = createSqliteStore({ path: join(dir, 'store.sqlite') });
 *   return { store, cleanup: async () => { await store.close(); await rm(dir, { recursive: true }); } };
 * });
 */
export function describeStoreConformance(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      const made = await makeStore();
      store = made.store;
      cleanup = made.cleanup;
      await store.migrate();
    });

    afterEach(async () => {
      await cleanup();
    });

    describe('migrate', () => {
      it('is safe to call again on a migrated store', async () => {
        await store.migrate();
        await store.createRun(makeRun({ id: 'run-1' }));
        await store.migrate();
        expect(await store.getRun('run-1')).toBeDefined();
      });
    });

    describe('runs', () => {
      it('round-trips a run with its params and stats', async () => {
        const run = makeRun({
          id: 'run-1',
          dryRun: true,
          params: { asOf: '2024-05-01', thresholds: { urgent: 0.8 }, plants: ['1000', '2000'] },
          stats: { ...emptyStats(), read: 12, labels: { urgent: 3 }, changes: { pending: 2 }, extractMs: 41 },
          error: null,
        });
        await store.createRun(run);
        expect(await store.getRun('run-1')).toEqual(run);
        expect(await store.getRun('run-unknown')).toBeUndefined();
      });

      it('refuses a second run with the same id', async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
        await expectErpError(store.createRun(makeRun({ id: 'run-1' })), 'conflict', 'run-1');
      });

      it('lists runs newest first, by workflow and with a limit', async () => {
        await store.createRun(makeRun({ id: 'run-a', workflow: 'po-urgency', createdAt: at(1) }));
        await store.createRun(makeRun({ id: 'run-c', workflow: 'invoice-match', createdAt: at(3) }));
        await store.createRun(makeRun({ id: 'run-b', workflow: 'po-urgency', createdAt: at(2) }));
        expect(ids(await store.listRuns())).toEqual(['run-c', 'run-b', 'run-a']);
        expect(ids(await store.listRuns({ limit: 2 }))).toEqual(['run-c', 'run-b']);
        expect(ids(await store.listRuns({ workflow: 'po-urgency' }))).toEqual(['run-b', 'run-a']);
        expect(await store.listRuns({ workflow: 'replenishment' })).toEqual([]);
      });

      it('breaks ties of createdAt by id, byte-wise, newest first', async () => {
        for (const id of ['run-a', 'run-B', 'run_a', 'run-10', 'run-9']) {
          await store.createRun(makeRun({ id, createdAt: at(1) }));
        }
        expect(ids(await store.listRuns())).toEqual(['run_a', 'run-a', 'run-B', 'run-9', 'run-10']);
      });

      it('rejects a limit that is not a positive integer', async () => {
        await expectErpError(store.listRuns({ limit: 0 }), 'validation', 'limit');
        await expectErpError(store.listItems('run-1', { offset: -1 }), 'validation', 'offset');
      });

      it('patches only the given fields and moves updatedAt', async () => {
        const run = makeRun({ id: 'run-1', updatedAt: at(0) });
        await store.createRun(run);
        await store.updateRun('run-1', { state: 'planned' });
        const planned = await store.getRun('run-1');
        expect(planned).toMatchObject({ state: 'planned', stats: run.stats, error: null });
        expect(planned?.updatedAt).not.toBe(at(0));

        const stats = { ...emptyStats(), read: 500, changes: { approved: 4 } };
        await store.updateRun('run-1', { stats, error: 'ERP unreachable' });
        expect(await store.getRun('run-1')).toMatchObject({
          state: 'planned',
          stats,
          error: 'ERP unreachable',
        });

        await store.updateRun('run-1', { state: 'completed', error: null });
        expect(await store.getRun('run-1')).toMatchObject({ state: 'completed', stats, error: null });
      });

      it('refuses to update a run that does not exist', async () => {
        await expectErpError(
          store.updateRun('run-missing', { state: 'failed' }),
          'validation',
          'run-missing',
        );
      });
    });

    describe('items', () => {
      beforeEach(async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
        await store.createRun(makeRun({ id: 'run-2' }));
      });

      it('saves a batch and lists its items by record id, filtered and paged', async () => {
        const items = [
          makeItem('run-1', 'PO-0003', { state: 'unchanged', label: 'normal', confidence: 0.61 }),
          makeItem('run-1', 'PO-0001', { label: 'urgent', confidence: 0.93 }),
          makeItem('run-1', 'PO-0002', { state: 'failed', label: null, confidence: null, error: 'bad date' }),
          makeItem('run-1', 'PO-0004'),
        ];
        await store.saveBatch(items, []);
        const listed = await store.listItems('run-1');
        expect(listed.map((item) => item.recordId)).toEqual(['PO-0001', 'PO-0002', 'PO-0003', 'PO-0004']);
        expect(listed[1]).toEqual(items[2]);
        expect(listed[0]).toEqual(items[1]);
        expect(recordIds(await store.listItems('run-1', { state: 'planned' }))).toEqual([
          'PO-0001',
          'PO-0004',
        ]);
        expect(recordIds(await store.listItems('run-1', { limit: 2, offset: 1 }))).toEqual([
          'PO-0002',
          'PO-0003',
        ]);
        expect(recordIds(await store.listItems('run-1', { offset: 3 }))).toEqual(['PO-0004']);
        expect(await store.listItems('run-2')).toEqual([]);
      });

      it('replaces an item saved again under the same run and record id', async () => {
        await store.saveBatch([makeItem('run-1', 'PO-0001', { state: 'failed', error: 'timeout' })], []);
        await store.saveBatch([makeItem('run-1', 'PO-0001', { state: 'planned', label: 'urgent' })], []);
        await store.saveBatch([makeItem('run-2', 'PO-0001', { state: 'unchanged' })], []);
        expect(await store.listItems('run-1')).toEqual([
          makeItem('run-1', 'PO-0001', { state: 'planned', label: 'urgent' }),
        ]);
        expect(await store.countItems('run-2')).toEqual({ unchanged: 1 });
      });

      it('counts items per state, leaving out states with none', async () => {
        expect(await store.countItems('run-1')).toEqual({});
        await store.saveBatch(
          [
            makeItem('run-1', 'PO-0001'),
            makeItem('run-1', 'PO-0002'),
            makeItem('run-1', 'PO-0003', { state: 'failed', error: 'x' }),
            makeItem('run-2', 'PO-0004', { state: 'unchanged' }),
          ],
          [],
        );
        expect(await store.countItems('run-1')).toEqual({ planned: 2, failed: 1 });
      });

      it('tells which record ids a run already has, across large id lists', async () => {
        const items = range(1500).map((n) => makeItem('run-1', recordId(n)));
        await store.saveBatch(items, []);
        await store.saveBatch([makeItem('run-2', 'PO-900000')], []);
        const asked = [...range(12_000).map((n) => recordId(n + 1000)), 'PO-900000'];
        const known = await store.knownRecordIds('run-1', asked);
        expect(known.size).toBe(500);
        expect(known.has(recordId(1000))).toBe(true);
        expect(known.has(recordId(1499))).toBe(true);
        expect(known.has('PO-900000')).toBe(false);
        expect(await store.knownRecordIds('run-1', [])).toEqual(new Set());
      });

      it('orders ids byte-wise, whatever the database locale', async () => {
        // A locale collation (en_US) would ignore case and punctuation: B before a, - and _ equal.
        const recordIds = ['PO-b', 'PO_a', 'PO-B', 'po-a', 'PO-10', 'PO-9', 'PO-Ä', 'PO-A', 'PO a'];
        const byteOrder = [...recordIds].sort();
        await store.saveBatch(
          recordIds.map((id) => makeItem('run-1', id)),
          recordIds.map((id) => makeChange('run-1', `chg-${id}`)),
        );
        expect((await store.listItems('run-1')).map((item) => item.recordId)).toEqual(byteOrder);
        expect((await store.listChanges('run-1')).map((change) => change.id)).toEqual(
          byteOrder.map((id) => `chg-${id}`),
        );
        const page = await store.listChanges('run-1', { afterId: 'chg-PO-B', limit: 3 });
        expect(page.map((change) => change.id)).toEqual(
          byteOrder
            .filter((id) => `chg-${id}` > 'chg-PO-B')
            .slice(0, 3)
            .map((id) => `chg-${id}`),
        );
      });

      it('saves an item listed twice in one batch once, as its last copy', async () => {
        await store.saveBatch(
          [
            makeItem('run-1', 'PO-0001', { state: 'failed', error: 'first' }),
            makeItem('run-1', 'PO-0002'),
            makeItem('run-1', 'PO-0001', { state: 'planned', label: 'high' }),
          ],
          [],
        );
        expect(await store.listItems('run-1')).toEqual([
          makeItem('run-1', 'PO-0001', { state: 'planned', label: 'high' }),
          makeItem('run-1', 'PO-0002'),
        ]);
      });

      it('refuses items of a run that does not exist', async () => {
        await expectErpError(store.saveBatch([makeItem('run-missing', 'PO-0001')], []), 'validation');
      });
    });

    describe('saveBatch', () => {
      beforeEach(async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
      });

      it('saving the same batch twice stores it once', async () => {
        const items = range(3).map((n) => makeItem('run-1', recordId(n)));
        const changes = range(2).map((n) => makeChange('run-1', changeId(n), { recordId: recordId(n) }));
        await store.saveBatch(items, changes);
        await store.saveBatch(items, changes);
        expect(await store.countItems('run-1')).toEqual({ planned: 3 });
        expect(await store.countChanges('run-1')).toEqual({ pending: 2 });
        expect(await store.listChanges('run-1')).toEqual(changes);
      });

      it('leaves an existing change as it is', async () => {
        const original = makeChange('run-1', 'chg-1');
        await store.saveBatch([], [original]);
        await store.updateChanges([{ id: 'chg-1', state: 'approved', decidedBy: 'anna' }]);
        const approved = await store.getChange('chg-1');
        await store.saveBatch([], [{ ...original, reason: 'rewritten', state: 'pending' }]);
        expect(await store.getChange('chg-1')).toEqual(approved);
        expect(approved).toMatchObject({ state: 'approved', decidedBy: 'anna', reason: original.reason });
      });

      it('persists all of a batch or none of it', async () => {
        await store.saveBatch([], [makeChange('run-1', 'chg-1', { idempotencyKey: 'key-1' })]);
        const items = range(600).map((n) => makeItem('run-1', recordId(n)));
        const clash = makeChange('run-1', 'chg-2', { idempotencyKey: 'key-1' });
        await expectErpError(store.saveBatch(items, [makeChange('run-1', 'chg-3'), clash]), 'conflict');
        expect(await store.countItems('run-1')).toEqual({});
        expect(await store.getChange('chg-3')).toBeUndefined();
        expect(await store.countChanges('run-1')).toEqual({ pending: 1 });
      });

      it('stores batches larger than one statement can hold', async () => {
        const items = range(2345).map((n) => makeItem('run-1', recordId(n), { confidence: n / 2345 }));
        const changes = range(1234).map((n) => makeChange('run-1', changeId(n)));
        await store.saveBatch(items, changes);
        expect(await store.countItems('run-1')).toEqual({ planned: 2345 });
        expect(await store.countChanges('run-1')).toEqual({ pending: 1234 });
        expect(await store.listItems('run-1', { offset: 2344 })).toEqual([items[2344]]);
      });
    });

    describe('changes', () => {
      beforeEach(async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
        await store.createRun(makeRun({ id: 'run-2' }));
      });

      it('round-trips a change with nested before/after values', async () => {
        const change = makeChange('run-1', 'chg-1', {
          before: { priority: 'normal', dates: { due: '2024-05-20' }, lines: [1, 2] },
          after: { priority: 'urgent', note: null },
          version: 'W/"17"',
          revertOf: 'chg-0',
          decidedBy: 'auto',
          error: null,
        });
        await store.insertChanges([change]);
        expect(await store.getChange('chg-1')).toEqual(change);
        expect(await store.getChange('chg-missing')).toBeUndefined();
      });

      it('lists a run’s changes in id order, by state, paged with afterId', async () => {
        const changes = range(25).map((n) =>
          makeChange('run-1', changeId(24 - n), { state: n % 3 === 0 ? 'approved' : 'pending' }),
        );
        await store.saveBatch([], changes);
        await store.saveBatch([], [makeChange('run-2', 'chg-other')]);
        const all = await store.listChanges('run-1');
        expect(all.map((change) => change.id)).toEqual(range(25).map(changeId));

        const pages: string[][] = [];
        let afterId: string | undefined;
        for (;;) {
          const page = await store.listChanges('run-1', { limit: 10, ...(afterId ? { afterId } : {}) });
          if (page.length === 0) break;
          pages.push(page.map((change) => change.id));
          afterId = page.at(-1)?.id;
        }
        expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
        expect(pages.flat()).toEqual(range(25).map(changeId));

        const approved = await store.listChanges('run-1', { states: ['approved'] });
        expect(approved.every((change) => change.state === 'approved')).toBe(true);
        expect(approved).toHaveLength(9);
        const either = await store.listChanges('run-1', { states: ['approved', 'pending'] });
        expect(either).toHaveLength(25);
        expect(await store.listChanges('run-1', { states: [] })).toEqual([]);
      });

      it('orders by confidence, highest first, ties by id, and pages with afterId', async () => {
        const confidences = [0.5, 0.9, 0.7, 0.9, 0.1, 0.7, 0.7];
        await store.saveBatch(
          [],
          confidences.map((confidence, n) => makeChange('run-1', changeId(n), { confidence })),
        );
        const expected = ['chg-0001', 'chg-0003', 'chg-0002', 'chg-0005', 'chg-0006', 'chg-0000', 'chg-0004'];
        const sorted = await store.listChanges('run-1', { orderBy: 'confidence' });
        expect(sorted.map((change) => change.id)).toEqual(expected);
        const paged: string[] = [];
        let afterId: string | undefined;
        for (;;) {
          const page = await store.listChanges('run-1', {
            orderBy: 'confidence',
            limit: 3,
            ...(afterId ? { afterId } : {}),
          });
          if (page.length === 0) break;
          paged.push(...page.map((change) => change.id));
          afterId = page.at(-1)?.id;
        }
        expect(paged).toEqual(expected);
        await expectErpError(
          store.listChanges('run-1', { orderBy: 'confidence', afterId: 'chg-missing' }),
          'validation',
          'chg-missing',
        );
      });

      it('counts changes per state', async () => {
        expect(await store.countChanges('run-1')).toEqual({});
        await store.saveBatch(
          [],
          [
            makeChange('run-1', 'chg-1'),
            makeChange('run-1', 'chg-2', { state: 'applied' }),
            makeChange('run-1', 'chg-3', { state: 'applied' }),
            makeChange('run-2', 'chg-4', { state: 'conflict' }),
          ],
        );
        expect(await store.countChanges('run-1')).toEqual({ pending: 1, applied: 2 });
      });

      it('updates states, errors and deciders; undefined keeps a field, null clears it', async () => {
        await store.saveBatch([], [makeChange('run-1', 'chg-1'), makeChange('run-1', 'chg-2')]);
        const before = await store.getChange('chg-1');
        await store.updateChanges([
          { id: 'chg-1', state: 'approved', decidedBy: 'anna' },
          { id: 'chg-2', state: 'rejected', decidedBy: 'ben' },
        ]);
        await store.updateChanges([{ id: 'chg-1', state: 'failed', error: 'HTTP 500 from ERP' }]);
        expect(await store.getChange('chg-1')).toMatchObject({
          state: 'failed',
          decidedBy: 'anna',
          error: 'HTTP 500 from ERP',
        });
        await store.updateChanges([{ id: 'chg-1', state: 'approved', error: null, decidedBy: null }]);
        const after = await store.getChange('chg-1');
        expect(after).toMatchObject({ state: 'approved', decidedBy: null, error: null });
        expect(after?.updatedAt).not.toBe(before?.updatedAt);
        expect(after?.createdAt).toBe(before?.createdAt);
        expect(await store.getChange('chg-2')).toMatchObject({ state: 'rejected', decidedBy: 'ben' });
      });

      it('updates all of a list or none of it', async () => {
        await store.saveBatch([], [makeChange('run-1', 'chg-1')]);
        await expectErpError(
          store.updateChanges([
            { id: 'chg-1', state: 'approved' },
            { id: 'chg-missing', state: 'approved' },
          ]),
          'validation',
          'chg-missing',
        );
        expect(await store.getChange('chg-1')).toMatchObject({ state: 'pending' });
      });

      it('applies updates of one change listed twice in order', async () => {
        await store.saveBatch([], [makeChange('run-1', 'chg-1'), makeChange('run-1', 'chg-2')]);
        await store.updateChanges([
          { id: 'chg-1', state: 'approved', decidedBy: 'anna' },
          { id: 'chg-2', state: 'rejected' },
          { id: 'chg-1', state: 'applied', error: 'noted' },
        ]);
        expect(await store.getChange('chg-1')).toMatchObject({
          state: 'applied',
          decidedBy: 'anna',
          error: 'noted',
        });
        expect(await store.getChange('chg-2')).toMatchObject({ state: 'rejected' });
      });

      it('insertChanges leaves an existing change as it is', async () => {
        const change = makeChange('run-1', 'chg-1');
        await store.insertChanges([change]);
        await store.insertChanges([{ ...change, state: 'applied' }, makeChange('run-1', 'chg-2')]);
        expect(await store.getChange('chg-1')).toEqual(change);
        expect(await store.countChanges('run-1')).toEqual({ pending: 2 });
      });
    });

    describe('idempotency ledger', () => {
      it('a first claim returns nothing and leaves the keys in flight', async () => {
        const previous = await store.claimIdempotencyKeys([
          { key: 'key-1', changeId: 'chg-1' },
          { key: 'key-2', changeId: 'chg-2' },
        ]);
        expect(previous.size).toBe(0);
        const entries = await store.getLedgerEntries(['key-1', 'key-2', 'key-3']);
        expect([...entries.keys()].sort()).toEqual(['key-1', 'key-2']);
        expect(entries.get('key-1')).toMatchObject({ key: 'key-1', changeId: 'chg-1', state: 'in_flight' });
        expect(Number.isNaN(Date.parse(entries.get('key-1')?.updatedAt ?? ''))).toBe(false);
      });

      it('a second claim returns the entries as they were and changes nothing', async () => {
        await store.claimIdempotencyKeys([{ key: 'key-1', changeId: 'chg-1' }]);
        const first = await store.getLedgerEntries(['key-1']);
        const previous = await store.claimIdempotencyKeys([
          { key: 'key-1', changeId: 'chg-other' },
          { key: 'key-2', changeId: 'chg-2' },
        ]);
        expect([...previous.keys()]).toEqual(['key-1']);
        expect(previous.get('key-1')).toEqual(first.get('key-1'));
        expect(await store.getLedgerEntries(['key-1'])).toEqual(first);
      });

      it('complete marks keys done, and a later claim reports them done', async () => {
        await store.claimIdempotencyKeys([
          { key: 'key-1', changeId: 'chg-1' },
          { key: 'key-2', changeId: 'chg-2' },
        ]);
        await store.completeIdempotencyKeys(['key-1']);
        const previous = await store.claimIdempotencyKeys([{ key: 'key-1', changeId: 'chg-1' }]);
        expect(previous.get('key-1')).toMatchObject({ changeId: 'chg-1', state: 'done' });
        const entries = await store.getLedgerEntries(['key-1', 'key-2']);
        expect(entries.get('key-1')?.state).toBe('done');
        expect(entries.get('key-2')?.state).toBe('in_flight');
      });

      it('concurrent claims of one key: exactly one finds it new', async () => {
        const claims = await Promise.all(
          range(8).map((n) => store.claimIdempotencyKeys([{ key: 'key-1', changeId: `chg-${n}` }])),
        );
        expect(claims.filter((previous) => !previous.has('key-1'))).toHaveLength(1);
        const winner = (await store.getLedgerEntries(['key-1'])).get('key-1');
        for (const previous of claims) {
          if (previous.has('key-1')) expect(previous.get('key-1')).toEqual(winner);
        }
      });

      it('a key listed twice in one claim is claimed once, by its first change', async () => {
        const previous = await store.claimIdempotencyKeys([
          { key: 'key-1', changeId: 'chg-1' },
          { key: 'key-1', changeId: 'chg-2' },
        ]);
        expect(previous.size).toBe(0);
        expect((await store.getLedgerEntries(['key-1'])).get('key-1')?.changeId).toBe('chg-1');
      });

      it('refuses to complete a key that was never claimed, completing none', async () => {
        await store.claimIdempotencyKeys([{ key: 'key-1', changeId: 'chg-1' }]);
        await expectErpError(
          store.completeIdempotencyKeys(['key-1', 'key-never']),
          'validation',
          'key-never',
        );
        expect((await store.getLedgerEntries(['key-1'])).get('key-1')?.state).toBe('in_flight');
      });
    });

    describe('audit', () => {
      it('appends after the tail and reads back in sequence order', async () => {
        const tails: (AuditEntry | null)[] = [];
        const first = await store.appendAudit((tail) => {
          tails.push(tail);
          return linkedEntries(tail, 3);
        });
        const second = await store.appendAudit((tail) => {
          tails.push(tail);
          return linkedEntries(tail, 2);
        });
        expect(tails[0]).toBeNull();
        expect(tails[1]).toEqual(first[2]);
        expect(second.map((entry) => entry.seq)).toEqual([4, 5]);
        expect(await store.readAudit()).toEqual([...first, ...second]);
        expect((await store.readAudit({ fromSeq: 2, limit: 2 })).map((entry) => entry.seq)).toEqual([2, 3]);
        expect(await store.readAudit({ fromSeq: 6 })).toEqual([]);
      });

      it('round-trips payloads and null run ids exactly', async () => {
        const payload = {
          items: [{ id: 'PO-1', label: 'urgent', confidence: 0.8731 }],
          model: 'po-urgency@3',
          nested: { empty: {}, list: [], flag: false, zero: 0, text: 'Müller & Söhne' },
        };
        const [entry] = await store.appendAudit((tail) => linkedEntries(tail, 1, { payload, runId: null }));
        expect(await store.readAudit()).toEqual([entry]);
        expect((await store.readAudit())[0]?.payload).toEqual(payload);
      });

      it('appends nothing when the builder returns nothing or throws', async () => {
        await store.appendAudit((tail) => linkedEntries(tail, 2));
        expect(await store.appendAudit(() => [])).toEqual([]);
        await expect(
          store.appendAudit(() => {
            throw new Error('payload is not serialisable');
          }),
        ).rejects.toThrow('payload is not serialisable');
        expect(await store.readAudit()).toHaveLength(2);
      });

      it('refuses entries that do not continue the chain', async () => {
        await store.appendAudit((tail) => linkedEntries(tail, 2));
        const [gap] = linkedEntries(null, 1).map((entry) => ({ ...entry, seq: 4 }));
        await expectErpError(
          store.appendAudit(() => (gap ? [gap] : [])),
          'validation',
          'seq 4',
        );
        await expectErpError(
          store.appendAudit((tail) =>
            linkedEntries(tail, 2).map((entry) => ({ ...entry, prevHash: 'forked' })),
          ),
          'validation',
          'prevHash',
        );
        expect(await store.readAudit()).toHaveLength(2);
      });

      it('concurrent appends on one store never fork the chain', async () => {
        await Promise.all(range(20).map(() => store.appendAudit((tail) => linkedEntries(tail, 5))));
        const entries = await store.readAudit();
        expect(entries.map((entry) => entry.seq)).toEqual(range(100).map((n) => n + 1));
        for (const [index, entry] of entries.entries()) {
          if (index > 0) expect(entry.prevHash).toBe(entries[index - 1]?.hash);
        }
      });
    });

    describe('dead letters', () => {
      const letter = (overrides: Partial<DeadLetter> = {}): DeadLetter => ({
        id: 'run-1:apply:45000001',
        runId: 'run-1',
        recordId: '45000001',
        vendorKey: '0045000001',
        stage: 'apply',
        errorKind: 'transient',
        message: 'transient: 503 after 5 attempts',
        attempts: 5,
        lastExchange: 'PATCH /api/purchase_orders/0045000001 → 503',
        createdAt: at(1),
        replayedBy: null,
        ...overrides,
      });

      it('round-trips, lists by run in id order, and hides replayed ones unless asked', async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
        await store.createRun(makeRun({ id: 'run-2' }));
        const second = letter({
          id: 'run-1:map:0045000009',
          recordId: '0045000009',
          stage: 'map',
          errorKind: 'validation',
        });
        await store.addDeadLetters([
          letter(),
          second,
          letter({ id: 'run-2:apply:1', runId: 'run-2', recordId: '1' }),
        ]);
        expect(await store.listDeadLetters({ runId: 'run-1' })).toEqual([letter(), second]);
        expect(await store.listDeadLetters({ runId: 'run-1', afterId: letter().id })).toEqual([second]);
        expect(await store.listDeadLetters({ limit: 1 })).toEqual([letter()]);
        expect(await store.listDeadLetters()).toHaveLength(3);

        await store.markDeadLettersReplayed([letter().id], 'run-2');
        expect(await store.listDeadLetters({ runId: 'run-1' })).toEqual([second]);
        expect(await store.listDeadLetters({ runId: 'run-1', includeReplayed: true })).toEqual([
          letter({ replayedBy: 'run-2' }),
          second,
        ]);
      });

      it('a newer failure of the same record and stage replaces the old one and is live again', async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
        await store.addDeadLetters([letter()]);
        await store.markDeadLettersReplayed([letter().id], 'run-1');
        await store.addDeadLetters([letter({ attempts: 2, message: 'again' })]);
        expect(await store.listDeadLetters()).toEqual([letter({ attempts: 2, message: 'again' })]);
      });

      it('a dead letter listed twice in one call is kept as its last copy', async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
        await store.addDeadLetters([letter({ attempts: 1 }), letter({ attempts: 3, message: 'last' })]);
        expect(await store.listDeadLetters()).toEqual([letter({ attempts: 3, message: 'last' })]);
      });

      it('refuses to mark an unknown dead letter and marks none', async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
        await store.addDeadLetters([letter()]);
        await expect(store.markDeadLettersReplayed([letter().id, 'nope'], 'run-1')).rejects.toThrow(
          /no dead letter nope/,
        );
        expect(await store.listDeadLetters()).toEqual([letter()]);
      });
    });

    describe('models', () => {
      it('round-trips a model and returns the newest by createdAt', async () => {
        const older = makeModel({ version: '2', createdAt: at(1) });
        const newer = makeModel({
          version: '3',
          createdAt: at(5),
          metrics: { accuracy: 0.93, f1: { urgent: 0.9 } },
        });
        const oldest = makeModel({ version: '1', createdAt: at(0) });
        await store.saveModel(older);
        await store.saveModel(newer);
        await store.saveModel(oldest);
        await store.saveModel(makeModel({ name: 'invoice-anomaly', version: '9', createdAt: at(9) }));
        expect(await store.loadModel('po-urgency')).toEqual(newer);
        expect(await store.loadModel('unknown-model')).toBeUndefined();
      });

      it('saving the same name and version again replaces it', async () => {
        await store.saveModel(makeModel({ version: '1', body: 'first' }));
        await store.saveModel(makeModel({ version: '1', body: 'second' }));
        expect(await store.loadModel('po-urgency')).toMatchObject({ version: '1', body: 'second' });
      });
    });

    describe('service: lineage, approvals, outcomes, counts', () => {
      it("keeps an item's lineage for getItem and leaves it out of lists", async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
        const record = { id: 'PO-1', totalAmount: 12.5, lines: [{ lineNumber: 1 }] };
        const aiInput = { order: record, asOf: '2024-05-01' };
        await store.saveBatch([makeItem('run-1', 'PO-1', { record, aiInput })], []);
        expect(await store.getItem('run-1', 'PO-1')).toMatchObject({ recordId: 'PO-1', record, aiInput });
        expect(await store.getItem('run-1', 'PO-2')).toBeUndefined();
        const [listed] = await store.listItems('run-1');
        expect(listed).toEqual(makeItem('run-1', 'PO-1'));
      });

      it('updates after, key, approvals and outcome only when given', async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
        await store.insertChanges([makeChange('run-1', 'chg-1')]);
        const approvals = [{ by: 'anna', at: at(1), comment: 'ok' }];
        await store.updateChanges([
          {
            id: 'chg-1',
            state: 'pending',
            after: { priority: 'high' },
            idempotencyKey: 'key-edited',
            approvals,
          },
        ]);
        expect(await store.getChange('chg-1')).toMatchObject({
          after: { priority: 'high' },
          idempotencyKey: 'key-edited',
          approvals,
          outcome: null,
          requestedBy: 'anna',
          amount: 1234.5,
          currency: 'EUR',
        });
        const outcome = {
          at: at(2),
          detail: 'written and verified by read-back',
          readBack: { priority: 'high' },
        };
        await store.updateChanges([{ id: 'chg-1', state: 'applied', outcome }]);
        expect(await store.getChange('chg-1')).toMatchObject({ state: 'applied', outcome, approvals });
      });

      it('lists pending changes of every run oldest first, paged', async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
        await store.createRun(makeRun({ id: 'run-2' }));
        await store.insertChanges([
          makeChange('run-2', 'chg-a', { createdAt: at(3) }),
          makeChange('run-1', 'chg-b', { createdAt: at(1) }),
          makeChange('run-1', 'chg-c', { createdAt: at(1) }),
          makeChange('run-1', 'chg-d', { createdAt: at(0), state: 'approved' }),
        ]);
        const first = await store.listChangesByState({ limit: 2 });
        expect(first.map((change) => change.id)).toEqual(['chg-b', 'chg-c']);
        const rest = await store.listChangesByState({ limit: 2, after: 'chg-c' });
        expect(rest.map((change) => change.id)).toEqual(['chg-a']);
        expect((await store.listChangesByState({ state: 'approved' })).map((change) => change.id)).toEqual([
          'chg-d',
        ]);
        expect(await store.countChanges(undefined)).toEqual({ pending: 3, approved: 1 });
      });

      it('counts runs by workflow and state, and items over every run', async () => {
        await store.createRun(makeRun({ id: 'run-1', state: 'completed' }));
        await store.createRun(makeRun({ id: 'run-2', state: 'completed' }));
        await store.createRun(makeRun({ id: 'run-3', workflow: 'other', state: 'cancelled' }));
        await store.saveBatch(
          [makeItem('run-1', 'PO-1'), makeItem('run-2', 'PO-1', { state: 'failed' })],
          [],
        );
        const counts = await store.countRuns();
        expect(counts.sort((a, b) => a.workflow.localeCompare(b.workflow))).toEqual([
          { workflow: 'other', state: 'cancelled', count: 1 },
          { workflow: 'po-urgency', state: 'completed', count: 2 },
        ]);
        expect(await store.countItems(undefined)).toEqual({ planned: 1, failed: 1 });
        expect((await store.listRuns({ states: ['cancelled'] })).map((run) => run.id)).toEqual(['run-3']);
      });

      it('filters the audit by run and type prefix', async () => {
        const entries = [
          { type: 'run.started', runId: 'run-1' },
          { type: 'change.approved', runId: 'run-1' },
          { type: 'change.rejected', runId: 'run-2' },
          { type: 'change%x', runId: 'run-1' },
        ];
        let tail: AuditEntry | undefined;
        for (const entry of entries) {
          [tail] = await store.appendAudit((last) => [chained(last, entry.type, entry.runId)]);
        }
        expect(tail?.seq).toBe(4);
        const changes = await store.readAudit({ runId: 'run-1', typePrefix: 'change.' });
        expect(changes.map((entry) => entry.type)).toEqual(['change.approved']);
        expect((await store.readAudit({ typePrefix: 'change' })).map((entry) => entry.seq)).toEqual([
          2, 3, 4,
        ]);
      });
    });

    describe('watermarks', () => {
      it('keeps one watermark per workflow and connector, replaced when advanced', async () => {
        expect(await store.getWatermark('po-urgency', 'erp-db')).toBeUndefined();
        const first = {
          workflow: 'po-urgency',
          connector: 'erp-db',
          value: '2026-11-01T10:00:00Z',
          runId: 'run-1',
          updatedAt: at(1),
        };
        await store.setWatermark(first);
        await store.setWatermark({ ...first, connector: 'other', value: 'x' });
        expect(await store.getWatermark('po-urgency', 'erp-db')).toEqual(first);
        const second = { ...first, value: '2026-11-02T09:00:00Z', runId: 'run-2', updatedAt: at(2) };
        await store.setWatermark(second);
        expect(await store.getWatermark('po-urgency', 'erp-db')).toEqual(second);
        expect(await store.getWatermark('po-urgency', 'other')).toMatchObject({ value: 'x' });
      });
    });

    describe('access: tokens, users, sessions, webhook deliveries', () => {
      const token = {
        id: 'tok-1',
        name: 'anna',
        role: 'approver' as const,
        tokenHash: 'a'.repeat(64),
        createdAt: at(0),
        createdBy: 'admin',
        lastUsedAt: null,
        revokedAt: null,
      };

      it('finds a live token by hash, marks it used, and forgets it once revoked', async () => {
        await store.addApiToken(token);
        expect(await store.useApiToken(token.tokenHash, at(5))).toEqual({ ...token, lastUsedAt: at(5) });
        expect(await store.useApiToken('b'.repeat(64), at(5))).toBeUndefined();
        expect(await store.revokeApiToken('tok-1', at(6))).toBe(true);
        expect(await store.revokeApiToken('tok-1', at(7))).toBe(false);
        expect(await store.useApiToken(token.tokenHash, at(8))).toBeUndefined();
        expect(await store.listApiTokens()).toEqual([{ ...token, lastUsedAt: at(5), revokedAt: at(6) }]);
      });

      it('refuses a second token with the same hash', async () => {
        await store.addApiToken(token);
        await expect(store.addApiToken({ ...token, id: 'tok-2' })).rejects.toThrow();
      });

      it('saves users, replaces role and password, and keeps sessions until they expire', async () => {
        const user = {
          name: 'anna',
          role: 'viewer' as const,
          passwordHash: 'h1',
          createdAt: at(0),
          updatedAt: at(0),
        };
        await store.putUser(user);
        await store.putUser({ ...user, role: 'admin', passwordHash: 'h2', updatedAt: at(1) });
        expect(await store.getUser('anna')).toEqual({
          ...user,
          role: 'admin',
          passwordHash: 'h2',
          updatedAt: at(1),
        });
        expect(await store.getUser('ben')).toBeUndefined();
        const session = {
          idHash: 's1',
          userName: 'anna',
          csrfToken: 'c1',
          createdAt: at(0),
          expiresAt: at(10),
        };
        await store.addSession(session);
        await store.addSession({ ...session, idHash: 's2', expiresAt: at(2) });
        expect(await store.getSession('s1', at(5))).toEqual(session);
        expect(await store.getSession('s2', at(5))).toBeUndefined();
        await store.deleteSession('s1', at(5));
        expect(await store.getSession('s1', at(5))).toBeUndefined();
      });

      it('deletes sessions expired by a time, counting them, and keeps live ones', async () => {
        await store.putUser({
          name: 'anna',
          role: 'viewer',
          passwordHash: 'h',
          createdAt: at(0),
          updatedAt: at(0),
        });
        const session = (idHash: string, expiresAt: string) => ({
          idHash,
          userName: 'anna',
          csrfToken: `csrf-${idHash}`,
          createdAt: at(0),
          expiresAt,
        });
        await store.addSession(session('expired', at(2)));
        await store.addSession(session('expires-now', at(5)));
        await store.addSession(session('live', at(10)));
        expect(await store.deleteExpiredSessions(at(5))).toBe(2);
        // Gone, not just refused: at(1) they would still be live.
        expect(await store.getSession('expired', at(1))).toBeUndefined();
        expect(await store.getSession('expires-now', at(1))).toBeUndefined();
        expect(await store.getSession('live', at(5))).toEqual(session('live', at(10)));
        expect(await store.deleteExpiredSessions(at(5))).toBe(0);
      });

      it('concurrent deliveries of one key: exactly one is fresh', async () => {
        const claims = await Promise.all(
          range(6).map(() => store.claimWebhookDelivery('po-urgency', 'd-1', at(0))),
        );
        expect(claims.filter((claim) => claim.fresh)).toHaveLength(1);
      });

      it('claims a webhook delivery once and remembers its run', async () => {
        expect(await store.claimWebhookDelivery('po-urgency', 'd-1', at(0))).toEqual({ fresh: true });
        expect(await store.claimWebhookDelivery('po-urgency', 'd-1', at(1))).toEqual({
          fresh: false,
          runId: null,
        });
        await store.setWebhookDeliveryRun('po-urgency', 'd-1', 'run-9');
        expect(await store.claimWebhookDelivery('po-urgency', 'd-1', at(2))).toEqual({
          fresh: false,
          runId: 'run-9',
        });
        expect(await store.claimWebhookDelivery('other', 'd-1', at(2))).toEqual({ fresh: true });
      });
    });

    describe('labeled edits', () => {
      const edit = (overrides: Partial<LabeledEdit> = {}): LabeledEdit => ({
        id: 'run-1:PO-000001:priority',
        workflow: 'po-urgency',
        entity: 'purchaseOrder',
        recordId: 'PO-000001',
        runId: 'run-1',
        changeId: 'run-1:PO-000001',
        field: 'priority',
        aiValue: 'urgent',
        aiConfidence: 0.91,
        humanValue: 'high',
        editedBy: 'anna',
        editedAt: at(3),
        ...overrides,
      });

      beforeEach(async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
      });

      it('round-trips edits with any JSON value, in id order, by workflow, since and paged', async () => {
        const second = edit({
          id: 'run-1:PO-000002:amount',
          recordId: 'PO-000002',
          changeId: 'run-1:PO-000002',
          field: 'amount',
          aiValue: { value: 12.5, currency: 'EUR' },
          humanValue: null,
          editedAt: at(5),
        });
        const other = edit({ id: 'run-1:PO-000003:priority', workflow: 'gl-coding', editedAt: at(1) });
        await store.addLabeledEdits([second, edit(), other]);
        await store.addLabeledEdits([]);
        expect(await store.listLabeledEdits()).toEqual([edit(), second, other]);
        expect(await store.listLabeledEdits({ workflow: 'po-urgency' })).toEqual([edit(), second]);
        expect(await store.listLabeledEdits({ workflow: 'po-urgency', since: at(4) })).toEqual([second]);
        expect(await store.listLabeledEdits({ afterId: edit().id, limit: 1 })).toEqual([second]);
        await expectErpError(store.listLabeledEdits({ limit: 0 }), 'validation', 'limit');
      });

      it('a second edit of the same field keeps what the AI said and takes the newer human value', async () => {
        await store.addLabeledEdits([edit()]);
        await store.addLabeledEdits([
          edit({ aiValue: 'high', aiConfidence: 1, humanValue: 'low', editedBy: 'ben', editedAt: at(9) }),
        ]);
        expect(await store.listLabeledEdits()).toEqual([
          edit({ humanValue: 'low', editedBy: 'ben', editedAt: at(9) }),
        ]);
      });

      it('refuses an edit of a run that does not exist, storing none of the batch', async () => {
        await expect(
          store.addLabeledEdits([edit({ id: 'a' }), edit({ id: 'b', runId: 'run-missing' })]),
        ).rejects.toThrow();
        expect(await store.listLabeledEdits()).toEqual([]);
      });
    });

    describe('distributed: outbox, apply claims, conditional run updates', () => {
      const job = (id: string, minute: number, kind = 'apply'): OutboxJob => ({
        id,
        kind,
        payload: { runId: 'run-1', changeIds: [`${id}-a`, `${id}-b`], nested: { n: minute } },
        createdAt: at(minute),
      });

      beforeEach(async () => {
        await store.createRun(makeRun({ id: 'run-1' }));
      });

      it('commits jobs with the state they act on, and lists the unsent oldest first', async () => {
        await store.createRun(makeRun({ id: 'run-2' }), [job('plan:run-2', 3, 'plan')]);
        await store.saveBatch(
          [makeItem('run-1', recordId(1))],
          [makeChange('run-1', changeId(1))],
          [job('b', 2)],
        );
        await store.updateChanges([{ id: changeId(1), state: 'approved' }], [job('a', 2)]);
        await store.insertChanges([makeChange('run-1', changeId(2))], [job('c', 1)]);
        await store.addOutboxJobs([job('d', 4)]);
        expect(await store.listOutboxJobs({ limit: 10 })).toEqual([
          job('c', 1),
          job('a', 2),
          job('b', 2),
          job('plan:run-2', 3, 'plan'),
          job('d', 4),
        ]);
        expect(await store.listOutboxJobs({ limit: 2 })).toEqual([job('c', 1), job('a', 2)]);
        await expectErpError(store.listOutboxJobs({ limit: 0 }), 'validation', 'limit');
      });

      it('adds no job when its state does not commit, and no state without its job', async () => {
        await expectErpError(
          store.createRun(makeRun({ id: 'run-1' }), [job('plan:again', 1, 'plan')]),
          'conflict',
        );
        await store.saveBatch([], [makeChange('run-1', 'chg-1', { idempotencyKey: 'key-1' })]);
        const clash = makeChange('run-1', 'chg-2', { idempotencyKey: 'key-1' });
        await expectErpError(store.saveBatch([], [clash], [job('lost', 1)]), 'conflict');
        await expectErpError(
          store.updateChanges([{ id: 'chg-missing', state: 'approved' }], [job('lost-too', 1)]),
          'validation',
        );
        expect(await store.listOutboxJobs({ limit: 10 })).toEqual([]);
        // A job id already in the outbox: the second add keeps the first row, and the batch still commits.
        await store.addOutboxJobs([job('once', 1)]);
        await store.saveBatch([makeItem('run-1', recordId(5))], [], [{ ...job('once', 9), kind: 'other' }]);
        expect(await store.listOutboxJobs({ limit: 10 })).toEqual([job('once', 1)]);
        expect(await store.countItems('run-1')).toEqual({ planned: 1 });
      });

      it('marks jobs sent, once, and ignores ids it does not know', async () => {
        await store.addOutboxJobs([job('a', 1), job('b', 2), job('c', 3)]);
        await store.markOutboxJobsSent(['a', 'c', 'unknown'], at(10));
        await store.markOutboxJobsSent([], at(11));
        expect(await store.listOutboxJobs({ limit: 10 })).toEqual([job('b', 2)]);
        await store.markOutboxJobsSent(['a', 'b'], at(12));
        expect(await store.listOutboxJobs({ limit: 10 })).toEqual([]);
      });

      it("lists a run's published jobs by id, and requeues them for the relay", async () => {
        const run = '20261205-040000-ab12';
        await store.addOutboxJobs([
          job(`plan-${run}`, 1, 'plan'),
          job(`apply-${run}-b`, 2),
          job(`apply-${run}-a`, 3),
          job(`apply-${run}-unsent`, 4),
          // Neighbours by id that belong to other runs.
          job(`apply-${run}0-x`, 5),
          job(`apply-${run}`, 6),
          job(`plan-${run}-other`, 7, 'plan'),
          job(`apply-20261205-040000-ab1-z`, 8),
        ]);
        const others = [
          `apply-${run}0-x`,
          `apply-${run}`,
          `plan-${run}-other`,
          'apply-20261205-040000-ab1-z',
        ];
        await store.markOutboxJobsSent(
          [`plan-${run}`, `apply-${run}-b`, `apply-${run}-a`, ...others],
          at(10),
        );
        expect(await store.listPublishedOutboxJobIds(run)).toEqual([
          `apply-${run}-a`,
          `apply-${run}-b`,
          `plan-${run}`,
        ]);
        expect(await store.listPublishedOutboxJobIds('no-such-run')).toEqual([]);

        await store.requeueOutboxJobs([`apply-${run}-b`, `plan-${run}`, 'unknown']);
        await store.requeueOutboxJobs([]);
        expect((await store.listOutboxJobs({ limit: 10 })).map((row) => row.id)).toEqual([
          `plan-${run}`,
          `apply-${run}-b`,
          `apply-${run}-unsent`,
        ]);
        expect(await store.listPublishedOutboxJobIds(run)).toEqual([`apply-${run}-a`]);
      });

      it('prunes rows sent before a time, in batches, counting them; unsent rows stay however old', async () => {
        // More than two batches of 1,000, the last one partial.
        const old = range(2_345).map((n) => job(`old-${n}`, 1));
        for (let start = 0; start < old.length; start += 500) {
          const chunk = old.slice(start, start + 500);
          await store.addOutboxJobs(chunk);
          await store.markOutboxJobsSent(
            chunk.map((row) => row.id),
            at(10),
          );
        }
        await store.addOutboxJobs([job('unsent-oldest', 0), job('at-cutoff', 1), job('recent', 1)]);
        await store.markOutboxJobsSent(['at-cutoff'], at(20));
        await store.markOutboxJobsSent(['recent'], at(30));

        expect(await store.pruneOutbox(at(20))).toBe(2_345);
        expect(await store.pruneOutbox(at(20))).toBe(0);
        expect(await store.listOutboxJobs({ limit: 10 })).toEqual([job('unsent-oldest', 0)]);
        // The rows sent at or after the cutoff were kept: a later cutoff finds exactly them.
        expect(await store.pruneOutbox(at(40))).toBe(2);
        expect(await store.pruneOutbox('9999-12-31T23:59:59.999Z')).toBe(0);
        expect(await store.listOutboxJobs({ limit: 10 })).toEqual([job('unsent-oldest', 0)]);
      });

      it('keeps the jobs of runs still running or applying, however old: lost ones are recovered from them', async () => {
        const runs = { going: 'r-going', applying: 'r-applying', done: 'r-done', planned: 'r-planned' };
        await store.createRun(makeRun({ id: runs.going, state: 'running' }));
        await store.createRun(makeRun({ id: runs.applying, state: 'applying' }));
        await store.createRun(makeRun({ id: runs.done, state: 'completed' }));
        await store.createRun(makeRun({ id: runs.planned, state: 'planned' }));
        const ids = Object.values(runs).flatMap((run) => [`plan-${run}`, `apply-${run}-1`, `apply-${run}-2`]);
        // A job whose id only looks like a going run's: another run, `r-going2`.
        ids.push(`apply-${runs.going}2-1`);
        await store.addOutboxJobs(ids.map((id) => job(id, 1)));
        await store.markOutboxJobsSent(ids, at(10));

        expect(await store.pruneOutbox(at(20))).toBe(7);
        const kept = [
          ...(await store.listPublishedOutboxJobIds(runs.going)),
          ...(await store.listPublishedOutboxJobIds(runs.applying)),
        ];
        expect(kept).toEqual([
          `apply-${runs.going}-1`,
          `apply-${runs.going}-2`,
          `plan-${runs.going}`,
          `apply-${runs.applying}-1`,
          `apply-${runs.applying}-2`,
          `plan-${runs.applying}`,
        ]);
        // Once the run has ended, its rows go with the next pass.
        await store.updateRun(runs.going, { state: 'completed' });
        expect(await store.pruneOutbox(at(20))).toBe(3);
      });

      it('concurrent prunes delete each row once, and their counts add up', async () => {
        const sent = range(1_500).map((n) => job(`sent-${n}`, 1));
        for (let start = 0; start < sent.length; start += 500) {
          const chunk = sent.slice(start, start + 500);
          await store.addOutboxJobs(chunk);
          await store.markOutboxJobsSent(
            chunk.map((row) => row.id),
            at(10),
          );
        }
        const counts = await Promise.all(range(3).map(() => store.pruneOutbox(at(20))));
        expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1_500);
        expect(await store.pruneOutbox(at(20))).toBe(0);
      });

      it('claims changes for a job: the first claim wins, and the same job holds its own again', async () => {
        const first = await store.claimChanges([changeId(1), changeId(2), changeId(2)], 'job-a');
        expect(first).toEqual(new Set([changeId(1), changeId(2)]));
        const second = await store.claimChanges([changeId(2), changeId(3)], 'job-b');
        expect(second).toEqual(new Set([changeId(3)]));
        // A retry of job-a (its worker died) holds what it claimed before.
        expect(await store.claimChanges([changeId(1), changeId(2), changeId(3)], 'job-a')).toEqual(
          new Set([changeId(1), changeId(2)]),
        );
        expect(await store.claimChanges([], 'job-c')).toEqual(new Set());
      });

      it('concurrent claims of one change: exactly one job holds it', async () => {
        const claims = await Promise.all(range(8).map((n) => store.claimChanges([changeId(7)], `job-${n}`)));
        expect(claims.filter((held) => held.has(changeId(7)))).toHaveLength(1);
      });

      it('updates a run only in the given states, and tells whether it did', async () => {
        await store.updateRun('run-1', { state: 'applying' });
        expect(await store.updateRun('run-1', { state: 'completed' }, { ifState: ['planned'] })).toBe(false);
        expect((await store.getRun('run-1'))?.state).toBe('applying');
        expect(
          await store.updateRun('run-1', { state: 'completed' }, { ifState: ['applying', 'planned'] }),
        ).toBe(true);
        expect((await store.getRun('run-1'))?.state).toBe('completed');
        expect(await store.updateRun('run-1', { error: 'late' }, { ifState: [] })).toBe(false);
        expect(await store.updateRun('run-1', { error: null })).toBe(true);
        await expectErpError(
          store.updateRun('run-missing', { state: 'failed' }, { ifState: ['running'] }),
          'validation',
          'run-missing',
        );
      });

      it('of concurrent conditional updates, one wins', async () => {
        await store.updateRun('run-1', { state: 'applying' });
        const outcomes = await Promise.all(
          range(6).map(() => store.updateRun('run-1', { state: 'completed' }, { ifState: ['applying'] })),
        );
        expect(outcomes.filter(Boolean)).toHaveLength(1);
      });
    });
  });
}

/** An audit entry that links to `tail` (hashes are the audit module's business; the store checks links). */
function chained(tail: AuditEntry | null, type: string, runId: string | null): AuditEntry {
  const seq = (tail?.seq ?? 0) + 1;
  return {
    seq,
    at: at(seq),
    type,
    runId,
    actor: 'test',
    payload: {},
    prevHash: tail?.hash ?? '0'.repeat(64),
    hash: `hash-${seq}`,
  };
}

// ——— fixtures ———

/** An ISO timestamp `minutes` after a fixed start, for ordering tests. */
function at(minutes: number): string {
  return new Date(Date.UTC(2024, 4, 1, 8, minutes)).toISOString();
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

function recordId(n: number): string {
  return `PO-${String(n).padStart(6, '0')}`;
}

function changeId(n: number): string {
  return `chg-${String(n).padStart(4, '0')}`;
}

function ids(runs: Run[]): string[] {
  return runs.map((run) => run.id);
}

function recordIds(items: Item[]): string[] {
  return items.map((item) => item.recordId);
}

function makeRun(overrides: Partial<Run> = {}): Run {
  return {
    id: 'run-1',
    workflow: 'po-urgency',
    policy: 'review',
    dryRun: false,
    state: 'running',
    params: { asOf: '2024-05-01' },
    stats: emptyStats(),
    error: null,
    requestedBy: 'anna',
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function makeItem(runId: string, id: string, overrides: Partial<Item> = {}): Item {
  return {
    runId,
    recordId: id,
    state: 'planned',
    label: 'urgent',
    confidence: 0.8,
    error: null,
    ...overrides,
  };
}

function makeChange(runId: string, id: string, overrides: Partial<Change> = {}): Change {
  return {
    id,
    runId,
    entity: 'purchaseOrder',
    recordId: `PO-for-${id}`,
    before: { priority: 'normal' },
    after: { priority: 'urgent' },
    amount: 1234.5,
    currency: 'EUR',
    version: null,
    reason: 'due in 2 days, supplier late twice',
    confidence: 0.87,
    explanation: 'delivery date close; supplier on-time rate 61%',
    idempotencyKey: `key-${runId}-${id}`,
    state: 'pending',
    revertOf: null,
    requestedBy: 'anna',
    approvals: [],
    decidedBy: null,
    outcome: null,
    error: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function makeModel(overrides: Partial<StoredModel> = {}): StoredModel {
  return {
    name: 'po-urgency',
    version: '1',
    createdAt: at(0),
    metrics: { accuracy: 0.9 },
    body: JSON.stringify({ weights: [0.1, -0.4] }),
    ...overrides,
  };
}

/** Entries that continue `tail`; their hashes are labels, since the store does not hash. */
function linkedEntries(
  tail: AuditEntry | null,
  count: number,
  fields: { payload?: Record<string, unknown>; runId?: string | null } = {},
): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let seq = tail?.seq ?? 0;
  let prevHash = tail?.hash ?? '0'.repeat(64);
  for (let index = 0; index < count; index++) {
    seq += 1;
    const hash = `hash-${seq}-${Math.random().toString(36).slice(2)}`;
    entries.push({
      seq,
      at: at(seq),
      type: 'extract.batch',
      runId: fields.runId === undefined ? 'run-1' : fields.runId,
      actor: 'erpbridge',
      payload: fields.payload ?? { count: seq },
      prevHash,
      hash,
    });
    prevHash = hash;
  }
  return entries;
}

async function expectErpError(
  promise: Promise<unknown>,
  kind: ErrorKind,
  messagePart?: string,
): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(ErpError);
  expect(error).toMatchObject({ kind });
  if (messagePart !== undefined)
    expect(error).toMatchObject({ message: expect.stringContaining(messagePart) });
}
