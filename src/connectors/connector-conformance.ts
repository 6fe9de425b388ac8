import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErpError, type ErrorKind } from '../errors/index.ts';
import type { Capabilities, Connection, VendorRecord } from './contract.ts';

/**
 * The suite every connector passes, whatever it talks to. A connector calls it from its own test
 * file with a live connection to a known data set; a capability it lacks is declared in
 * `capabilities` and its tests are reported as skipped, never silently passed.
 *
 * The tests run in order and share the connection; the write tests change one record.
 *
 * @example
 *   describeConnectorConformance('rest', async () => {
 *     const erp = await startTestErp();
 *     const connection = await connectConnector('erp', { kind: 'rest', … }, {});
 *     return { connection, capabilities: restConnector.capabilities, readable: …, close: erp.close };
 *   });
 */

/** What the suite needs to know about the data behind a connection. */
export interface ConformanceSubject {
  connection: Connection;
  /** What this connection can do, as configured. */
  capabilities: Capabilities;
  /** An entity whose full content is known. */
  readable: {
    entity: string;
    /** Every key the entity holds, in any order. Choose more than `pageSize` of them. */
    keys: readonly string[];
    /** A page size small enough to need several pages. */
    pageSize: number;
    /** Whether pages carry the total. */
    reportsTotal: boolean;
  };
  /** A key `readable.entity` does not hold. */
  missingKey: string;
  /** When the connection writes: a record of an entity that may be changed, and fields to set on it. */
  writable?: { entity: string; key: string; fields: Record<string, unknown> };
  /** An entity this connection reads but must not write, and one of its keys. */
  readOnly?: { entity: string; key: string };
  /** Releases what setup started (servers, files), after the connection is closed. */
  teardown?: () => Promise<void>;
}

/** Registers the conformance suite for one connector under `describe(name)`. */
export function describeConnectorConformance(name: string, setup: () => Promise<ConformanceSubject>): void {
  describe(`${name} connector conformance`, () => {
    let subject: ConformanceSubject | undefined;
    const current = (): ConformanceSubject => {
      if (subject === undefined) throw new Error('conformance setup did not finish');
      return subject;
    };

    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(async () => {
      await subject?.connection.close();
      await subject?.teardown?.();
    });

    it('reads every record exactly once, page by page, with totals', async ({ skip }) => {
      const { connection, capabilities, readable } = current();
      skip(!capabilities.read, 'the connector cannot read');
      const seen: string[] = [];
      let pages = 0;
      for await (const page of connection.read({ entity: readable.entity, pageSize: readable.pageSize })) {
        pages++;
        expect(page.records.length).toBeLessThanOrEqual(readable.pageSize);
        if (readable.reportsTotal) expect(page.total).toBe(readable.keys.length);
        for (const record of page.records) {
          expectRecordShape(record);
          seen.push(record.key);
        }
      }
      expect(new Set(seen).size, 'a record was read twice').toBe(seen.length);
      expect([...seen].sort()).toEqual([...readable.keys].sort());
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(readable.keys.length / readable.pageSize));
    });

    it('stops reading when the consumer stops, and reads again afterwards', async ({ skip }) => {
      const { connection, capabilities, readable } = current();
      skip(!capabilities.read, 'the connector cannot read');
      for await (const page of connection.read({ entity: readable.entity, pageSize: readable.pageSize })) {
        expect(page.records.length).toBeGreaterThan(0);
        break;
      }
      let again = 0;
      for await (const page of connection.read({ entity: readable.entity, pageSize: readable.pageSize })) {
        again += page.records.length;
      }
      expect(again).toBe(readable.keys.length);
    });

    it('honours an aborted signal without yielding a page', async ({ skip }) => {
      const { connection, capabilities, readable } = current();
      skip(!capabilities.read, 'the connector cannot read');
      const controller = new AbortController();
      controller.abort(new Error('stopped by the test'));
      const pages: unknown[] = [];
      const reading = (async () => {
        for await (const page of connection.read({ entity: readable.entity, signal: controller.signal })) {
          pages.push(page);
        }
      })();
      await expect(reading).rejects.toThrow('stopped by the test');
      expect(pages).toEqual([]);
    });

    it('rejects an unknown entity with a permanent ErpError', async ({ skip }) => {
      const { connection, capabilities } = current();
      skip(!capabilities.read, 'the connector cannot read');
      const reading = (async () => {
        for await (const _page of connection.read({ entity: 'no_such_entity_xyz' })) {
          // A page here is already a failure; the assertion below names it.
        }
      })();
      await expectErpError(reading, 'permanent');
    });

    it('gets a record it lists', async ({ skip }) => {
      const { connection, capabilities, readable } = current();
      skip(!capabilities.get, 'the connector cannot get by key');
      const key = readable.keys[0];
      if (key === undefined) throw new Error('readable.keys is empty');
      const record = await connection.get(readable.entity, key);
      expect(record).not.toBeNull();
      if (record === null) return;
      expectRecordShape(record);
      expect(record.key).toBe(key);
      if (capabilities.concurrency !== 'none') expect(record.version).not.toBeNull();
    });

    it('gets null for a key that does not exist', async ({ skip }) => {
      const { connection, capabilities, readable, missingKey } = current();
      skip(!capabilities.get, 'the connector cannot get by key');
      expect(await connection.get(readable.entity, missingKey)).toBeNull();
    });

    let staleVersion: string | null = null;

    it('writes with the current version and reads the change back', async ({ skip }) => {
      const { connection, capabilities, writable } = current();
      skip(!capabilities.write, 'the connector cannot write');
      if (writable === undefined) throw new Error('a connector that writes needs `writable` in its subject');
      const before = await connection.get(writable.entity, writable.key);
      expect(before).not.toBeNull();
      staleVersion = before?.version ?? null;
      const result = await connection.write({
        entity: writable.entity,
        key: writable.key,
        fields: writable.fields,
        ifVersion: staleVersion,
        idempotencyKey: `conformance-${Date.now()}`,
      });
      if (result.record !== null) {
        expect(result.record.key).toBe(writable.key);
        expect(result.record.data).toMatchObject(writable.fields);
      }
      const after = await connection.get(writable.entity, writable.key);
      expect(after?.data).toMatchObject(writable.fields);
      if (capabilities.concurrency !== 'none') expect(after?.version).not.toBe(staleVersion);
    });

    it('refuses a write with a stale version as a conflict', async ({ skip }) => {
      const { connection, capabilities, writable } = current();
      skip(!capabilities.write, 'the connector cannot write');
      skip(capabilities.concurrency === 'none', 'the connector detects no concurrent edits');
      if (writable === undefined || staleVersion === null)
        throw new Error('the previous write test did not run');
      const before = await connection.get(writable.entity, writable.key);
      const write = connection.write({
        entity: writable.entity,
        key: writable.key,
        fields: { ...writable.fields },
        ifVersion: staleVersion,
      });
      await expectErpError(write, 'conflict');
      expect(await connection.get(writable.entity, writable.key)).toEqual(before);
    });

    it('rejects writes as permanent where it cannot write', async ({ skip }) => {
      const { connection, capabilities, readable, readOnly } = current();
      skip(capabilities.write && readOnly === undefined, 'every entity of this connection is writable');
      const target = capabilities.write
        ? readOnly
        : { entity: readable.entity, key: readable.keys[0] ?? 'x' };
      if (target === undefined) return;
      await expectErpError(connection.write({ ...target, fields: { anything: 1 } }), 'permanent');
    });

    it('rejects reads and gets as permanent where it cannot read', async ({ skip }) => {
      const { connection, capabilities, readable, missingKey } = current();
      skip(capabilities.read && capabilities.get, 'the connector reads and gets');
      if (!capabilities.get) await expectErpError(connection.get(readable.entity, missingKey), 'permanent');
      if (!capabilities.read) {
        const reading = (async () => {
          for await (const _page of connection.read({ entity: readable.entity })) {
            // Never reached for a connector that cannot read.
          }
        })();
        await expectErpError(reading, 'permanent');
      }
    });

    it('tests its connection without throwing', async () => {
      const result = await current().connection.test();
      expect(result).toEqual({ ok: true, message: expect.any(String) });
    });

    it('closes idempotently', async () => {
      const { connection } = current();
      await connection.close();
      await connection.close();
    });
  });
}

function expectRecordShape(record: VendorRecord): void {
  expect(typeof record.key).toBe('string');
  expect(record.key).not.toBe('');
  expect(record.version === null || typeof record.version === 'string').toBe(true);
  expect(typeof record.data).toBe('object');
}

async function expectErpError(promise: Promise<unknown>, kind: ErrorKind): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(ErpError);
  if (error instanceof ErpError) expect(error.kind, error.message).toBe(kind);
}
