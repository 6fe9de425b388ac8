import type { RpcStruct } from './rpc-values.ts';
import type { TestOdooModel, TestOdooRecord, TestOdooUser } from './test-odoo-server.ts';

/**
 * The Purchase app's models for the test Odoo server (startTestOdoo): vendors, products, units,
 * currencies, users, purchase orders and their lines, with the fields the odoo profile reads and
 * Odoo's types for them. `amount_total` is computed from the lines, in cents, as Odoo rounds it.
 */

export const TEST_ODOO_USERS: TestOdooUser[] = [
  { login: 'erpbridge', password: 'odoo-api-key-8c1d', uid: 2, canWrite: true },
  { login: 'auditor', password: 'auditor-key-5e7a', uid: 7, canWrite: false },
];

export interface TestOdooOrder {
  partner: number;
  dateOrder: string;
  datePlanned: string;
  state: string;
  priority: '0' | '1';
  notes: string;
  lines: { product: number; name: string; quantity: number; price: number }[];
  partnerRef?: string;
}

export interface TestOdooPurchases {
  models: Record<string, TestOdooModel>;
  /** Adds a vendor; returns its id. */
  addVendor(name: string, onTimeRate: number, country?: string): number;
  /** Adds a product; returns its id. */
  addProduct(name: string): number;
  /** Adds an order with its lines; returns its id. */
  addOrder(order: TestOdooOrder): number;
}

/** Empty Purchase app models (one currency, one unit, two users), ready to fill. */
export function testOdooPurchases(): TestOdooPurchases {
  const table = (rows: TestOdooRecord[] = []) => new Map(rows.map((row) => [row.id, row]));
  const stamp = '2026-10-01 08:00:00';
  const models: Record<string, TestOdooModel> = {
    'res.currency': {
      description: 'Currency',
      fields: { name: { type: 'char' } },
      records: table([{ id: 1, name: 'EUR' }]),
    },
    'uom.uom': {
      description: 'Unit',
      fields: { name: { type: 'char' } },
      records: table([{ id: 1, name: 'Units' }]),
    },
    'res.users': {
      description: 'User',
      fields: { name: { type: 'char' }, login: { type: 'char' } },
      records: table([
        { id: 2, name: 'Mitchell Admin', login: 'erpbridge' },
        { id: 7, name: 'Audrey Auditor', login: 'auditor' },
      ]),
    },
    'res.partner': {
      description: 'Contact',
      fields: {
        name: { type: 'char' },
        country_code: { type: 'char' },
        supplier_rank: { type: 'integer' },
        on_time_rate: { type: 'float' },
        write_date: { type: 'datetime' },
      },
      records: table(),
    },
    'product.product': {
      description: 'Product',
      nameField: 'display_name',
      fields: { display_name: { type: 'char' } },
      records: table(),
    },
    'purchase.order.line': {
      description: 'Purchase Order Line',
      fields: {
        order_id: { type: 'many2one', relation: 'purchase.order' },
        display_type: { type: 'selection', selection: ['line_section', 'line_note'] },
        product_id: { type: 'many2one', relation: 'product.product' },
        name: { type: 'text' },
        product_qty: { type: 'float' },
        price_unit: { type: 'float' },
        product_uom: { type: 'many2one', relation: 'uom.uom' },
        date_planned: { type: 'datetime' },
        write_date: { type: 'datetime' },
      },
      records: table(),
    },
    'purchase.order': {
      description: 'Purchase Order',
      fields: {
        name: { type: 'char' },
        partner_id: { type: 'many2one', relation: 'res.partner' },
        partner_ref: { type: 'char' },
        date_order: { type: 'datetime' },
        date_planned: { type: 'datetime' },
        amount_total: {
          type: 'float',
          compute: (order, server) => {
            const lines = [...(server.models['purchase.order.line']?.records.values() ?? [])].filter(
              (line) => line.order_id === order.id,
            );
            const cents = lines.reduce(
              (sum, line) => sum + Math.round(Number(line.product_qty) * Number(line.price_unit) * 100),
              0,
            );
            return cents / 100;
          },
        },
        currency_id: { type: 'many2one', relation: 'res.currency' },
        state: {
          type: 'selection',
          selection: ['draft', 'sent', 'to approve', 'purchase', 'done', 'cancel'],
        },
        notes: { type: 'html' },
        user_id: { type: 'many2one', relation: 'res.users' },
        priority: { type: 'selection', selection: ['0', '1'] },
        order_line: { type: 'one2many', relation: 'purchase.order.line', inverse: 'order_id' },
        write_date: { type: 'datetime' },
      },
      records: table(),
    },
  };
  const insert = (model: string, values: RpcStruct): number => {
    const records = models[model]?.records;
    if (records === undefined) throw new Error(`no model ${model}`);
    const id = records.size === 0 ? 1 : Math.max(...records.keys()) + 1;
    records.set(id, { ...values, id, write_date: stamp });
    return id;
  };
  return {
    models,
    addVendor: (name, onTimeRate, country = 'BE') =>
      insert('res.partner', { name, country_code: country, supplier_rank: 1, on_time_rate: onTimeRate }),
    addProduct: (name) => insert('product.product', { display_name: name }),
    addOrder(order) {
      const id = insert('purchase.order', {
        name: `P${String((models['purchase.order']?.records.size ?? 0) + 1).padStart(5, '0')}`,
        partner_id: order.partner,
        partner_ref: order.partnerRef ?? false,
        date_order: `${order.dateOrder} 09:00:00`,
        date_planned: `${order.datePlanned} 12:00:00`,
        currency_id: 1,
        state: order.state,
        notes: order.notes === '' ? false : `<p>${order.notes}</p>`,
        user_id: 2,
        priority: order.priority,
      });
      for (const line of order.lines) {
        insert('purchase.order.line', {
          order_id: id,
          display_type: false,
          product_id: line.product,
          name: line.name,
          product_qty: line.quantity,
          price_unit: line.price,
          product_uom: 1,
          date_planned: `${order.datePlanned} 12:00:00`,
        });
      }
      return id;
    },
  };
}
