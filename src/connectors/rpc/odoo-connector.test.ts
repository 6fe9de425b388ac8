import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { describeConnectorConformance } from '../connector-conformance.ts';
import type { Connection } from '../contract.ts';
import { connectConnector } from '../registry.ts';
import { rpcConnector } from './rpc-connector.ts';
import { RpcDecimal } from './rpc-values.ts';
import { TEST_ODOO_USERS, testOdooPurchases } from './test-odoo-purchases.ts';
import { startTestOdoo, type TestOdoo } from './test-odoo-server.ts';

/**
 * The rpc connector's odoo dialect against a server that follows Odoo's XML-RPC conventions
 * (test-odoo-server.ts; Odoo itself cannot be installed here): execute_kw, `false` for empty,
 * many-to-ones as `[id, name]`, fault codes, `__last_update`.
 */

const entities = {
  purchase_orders: {
    model: 'purchase.order',
    fields: ['name', 'partner_id', 'state', 'priority', 'amount_total', 'write_date'],
    filters: { status: { field: 'state', values: { open: ['draft', 'purchase'], closed: ['done'] } } },
    children: {
      order_line: {
        model: 'purchase.order.line',
        inverse: 'order_id',
        fields: ['name', 'product_qty', 'price_unit'],
      },
    },
    write: {
      fields: ['priority', 'notes', 'state'],
      transitions: { field: 'state', methods: { cancel: 'button_cancel' } },
    },
  },
  order_lines: {
    model: 'purchase.order.line',
    fields: ['order_id', 'price_unit'],
    write: { fields: ['price_unit'] },
  },
  suppliers: { model: 'res.partner', domain: [['supplier_rank', '>', 0]], fields: ['name', 'on_time_rate'] },
};

async function startOdoo(orders = 23): Promise<TestOdoo> {
  const app = testOdooPurchases();
  const vendor = app.addVendor('Acme Bearings', 92.5);
  const product = app.addProduct('[BRG-6204] Bearing 6204');
  for (let index = 1; index <= orders; index++) {
    app.addOrder({
      partner: vendor,
      dateOrder: '2026-10-01',
      datePlanned: '2026-11-20',
      state: index % 3 === 0 ? 'done' : index % 3 === 1 ? 'draft' : 'purchase',
      priority: '0',
      notes: '',
      lines: [
        { product, name: 'Bearing 6204', quantity: 1, price: 0.1 },
        { product, name: 'Bearing 6204', quantity: 1, price: 0.2 },
      ],
    });
  }
  return startTestOdoo({ users: TEST_ODOO_USERS, models: app.models });
}

const configFor = (odoo: TestOdoo, overrides: Record<string, unknown> = {}) => ({
  kind: 'rpc',
  dialect: 'odoo',
  baseUrl: odoo.url,
  database: odoo.database,
  auth: { username: 'erpbridge', password: '${ODOO_KEY}' },
  context: { lang: 'en_US' },
  entities,
  ...overrides,
});

const env = { ODOO_KEY: 'odoo-api-key-8c1d' };

describeConnectorConformance('rpc (odoo dialect)', async () => {
  const odoo = await startOdoo();
  return {
    connection: await connectConnector('odoo', configFor(odoo), env),
    capabilities: rpcConnector.capabilities,
    readable: {
      entity: 'purchase_orders',
      keys: Array.from({ length: 23 }, (_, index) => String(index + 1)),
      pageSize: 5,
      reportsTotal: true,
    },
    missingKey: '9999',
    writable: { entity: 'purchase_orders', key: '2', fields: { priority: '1' } },
    readOnly: { entity: 'suppliers', key: '1' },
    teardown: () => odoo.close(),
  };
});

describe('rpc connector, odoo dialect', () => {
  let odoo: TestOdoo;
  const open: Connection[] = [];
  const connect = async (overrides: Record<string, unknown> = {}, environment = env) => {
    const connection = await connectConnector('odoo', configFor(odoo, overrides), environment);
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    odoo = await startOdoo(12);
  });
  afterEach(async () => {
    for (const connection of open.splice(0)) await connection.close();
  });
  afterAll(async () => {
    await odoo?.close();
  });

  it('reads with execute_kw search_read: the filter as a domain, pages after the last id, lines embedded', async () => {
    const erp = await connect();
    odoo.calls.length = 0;
    const pages = [];
    for await (const page of erp.read({
      entity: 'purchase_orders',
      filter: { status: 'open' },
      pageSize: 3,
    })) {
      pages.push(page);
    }
    const records = pages.flatMap((page) => page.records);
    expect(records.map((record) => record.key)).toEqual(['1', '2', '4', '5', '7', '8', '10', '11']);
    expect(pages[0]?.total).toBe(8);
    const [first] = records;
    expect(first?.data).toMatchObject({
      name: 'P00001',
      partner_id: [1, 'Acme Bearings'],
      state: 'draft',
      amount_total: 0.3,
    });
    expect(first?.data.order_line).toEqual([
      { id: 1, order_id: [1, 'P00001'], name: 'Bearing 6204', product_qty: 1, price_unit: 0.1 },
      { id: 2, order_id: [1, 'P00001'], name: 'Bearing 6204', product_qty: 1, price_unit: 0.2 },
    ]);
    expect(first?.version).toBe('["2026-10-01 08:00:00"]');
    const reads = odoo.calls.filter(
      (call) => call.model === 'purchase.order' && call.method === 'search_read',
    );
    expect(reads[0]?.args).toEqual([[['state', 'in', ['draft', 'purchase']]]]);
    expect(reads[0]?.kwargs).toMatchObject({
      offset: 0,
      limit: 3,
      order: 'id asc',
      context: { lang: 'en_US' },
    });
    expect(reads[1]?.args).toEqual([
      [
        ['state', 'in', ['draft', 'purchase']],
        ['id', '>', 4],
      ],
    ]);
  });

  it('gets by id, null when missing, and refuses a key that is no id', async () => {
    const erp = await connect();
    expect((await erp.get('purchase_orders', '3'))?.data.state).toBe('done');
    expect(await erp.get('purchase_orders', '404')).toBeNull();
    await expect(erp.get('purchase_orders', 'P00003')).rejects.toMatchObject({
      kind: 'validation',
      message: '"P00003" is not a key of purchase_orders: ids are positive integers',
    });
  });

  it('writes with the version checked before, and turns Odoo’s own concurrency check into a conflict', async () => {
    const erp = await connect();
    const read = await erp.get('purchase_orders', '4');
    odoo.edit('purchase.order', 4, { notes: '<p>a buyer was here</p>' });
    await expect(
      erp.write({
        entity: 'purchase_orders',
        key: '4',
        fields: { priority: '1' },
        ifVersion: read?.version ?? null,
      }),
    ).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringMatching(/^purchase_orders 4 changed in the ERP since it was read/),
    });

    const trusting = await connect({
      entities: {
        ...entities,
        purchase_orders: {
          ...entities.purchase_orders,
          version: { fields: ['write_date'], contextKey: '__last_update', precheck: false },
        },
      },
    });
    const stale = await trusting.get('purchase_orders', '5');
    odoo.edit('purchase.order', 5, { notes: '<p>edited</p>' });
    const error = await trusting
      .write({
        entity: 'purchase_orders',
        key: '5',
        fields: { priority: '1' },
        ifVersion: stale?.version ?? null,
      })
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ErpError);
    expect(error).toMatchObject({
      kind: 'conflict',
      message:
        'Odoo refused the write: the record was changed by someone else after erpbridge read it (A document was modified since you last viewed it (purchase.order:5))',
    });
    const written = odoo.calls.filter((call) => call.method === 'write').at(-1);
    expect(written?.kwargs.context).toEqual({
      lang: 'en_US',
      __last_update: { 'purchase.order,5': '2026-10-01 08:00:00' },
    });
    expect(odoo.models['purchase.order']?.records.get(5)?.priority).toBe('0');

    const fresh = await erp.get('purchase_orders', '5');
    await erp.write({
      entity: 'purchase_orders',
      key: '5',
      fields: { priority: '1' },
      ifVersion: fresh?.version ?? null,
    });
    expect(odoo.models['purchase.order']?.records.get(5)?.priority).toBe('1');
  });

  it('sends Decimals as doubles, and 0.1 + 0.2 reads back as 0.3', async () => {
    const erp = await connect();
    await erp.write({ entity: 'order_lines', key: '1', fields: { price_unit: new RpcDecimal('0.10') } });
    expect(odoo.models['purchase.order.line']?.records.get(1)?.price_unit).toBe(0.1);
    expect((await erp.get('purchase_orders', '1'))?.data.amount_total).toBe(0.3);
  });

  it('names what Odoo refused: a selection value, a field, a right, a transition', async () => {
    const erp = await connect();
    await expect(
      erp.write({ entity: 'purchase_orders', key: '1', fields: { priority: '7' } }),
    ).rejects.toMatchObject({
      kind: 'validation',
      message: 'Odoo refused it: Wrong value for purchase.order.priority: "7" (UserError)',
    });
    await expect(
      erp.write({ entity: 'purchase_orders', key: '3', fields: { state: 'cancel' } }),
    ).rejects.toMatchObject({
      kind: 'validation',
      message:
        'Odoo refused it: Unable to cancel purchase order P00003 as some receptions have already been done. (UserError)',
    });
    const typo = await connect({
      entities: { purchase_orders: { ...entities.purchase_orders, fields: ['priorty'] } },
    });
    await expect(typo.get('purchase_orders', '1')).rejects.toMatchObject({
      kind: 'permanent',
      message: 'Odoo\'s model purchase.order has no field "priorty"',
    });
    const auditor = await connect({ auth: { username: 'auditor', password: 'auditor-key-5e7a' } });
    expect((await auditor.get('purchase_orders', '1'))?.key).toBe('1');
    await expect(
      auditor.write({ entity: 'purchase_orders', key: '1', fields: { priority: '1' } }),
    ).rejects.toMatchObject({
      kind: 'auth',
      message:
        'Odoo does not allow "auditor" this: You are not allowed to modify \'Purchase Order\' (purchase.order) records. (AccessError)',
    });
  });

  it('says so when the login is wrong, the database unknown, or the password changed mid-run', async () => {
    const wrong = await connect({}, { ODOO_KEY: 'not-the-key' });
    const logins = odoo.logins;
    await expect(wrong.get('purchase_orders', '1')).rejects.toMatchObject({
      kind: 'auth',
      message: 'Odoo refused the login of "erpbridge" on database "odoo": wrong login or password',
    });
    // A refused login is not tried again by the same connection.
    await expect(wrong.get('purchase_orders', '2')).rejects.toMatchObject({ kind: 'auth' });
    expect(odoo.logins).toBe(logins + 1);
    expect((await wrong.test()).message).toMatch(
      /^auth: Odoo refused the login of "erpbridge".*\(from \$\{ODOO_KEY\}\)$/,
    );
    const nowhere = await connect({ database: 'nope' });
    await expect(nowhere.get('purchase_orders', '1')).rejects.toMatchObject({
      kind: 'permanent',
      message: 'Odoo has no database "nope"',
    });

    const erp = await connect();
    expect(await erp.get('purchase_orders', '1')).not.toBeNull();
    const user = TEST_ODOO_USERS[0];
    if (user === undefined) throw new Error('no user');
    const password = user.password;
    user.password = 'rotated-key';
    try {
      await expect(erp.get('purchase_orders', '1')).rejects.toMatchObject({
        kind: 'auth',
        message: 'Odoo refused the login of "erpbridge" on database "odoo": wrong login or password',
      });
    } finally {
      user.password = password;
    }
  });

  it('tests the connection: the server version, the user and what the first entity holds', async () => {
    const erp = await connect();
    expect(await erp.test()).toEqual({
      ok: true,
      message: `Odoo 17.0 at ${odoo.url}, database odoo, logged in as erpbridge (uid 2); purchase_orders (purchase.order): 12 records`,
    });
    const lost = await connect({ baseUrl: `${odoo.url}/odoo` });
    const result = await lost.test();
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(
      /^permanent: Odoo answered HTTP 404 Not Found .*no XML-RPC endpoint there; check connectors\.odoo\.baseUrl/,
    );
  });
});
