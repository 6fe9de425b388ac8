import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../../src/connectors/contract.ts';
import { connectConnector } from '../../src/connectors/registry.ts';
import { isRpcStruct, RpcDate, RpcDecimal, type RpcStruct } from '../../src/connectors/rpc/index.ts';
import { describeError, ErpError } from '../../src/errors/index.ts';
import { trytonEntities, trytonProfile } from '../../src/profiles/tryton/index.ts';
import { prepareTryton, startTryton, type TrytonServer } from '../support/tryton.ts';
import { recordsOf } from './json-rpc-client.ts';

/**
 * What a real Tryton 6.0 does that an ERP we wrote ourselves would not, each against the server:
 * Decimals, related-field keys, computed fields that cannot be searched, workflow buttons that
 * ignore an impossible transition, sessions that expire, logins that lock, UserError and
 * ConcurrencyException — and the clear error erpbridge makes of each.
 */

const tryton = await prepareTryton();
const PROTOCOLS = ['json-rpc', 'xml-rpc'] as const;

/** An entity for purchase lines, to write Decimals (the profile never writes them). */
const purchaseLines = {
  model: 'purchase.line',
  fields: ['purchase', 'unit_price', 'quantity', 'amount'],
  write: { fields: ['unit_price'] },
};

/** Purchases with workflow buttons as transitions, and more filters than the profile needs. */
const purchasesWithTransitions = {
  ...trytonEntities.purchase_orders,
  filters: {
    ...trytonEntities.purchase_orders.filters,
    supplier: 'party.code',
    total: 'total_amount',
  },
  write: {
    fields: ['reference', 'comment', 'state'],
    transitions: {
      field: 'state',
      methods: { cancelled: 'cancel', draft: 'draft', quotation: 'quote', done: 'do' },
    },
  },
};

describe.skipIf(!tryton.ok)('Tryton, as it really behaves', () => {
  let server: TrytonServer;
  const connections: Connection[] = [];

  beforeAll(async () => {
    if (!tryton.ok) return;
    server = await startTryton(tryton);
  });

  afterAll(async () => {
    for (const connection of connections) await connection.close();
    await server?.stop();
  });

  const connect = async (
    protocol: (typeof PROTOCOLS)[number],
    overrides: Record<string, unknown> = {},
    env: Record<string, string> = server.env,
  ): Promise<Connection> => {
    const config = server.connectorConfig(protocol, {
      entities: {
        ...trytonEntities,
        purchase_orders: purchasesWithTransitions,
        purchase_lines: purchaseLines,
      },
      ...overrides,
    });
    const connection = await connectConnector('tryton', config, env);
    connections.push(connection);
    return connection;
  };

  describe.each(PROTOCOLS)('over %s', (protocol) => {
    /** One connection for the tests that need nothing special: each login costs Tryton a password hash. */
    let erp: Connection;
    beforeAll(async () => {
      if (tryton.ok) erp = await connect(protocol);
    });

    it('keeps Decimals exact: lines of 0.10 and 0.20 total 0.30, written back digit for digit', async () => {
      const id = String(server.seed.decimalPurchaseId);
      const order = await erp.get('purchase_orders', id);
      expect(order?.data.total_amount).toEqual(new RpcDecimal('0.30'));
      const lines = structs(order?.data.lines);
      expect(lines.map((line) => line.unit_price)).toEqual([new RpcDecimal('0.10'), new RpcDecimal('0.20')]);
      expect(
        trytonProfile.purchaseOrder.toCanonical(order ?? { key: id, version: null, data: {} }).totalAmount,
      ).toBe(0.3);

      // 0.1 + 0.2 in binary floating point is 0.30000000000000004; written as Decimals it is 0.30.
      const [first, second] = lines.map((line) => String(line.id));
      await erp.write({
        entity: 'purchase_lines',
        key: first ?? '',
        fields: { unit_price: new RpcDecimal('0.20') },
      });
      await erp.write({
        entity: 'purchase_lines',
        key: second ?? '',
        fields: { unit_price: new RpcDecimal('0.1') },
      });
      const after = await erp.get('purchase_orders', id);
      expect(after?.data.total_amount).toEqual(new RpcDecimal('0.30'));
      const written = await erp.get('purchase_lines', second ?? '');
      expect(written?.data.unit_price).toEqual(new RpcDecimal('0.1'));
      expect(written?.data.amount).toEqual(new RpcDecimal('0.10'));
      // Back as they were, for the other protocol's turn.
      await erp.write({
        entity: 'purchase_lines',
        key: first ?? '',
        fields: { unit_price: new RpcDecimal('0.10') },
      });
      await erp.write({
        entity: 'purchase_lines',
        key: second ?? '',
        fields: { unit_price: new RpcDecimal('0.20') },
      });
    });

    it('reads related fields under keys ending in a dot, and filters on them on the server', async () => {
      const admin = server.client('admin');
      const expected = await admin.model('purchase.purchase', 'search_count', [['party.code', '=', 'SUP03']]);
      let seen = 0;
      for await (const page of erp.read({
        entity: 'purchase_orders',
        filter: { supplier: 'SUP03' },
        pageSize: 40,
      })) {
        expect(page.total).toBe(expected);
        for (const record of page.records) {
          expect(record.data['party.']).toMatchObject({ code: 'SUP03' });
          expect(record.data['currency.']).toMatchObject({ code: 'EUR' });
          expect(record.data.purchase_date).toBeInstanceOf(RpcDate);
          seen++;
        }
      }
      expect(seen).toBe(expected);
    });

    it('refuses to filter on a computed total, naming the field', async () => {
      const error = await readError(erp.read({ entity: 'purchase_orders', filter: { total: 100 } }));
      expect(error.kind).toBe('permanent');
      expect(error.message).toBe(
        'Tryton cannot filter on field "Total" of "Purchase" on the server: it is computed and has no search function',
      );
      expect(error.context.hint).toMatch(/connectors\.tryton\.entities\.purchase_orders\.domain and filters/);
    });

    it('turns a transition the workflow ignores (Tryton answers null) into an error, and reads the state back', async () => {
      const admin = server.client('admin');
      const done = server.seed.donePurchaseId;
      // What Tryton itself does: no error, no change.
      expect(await admin.model('purchase.purchase', 'draft', [done])).toBeNull();
      const error = await failure(
        erp.write({ entity: 'purchase_orders', key: String(done), fields: { state: 'cancelled' } }),
      );
      expect(error.kind).toBe('validation');
      expect(error.message).toBe(
        `the ERP did not move purchase_orders ${done} from state "done" to "cancelled": cancel answered without an error, and the record is still "done"`,
      );
      const [record] = recordsOf(await admin.model('purchase.purchase', 'read', [done], ['state']));
      expect(record?.state).toBe('done');
    });

    it('moves a draft to cancelled and back through the workflow buttons', async () => {
      const [draftId] = server.seed.open.draft;
      const key = String(draftId);
      await erp.write({ entity: 'purchase_orders', key, fields: { state: 'cancelled' } });
      expect((await erp.get('purchase_orders', key))?.data.state).toBe('cancelled');
      await erp.write({ entity: 'purchase_orders', key, fields: { state: 'draft' } });
      expect((await erp.get('purchase_orders', key))?.data.state).toBe('draft');
    });

    it('says which method Tryton will not run over RPC (403)', async () => {
      const [processing] = server.seed.open.processing;
      const error = await failure(
        erp.write({ entity: 'purchase_orders', key: String(processing), fields: { state: 'done' } }),
      );
      expect(error.kind).toBe('permanent');
      expect(error.message).toBe(
        'Tryton refused to run model.purchase.purchase.do (HTTP 403 Forbidden): the method is not callable over RPC, or not by "erpbridge"',
      );
    });

    it('names a field Tryton does not know (its KeyError)', async () => {
      const erp = await connect(protocol, {
        entities: { purchase_orders: { ...trytonEntities.purchase_orders, fields: ['number', 'priority'] } },
      });
      const error = await readError(erp.read({ entity: 'purchase_orders' }));
      expect(error.message).toBe(
        'Tryton knows no "priority" (KeyError): a model, field or method that does not exist on this server, or whose module is not activated',
      );
    });

    it('turns a UserError into a validation error with Tryton’s message', async () => {
      const line = recordsOf(
        await server
          .client('admin')
          .model(
            'purchase.line',
            'search_read',
            [['purchase', '=', server.seed.decimalPurchaseId]],
            0,
            1,
            null,
            ['id'],
          ),
      )[0]?.id;
      const error = await failure(
        erp.write({ entity: 'purchase_lines', key: String(line), fields: { unit_price: null } }),
      );
      expect(error.kind).toBe('validation');
      expect(error.message).toBe(
        'Tryton refused it: A value is required for field "Unit Price" in "Purchase Line". (UserError)',
      );
      expect(describeError(error)).toContain(`[purchase_lines ${line}]`);
    });

    it('turns Tryton’s ConcurrencyException into a conflict, and catches an edit it would miss', async () => {
      const admin = server.client('admin');
      const [id] = server.seed.open.quotation;
      const key = String(id);

      // Tryton's own check: `_timestamp` in the context, compared inside the write's transaction.
      const trusting = await connect(protocol, {
        entities: {
          purchase_orders: {
            ...trytonEntities.purchase_orders,
            version: { fields: ['_timestamp'], contextKey: '_timestamp', precheck: false },
          },
        },
      });
      const read = await trusting.get('purchase_orders', key);
      await admin.model('purchase.purchase', 'write', [id], { comment: `edited by a buyer (${protocol})` });
      const refused = await failure(
        trusting.write({
          entity: 'purchase_orders',
          key,
          fields: { reference: 'urgent' },
          ifVersion: read?.version ?? null,
        }),
      );
      expect(refused.kind).toBe('conflict');
      expect(refused.message).toBe(
        'Tryton refused the write: the record was changed by someone else after erpbridge read it (ConcurrencyException: Records were modified in the meanwhile)',
      );

      // The default also compares the version fields just before writing. On SQLite `_timestamp`
      // has whole seconds; JSON-RPC's write_date has microseconds, so it catches an edit in the
      // same second. XML-RPC's dateTime has whole seconds too: there only a later second shows.
      const careful = await connect(protocol);
      const before = await careful.get('purchase_orders', key);
      if (protocol === 'xml-rpc') await nextSecond();
      await admin.model('purchase.purchase', 'write', [id], { comment: `edited again (${protocol})` });
      const caught = await failure(
        careful.write({
          entity: 'purchase_orders',
          key,
          fields: { reference: 'urgent' },
          ifVersion: before?.version ?? null,
        }),
      );
      expect(caught.kind).toBe('conflict');
      expect(caught.message).toMatch(
        new RegExp(`^purchase_orders ${key} changed in the ERP since it was read \\(version \\[`),
      );
      const [record] = recordsOf(await admin.model('purchase.purchase', 'read', [id], ['reference']));
      expect(record?.reference).not.toBe('urgent');
    });

    it('refuses a wrong password with the user and the database named, and tries it only once', async () => {
      const erp = await connect(protocol, {}, { TRYTON_PASSWORD: 'not-the-password' });
      const error = await readError(erp.read({ entity: 'suppliers' }));
      // The second call fails at once: another login would count as another failure, and with
      // `max_attempt = 1` a second failure would lock the user out for the next login below.
      expect((await failure(erp.get('purchase_orders', '1'))).message).toBe(error.message);
      const right = await connect(protocol);
      expect((await right.get('purchase_orders', String(server.seed.donePurchaseId)))?.data.state).toBe(
        'done',
      );
      expect(error.kind).toBe('auth');
      expect(error.message).toBe(
        'Tryton refused the login of "erpbridge" on database "erpbridge": wrong username or password (HTTP 401 Unauthorized)',
      );
      expect(error.context.hint).toMatch(
        /check connectors\.tryton\.auth\.username and connectors\.tryton\.auth\.password; the credentials come from \$\{TRYTON_PASSWORD\}/,
      );
    });

    it('logs in again when Tryton expired the session, and says so when that fails', async () => {
      const erp = await connect(protocol);
      expect((await erp.get('purchase_orders', String(server.seed.donePurchaseId)))?.data.state).toBe('done');
      expect(server.expireSessions('erpbridge')).toBeGreaterThan(0);
      // The same connection carries on: Tryton answers 401, the connector logs in again, once.
      expect((await erp.get('purchase_orders', String(server.seed.donePurchaseId)))?.data.state).toBe('done');

      const admin = server.client('admin');
      const [user] = recordsOf(
        await admin.model('res.user', 'search_read', [['login', '=', 'erpbridge']], 0, 1, null, ['id']),
      );
      await admin.model('res.user', 'write', [user?.id], { password: 'Zq7xW4pL9vK2' });
      try {
        server.expireSessions('erpbridge');
        const error = await failure(erp.get('purchase_orders', String(server.seed.donePurchaseId)));
        expect(error.kind).toBe('auth');
        expect(error.message).toBe(
          'Tryton no longer accepts the session of "erpbridge" (expired or logged out), and logging in again failed: Tryton refused the login of "erpbridge" on database "erpbridge": wrong username or password (HTTP 401 Unauthorized)',
        );
      } finally {
        await admin.model('res.user', 'write', [user?.id], { password: server.env.TRYTON_PASSWORD });
      }
    });
  });

  it('locks a login after repeated failures (429), and says not to retry', async () => {
    const attempt = async (password: string) => {
      const erp = await connect('json-rpc', { auth: { username: 'lockout', password } }, {});
      return failure(erp.get('purchase_orders', '1'));
    };
    expect((await attempt('wrong-1')).message).toMatch(
      /wrong username or password \(HTTP 401 Unauthorized\)$/,
    );
    expect((await attempt('wrong-2')).message).toMatch(
      /wrong username or password \(HTTP 401 Unauthorized\)$/,
    );
    const locked = await attempt('wrong-3');
    expect(locked.kind).toBe('auth');
    expect(locked.message).toBe(
      'Tryton locked the login of "lockout" after repeated failed attempts (HTTP 429 Too Many Requests)',
    );
    expect(locked.context.hint).toMatch(/every attempt meanwhile prolongs the lock/);
    // The right password does not help while the lock lasts.
    const right = await attempt('lockout-4d1f8a');
    expect(right.message).toMatch(/^Tryton locked the login of "lockout"/);
  });
});

/** Waits until the wall clock enters its next second. */
function nextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1001 - (Date.now() % 1000)));
}

/** The records of a child list (order lines), checked to be records. */
function structs(value: unknown): RpcStruct[] {
  if (!Array.isArray(value)) throw new Error(`expected a list of records, got ${String(value)}`);
  return value.filter(isRpcStruct);
}

async function failure(promise: Promise<unknown>): Promise<ErpError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof ErpError)) throw new Error(`expected an ErpError, got ${String(outcome)}`);
  return outcome;
}

async function readError(pages: AsyncIterable<unknown>): Promise<ErpError> {
  return failure(
    (async () => {
      for await (const _page of pages) {
        // The first page is already a failure here.
      }
    })(),
  );
}
