import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { dayFromIso, isoFromDay } from '../../../sandbox/calendar.ts';
import { CATALOGUE, CRITICAL_NOTES, NEUTRAL_NOTES } from '../../../sandbox/catalogue.ts';
import { urgencyLabel, withLabelNoise } from '../../../sandbox/hidden-rules.ts';
import { createPrng } from '../../../sandbox/prng.ts';
import { TEST_ODOO_USERS, testOdooPurchases } from '../../connectors/rpc/test-odoo-purchases.ts';
import { startTestOdoo, type TestOdoo } from '../../connectors/rpc/test-odoo-server.ts';
import { type CliContext, openContext } from '../../runtime/context.ts';
import { odooEntities } from './index.ts';

/**
 * The odoo profile end to end, against an XML-RPC server that follows Odoo's execute_kw
 * conventions (Odoo itself cannot be installed here; see docs/erp/odoo.md): po-urgency learns from
 * done orders whose priority star buyers set, stars the open orders it finds urgent, and a buyer's
 * own star set between plan and apply is a conflict.
 */

const TODAY = '2026-11-02';
/** The lead time the buyers' rules assume; Odoo plans it into date_planned, the profile reports 0. */
const LEAD_DAYS = 14;

function seededOdoo() {
  const prng = createPrng(4711);
  const app = testOdooPurchases();
  const today = dayFromIso(TODAY);
  const vendors = Array.from({ length: 8 }, (_, index) => {
    const rate = 60 + prng.int(0, 40);
    return { id: app.addVendor(`Vendor ${index + 1}`, rate), rate };
  });
  const silent = app.addVendor('New Vendor SA', -1);
  const products = CATALOGUE.slice(0, 20).map((item) => ({ id: app.addProduct(item.description), item }));
  const order = (state: string, orderDay: number, needDay: number, reference: number) => {
    const vendor = prng.chance(0.1) ? { id: silent, rate: 85 } : prng.pick(vendors);
    const product = prng.pick(products);
    const quantity = prng.int(1, 40);
    const price = prng.int(product.item.priceCents[0], product.item.priceCents[1]) / 100;
    const band = prng.next();
    const notes = band < 0.06 ? prng.pick(CRITICAL_NOTES) : band < 0.3 ? prng.pick(NEUTRAL_NOTES) : '';
    const label = urgencyLabel({
      daysUntilNeed: needDay - reference,
      leadTimeDays: LEAD_DAYS,
      onTimePct: vendor.rate,
      notes,
      totalAmount: quantity * price,
    });
    return {
      partner: vendor.id,
      dateOrder: isoFromDay(orderDay),
      datePlanned: isoFromDay(needDay),
      state,
      notes,
      lines: [{ product: product.id, name: product.item.description, quantity, price }],
      label,
    };
  };
  for (let index = 0; index < 360; index++) {
    const orderDay = today - prng.int(125, 700);
    const drawn = order('done', orderDay, orderDay + prng.int(1, 90), orderDay);
    const noisy = withLabelNoise(drawn.label, prng);
    app.addOrder({ ...drawn, priority: noisy === 'urgent' ? '1' : '0' });
  }
  const open = new Map<number, string>();
  for (let index = 0; index < 50; index++) {
    const drawn = order(
      prng.pick(['draft', 'sent', 'purchase']),
      today - prng.int(0, 60),
      today + prng.int(-5, 90),
      today,
    );
    open.set(app.addOrder({ ...drawn, priority: '0' }), drawn.label);
  }
  return { models: app.models, open };
}

describe('the odoo profile, end to end over XML-RPC (execute_kw)', () => {
  let odoo: TestOdoo;
  let context: CliContext;
  let open: Map<number, string>;
  let dir: string | undefined;

  beforeAll(async () => {
    const seeded = seededOdoo();
    open = seeded.open;
    odoo = await startTestOdoo({ users: TEST_ODOO_USERS, models: seeded.models });
    dir = mkdtempSync(join(tmpdir(), 'erpbridge-odoo-'));
    const file = join(dir, 'erpbridge.yaml');
    writeFileSync(
      file,
      stringify({
        version: 1,
        store: { path: join(dir, 'erpbridge.sqlite') },
        connectors: {
          odoo: {
            kind: 'rpc',
            dialect: 'odoo',
            baseUrl: '${ODOO_URL}',
            database: odoo.database,
            auth: { username: 'erpbridge', password: '${ODOO_API_KEY}' },
            entities: odooEntities,
          },
        },
        workflows: {
          'po-urgency': {
            connector: 'odoo',
            profile: 'odoo',
            write: { field: 'priority', labels: ['urgent'] },
            policy: { mode: 'auto', minConfidence: 0.5 },
            batchSize: 20,
          },
        },
      }),
    );
    context = await openContext({
      configFile: file,
      env: { ODOO_URL: odoo.url, ODOO_API_KEY: 'odoo-api-key-8c1d' },
    });
  });

  afterAll(async () => {
    await context?.close();
    await odoo?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const priorities = () =>
    new Map(
      [...open.keys()].map((id) => [String(id), odoo.models['purchase.order']?.records.get(id)?.priority]),
    );

  it('stars what the model finds urgent; Odoo holds exactly that, and a buyer’s own star is a conflict', async () => {
    const workflow = context.workflow('po-urgency');
    const dry = await context.engine.run(workflow, { dryRun: true, asOf: TODAY });
    expect(dry.run.stats.read).toBe(50);
    expect(dry.run.stats.failed).toBe(0);
    const approved = await context.store.listChanges(dry.run.id, { states: ['approved'] });
    expect(approved.length).toBeGreaterThan(1);
    expect(
      approved.every((change) => change.before.priority === 'normal' && change.after.priority === 'urgent'),
    ).toBe(true);
    const urgentByRules = approved.filter((change) => open.get(Number(change.recordId)) === 'urgent');
    expect(urgentByRules.length / approved.length).toBeGreaterThanOrEqual(0.6);
    expect([...priorities().values()].every((priority) => priority === '0')).toBe(true);

    const [starred, ...others] = approved;
    if (starred === undefined) throw new Error('nothing planned');
    odoo.edit('purchase.order', Number(starred.recordId), { priority: '1' });

    const applied = await context.engine.apply(workflow, dry.run.id);
    expect(applied.changes).toMatchObject({ applied: others.length, conflict: 1 });
    expect((await context.store.getChange(starred.id))?.error).toBe(
      'changed in the ERP since the plan: expected priority="normal", found priority="urgent"',
    );
    const after = priorities();
    const changed = new Set(approved.map((change) => change.recordId));
    for (const [id, priority] of after) expect(priority, `order ${id}`).toBe(changed.has(id) ? '1' : '0');
    const writes = odoo.calls.filter((call) => call.model === 'purchase.order' && call.method === 'write');
    expect(writes).toHaveLength(others.length);
    for (const write of writes) {
      expect(write.args[1]).toEqual({ priority: '1' });
      expect(write.kwargs.context).toMatchObject({ __last_update: expect.any(Object) });
    }
  });
});
