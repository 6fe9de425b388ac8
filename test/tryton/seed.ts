import { dayFromIso, isoFromDay } from '../../sandbox/calendar.ts';
import { CATALOGUE, CRITICAL_NOTES, NEUTRAL_NOTES } from '../../sandbox/catalogue.ts';
import {
  isOnBoundary,
  slackThousandths,
  type UrgencyLabel,
  urgencyLabel,
  withLabelNoise,
} from '../../sandbox/hidden-rules.ts';
import { createPrng, type Prng } from '../../sandbox/prng.ts';
import { date, days, decimal, idsOf, recordsOf, type TrytonClient } from './json-rpc-client.ts';

/**
 * What the Tryton test database holds, made over RPC by the admin on a fresh database with the
 * purchase module activated. Deterministic (seeded PRNG): the same version always makes the same
 * records, so the harness caches the database file under {@link TRYTON_SEED_VERSION}.
 *
 * - a company (EUR), and users: `erpbridge` (group Purchase: what the connector logs in as) and
 *   `lockout` (for the login lockout test);
 * - 12 suppliers with a supplier lead time, 2 parties without one (unknown suppliers);
 * - service products from the sandbox's catalogue, and goods products (their purchases stay in
 *   processing, waiting for a shipment);
 * - history: done purchases whose `reference` holds the urgency label the sandbox's hidden rules
 *   give (as of the purchase date, with the buyers' 3 % noise) — what the embedded model learns
 *   from — and a few cancelled ones;
 * - open purchases in draft, quotation and processing, some with a label set when ordered;
 * - fixtures: a draft with lines of 0.10 and 0.20, a quotation whose reference holds a supplier's
 *   reference instead of a label.
 *
 * Bump TRYTON_SEED_VERSION whenever this file changes what the database holds.
 */
export const TRYTON_SEED_VERSION = 2;

/** The day the open orders are planned around; tests decide as of it. */
export const TRYTON_TODAY = '2026-11-02';

export const TRYTON_USERS = {
  admin: { username: 'admin', password: 'tryton-admin-7f3a' },
  erpbridge: { username: 'erpbridge', password: 'erpbridge-9c2e4b' },
  lockout: { username: 'lockout', password: 'lockout-4d1f8a' },
} as const;

const HISTORY = 480;
const CANCELLED = 16;
const OPEN = 72;
const BATCH = 120;

/** What tests need to know about the seeded data. */
export interface TrytonSeedInfo {
  version: number;
  today: string;
  companyId: number;
  counts: { done: number; cancelled: number; open: number };
  /** Open purchase ids by state. */
  open: { draft: number[]; quotation: number[]; processing: number[] };
  /** The hidden-rule label of every open purchase as of today, by id (what a buyer would say). */
  openLabels: Record<string, UrgencyLabel>;
  /** A done purchase, for transition tests. */
  donePurchaseId: number;
  /** A draft purchase with lines of 0.10 and 0.20 (total 0.30). */
  decimalPurchaseId: number;
  /** A quotation whose reference is "SUP-REF-4711" (not an urgency label). */
  foreignReferencePurchaseId: number;
  /** Party codes of suppliers with a lead time, and of the two without. */
  supplierCodes: string[];
  unknownSupplierCodes: string[];
}

interface SupplierSeed {
  id: number;
  code: string;
  addressId: number;
  /** Lead time the rules use: the party's, or 30 days for a party without one. */
  leadTimeDays: number;
}

interface ProductSeed {
  id: number;
  description: string;
  priceCents: readonly [number, number];
  quantity: readonly [number, number];
  uomId: number;
}

const SUPPLIER_NAMES = [
  'Mueller Antriebstechnik GmbH',
  'Schneider Hydraulik AG',
  'Rossi Meccanica S.r.l.',
  'Dubois Industrie SAS',
  'Kowalski Metal Sp. z o.o.',
  'Berg Verktyg AB',
  'Jansen Techniek B.V.',
  'Patel Components Ltd',
  'Weber Elektro KG',
  'Lopez Suministros S.A.',
  'Nguyen Precision Co., Ltd.',
  'Schulz Stahlhandel GmbH',
  'Occasional Trading Ltd',
  'One-off Repairs SARL',
];

/** Seeds a fresh database through `admin` (context without company yet). Takes a few tens of seconds. */
export async function seedTryton(
  admin: TrytonClient,
  withCompany: (companyId: number) => TrytonClient,
  seed = 20261102,
): Promise<TrytonSeedInfo> {
  const prng = createPrng(seed);
  const today = dayFromIso(TRYTON_TODAY);

  const [eur] = idsOf(
    await admin.model('currency.currency', 'create', [
      { name: 'Euro', code: 'EUR', symbol: '€', rounding: decimal('0.01'), digits: 2 },
    ]),
  );
  const [companyParty] = idsOf(
    await admin.model('party.party', 'create', [{ name: 'Erpbridge Test Plant', code: 'PLANT' }]),
  );
  const [companyId] = idsOf(
    await admin.model('company.company', 'create', [{ party: companyParty, currency: eur }]),
  );
  if (eur === undefined || companyId === undefined) throw new Error('seed: currency or company not created');
  await admin.model('res.user', 'write', [1], { companies: [['add', [companyId]]], company: companyId });
  const erp = withCompany(companyId);

  const groups = recordsOf(
    await erp.model('res.group', 'search_read', [['name', '=', 'Purchase']], 0, 1, null, ['id']),
  );
  const purchaseGroup = groups[0]?.id;
  if (typeof purchaseGroup !== 'number') throw new Error('seed: the Purchase group is missing');
  await erp.model(
    'res.user',
    'create',
    [TRYTON_USERS.erpbridge, TRYTON_USERS.lockout].map((user) => ({
      name: user.username,
      login: user.username,
      password: user.password,
      groups: [['add', [purchaseGroup]]],
      companies: [['add', [companyId]]],
      company: companyId,
    })),
  );

  const suppliers = await createSuppliers(erp, prng);
  const products = await createProducts(erp);
  const goods = products.filter((product) => product.description.endsWith('(stocked)'));
  const services = products.filter((product) => !product.description.endsWith('(stocked)'));

  const draft = (
    supplier: SupplierSeed,
    orderDay: number,
    needDay: number,
    lines: LineDraft[],
    extra: object,
  ) => ({
    company: companyId,
    party: supplier.id,
    invoice_address: supplier.addressId,
    currency: eur,
    warehouse: 5,
    invoice_method: 'manual',
    purchase_date: date(isoFromDay(orderDay)),
    delivery_date: date(isoFromDay(needDay)),
    description: lines[0]?.product.description ?? '',
    lines: [
      [
        'create',
        lines.map((line) => ({
          type: 'line',
          product: line.product.id,
          description: line.product.description,
          quantity: line.quantity,
          unit: line.product.uomId,
          unit_price: decimal(cents(line.priceCents)),
        })),
      ],
    ],
    ...extra,
  });

  // History: done and cancelled purchases, the labels as buyers set them when ordering.
  const history: object[] = [];
  const cancelled: object[] = [];
  for (let index = 0; index < HISTORY + CANCELLED; index++) {
    const supplier = pickSupplier(prng, suppliers);
    const orderDay = today - prng.int(125, 730);
    const lines = drawLines(prng, services);
    const notes = drawNotes(prng);
    const daysUntilNeed = needDays(prng, supplier, [1, 120]);
    const label = withLabelNoise(
      urgencyLabel({
        daysUntilNeed,
        leadTimeDays: supplier.leadTimeDays,
        onTimePct: 100,
        notes,
        totalAmount: total(lines),
      }),
      prng,
    );
    const order = draft(supplier, orderDay, orderDay + daysUntilNeed, lines, {
      reference: label,
      comment: notes,
    });
    (index < HISTORY ? history : cancelled).push(order);
  }
  for (const batch of chunks(history, BATCH)) {
    const ids = idsOf(await erp.model('purchase.purchase', 'create', batch));
    await erp.model('purchase.purchase', 'quote', ids);
    await erp.model('purchase.purchase', 'confirm', ids);
  }
  await erp.model(
    'purchase.purchase',
    'cancel',
    idsOf(await erp.model('purchase.purchase', 'create', cancelled)),
  );

  // Open purchases, planned around today.
  const openLabels: Record<string, UrgencyLabel> = {};
  const open = { draft: [] as number[], quotation: [] as number[], processing: [] as number[] };
  const openDrafts: { order: object; state: keyof typeof open; label: UrgencyLabel }[] = [];
  for (let index = 0; index < OPEN; index++) {
    const supplier = pickSupplier(prng, suppliers);
    const orderDay = today - prng.int(0, 60);
    const state = pickState(prng);
    const lines = drawLines(prng, state === 'processing' ? goods : services);
    const notes = drawNotes(prng);
    const daysUntilNeed = needDays(prng, supplier, [-5, 120]);
    const label = urgencyLabel({
      daysUntilNeed,
      leadTimeDays: supplier.leadTimeDays,
      onTimePct: 100,
      notes,
      totalAmount: total(lines),
    });
    // Half the buyers set a label when ordering, as of the order date; the others left it empty.
    const setWhenOrdered = prng.chance(0.5)
      ? urgencyLabel({
          daysUntilNeed: daysUntilNeed + (today - orderDay),
          leadTimeDays: supplier.leadTimeDays,
          onTimePct: 100,
          notes,
          totalAmount: total(lines),
        })
      : null;
    openDrafts.push({
      order: draft(supplier, orderDay, today + daysUntilNeed, lines, {
        reference: setWhenOrdered,
        comment: notes,
      }),
      state,
      label,
    });
  }
  const openIds = idsOf(
    await erp.model(
      'purchase.purchase',
      'create',
      openDrafts.map((entry) => entry.order),
    ),
  );
  openIds.forEach((id, index) => {
    const entry = openDrafts[index];
    if (entry === undefined) return;
    open[entry.state].push(id);
    openLabels[String(id)] = entry.label;
  });
  const advanced = [...open.quotation, ...open.processing];
  if (advanced.length > 0) await erp.model('purchase.purchase', 'quote', advanced);
  if (open.processing.length > 0) await erp.model('purchase.purchase', 'confirm', open.processing);

  // Fixtures.
  const [plain] = suppliers;
  const service = services[0];
  if (plain === undefined || service === undefined) throw new Error('seed: no supplier or product');
  const fixture = (reference: string | null, comment: string, prices: string[]) =>
    draft(plain, today - 3, today + 90, [], {
      reference,
      comment,
      lines: [
        [
          'create',
          prices.map((price) => ({
            type: 'line',
            product: service.id,
            description: service.description,
            quantity: 1,
            unit: service.uomId,
            unit_price: decimal(price),
          })),
        ],
      ],
    });
  const [decimalPurchaseId, foreignReferencePurchaseId] = idsOf(
    await erp.model('purchase.purchase', 'create', [
      fixture(null, 'decimal fixture', ['0.10', '0.20']),
      fixture('SUP-REF-4711', "the supplier's own reference", ['12.50']),
    ]),
  );
  if (decimalPurchaseId === undefined || foreignReferencePurchaseId === undefined)
    throw new Error('seed: fixtures');
  await erp.model('purchase.purchase', 'quote', [foreignReferencePurchaseId]);
  open.draft.push(decimalPurchaseId);
  open.quotation.push(foreignReferencePurchaseId);

  const done = recordsOf(
    await erp.model(
      'purchase.purchase',
      'search_read',
      [['state', '=', 'done']],
      0,
      1,
      [['id', 'ASC']],
      ['id'],
    ),
  );
  const donePurchaseId = done[0]?.id;
  if (typeof donePurchaseId !== 'number') throw new Error('seed: no purchase reached done');
  const states = recordsOf(
    await erp.model('purchase.purchase', 'search_read', [['id', 'in', open.processing]], 0, null, null, [
      'state',
    ]),
  );
  const stuck = states.filter((record) => record.state !== 'processing');
  if (stuck.length > 0) throw new Error(`seed: ${stuck.length} confirmed purchases did not reach processing`);

  return {
    version: TRYTON_SEED_VERSION,
    today: TRYTON_TODAY,
    companyId,
    counts: { done: HISTORY, cancelled: CANCELLED, open: OPEN + 2 },
    open,
    openLabels,
    donePurchaseId,
    decimalPurchaseId,
    foreignReferencePurchaseId,
    supplierCodes: suppliers.filter((supplier) => supplier.code <= 'SUP12').map((supplier) => supplier.code),
    unknownSupplierCodes: ['SUP13', 'SUP14'],
  };
}

interface LineDraft {
  product: ProductSeed;
  quantity: number;
  priceCents: number;
}

async function createSuppliers(erp: TrytonClient, prng: Prng): Promise<SupplierSeed[]> {
  const drafts = SUPPLIER_NAMES.map((name, index) => {
    const code = `SUP${String(index + 1).padStart(2, '0')}`;
    const known = index < 12;
    const leadTimeDays = known ? prng.int(4, 42) : 30;
    return {
      party: {
        name,
        code,
        ...(known ? { supplier_lead_time: days(leadTimeDays) } : {}),
        addresses: [['create', [{ street: `${index + 1} Industriestrasse`, city: 'Liège' }]]],
      },
      code,
      leadTimeDays,
    };
  });
  const ids = idsOf(
    await erp.model(
      'party.party',
      'create',
      drafts.map((draft) => draft.party),
    ),
  );
  const addresses = recordsOf(
    await erp.model('party.address', 'search_read', [['party', 'in', ids]], 0, null, null, ['party']),
  );
  return drafts.map((draft, index) => {
    const id = ids[index];
    const address = addresses.find((candidate) => candidate.party === id)?.id;
    if (id === undefined || typeof address !== 'number')
      throw new Error(`seed: supplier ${draft.code} incomplete`);
    return { id, code: draft.code, addressId: address, leadTimeDays: draft.leadTimeDays };
  });
}

async function createProducts(erp: TrytonClient): Promise<ProductSeed[]> {
  const units = recordsOf(await erp.model('product.uom', 'search_read', [], 0, null, null, ['symbol']));
  const unitId = (symbol: string): number => {
    const found = units.find((unit) => unit.symbol === symbol)?.id;
    if (typeof found !== 'number') throw new Error(`seed: no unit ${symbol}`);
    return found;
  };
  const uomOf = { EA: unitId('u'), PC: unitId('u'), KG: unitId('kg'), M: unitId('m') } as const;
  const items = [
    ...CATALOGUE.slice(0, 30).map((item) => ({ item, type: 'service', description: item.description })),
    ...CATALOGUE.slice(30, 34).map((item) => ({
      item,
      type: 'goods',
      description: `${item.description} (stocked)`,
    })),
  ];
  const templates = items.map(({ item, type, description }) => ({
    name: description,
    type,
    default_uom: uomOf[item.uom],
    purchase_uom: uomOf[item.uom],
    purchasable: true,
    list_price: decimal(cents(item.priceCents[1])),
    products: [['create', [{ suffix_code: String(item.materialNumber) }]]],
  }));
  const templateIds = idsOf(await erp.model('product.template', 'create', templates));
  const products = recordsOf(
    await erp.model('product.product', 'search_read', [['template', 'in', templateIds]], 0, null, null, [
      'template',
    ]),
  );
  return items.map(({ item, description }, index) => {
    const id = products.find((product) => product.template === templateIds[index])?.id;
    if (typeof id !== 'number') throw new Error(`seed: product ${description} missing`);
    return { id, description, priceCents: item.priceCents, quantity: item.quantity, uomId: uomOf[item.uom] };
  });
}

function pickSupplier(prng: Prng, suppliers: readonly SupplierSeed[]): SupplierSeed {
  // Skewed like any plant's: a few suppliers get most orders; the unknown ones get a few.
  const supplier = suppliers[Math.floor(suppliers.length * prng.next() ** 1.3)];
  if (supplier === undefined) throw new Error('seed: no suppliers');
  return supplier;
}

function pickState(prng: Prng): 'draft' | 'quotation' | 'processing' {
  const draw = prng.next();
  // Confirming goods purchases (stock moves) is the slowest step of the seed: a fifth is enough.
  return draw < 0.4 ? 'draft' : draw < 0.8 ? 'quotation' : 'processing';
}

/** Days from the reference day to the need-by date for a drawn slack, off the rules' thresholds. */
function needDays(prng: Prng, supplier: SupplierSeed, range: readonly [number, number]): number {
  const band = prng.next();
  const draw = prng.next();
  const slack = band < 0.08 ? -20 + draw * 20 : band < 0.3 ? draw * 12 : 12 - 30 * Math.log(1 - draw);
  let result = Math.min(range[1], Math.max(range[0], Math.round(supplier.leadTimeDays + slack)));
  const exact = slackThousandths({
    daysUntilNeed: result,
    leadTimeDays: supplier.leadTimeDays,
    onTimePct: 100,
  });
  if (isOnBoundary(exact)) result = result + 1 <= range[1] ? result + 1 : result - 1;
  return result;
}

function drawNotes(prng: Prng): string {
  const band = prng.next();
  const critical = prng.pick(CRITICAL_NOTES);
  const neutral = prng.pick(NEUTRAL_NOTES);
  return band < 0.06 ? critical : band < 0.3 ? neutral : '';
}

function drawLines(prng: Prng, products: readonly ProductSeed[]): LineDraft[] {
  const count = prng.pick([1, 1, 1, 2, 2, 3]);
  return Array.from({ length: count }, () => {
    const product = prng.pick(products);
    const [low, high] = product.quantity;
    return {
      product,
      quantity: Math.max(1, Math.round(low + (Math.min(high, low * 20) - low) * prng.next())),
      priceCents: prng.int(product.priceCents[0], product.priceCents[1]),
    };
  });
}

function total(lines: readonly LineDraft[]): number {
  return lines.reduce((sum, line) => sum + (line.quantity * line.priceCents) / 100, 0);
}

function cents(value: number): string {
  return (value / 100).toFixed(2);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, index * size + size),
  );
}
