import type { RpcEntityInput } from '../../connectors/rpc/index.ts';
import { statusFilterValues } from '../rpc-purchase-orders.ts';
import { ODOO_PURCHASE_STATES } from './purchase-order-mapping.ts';

/**
 * The `entities` an `rpc` connector (dialect odoo) needs for the odoo profile. docs/erp/odoo.md
 * prints the same as YAML (a test keeps the two equal).
 */
export const odooEntities: Record<'purchase_orders' | 'suppliers', RpcEntityInput> = {
  purchase_orders: {
    model: 'purchase.order',
    fields: [
      'name',
      'partner_id',
      'partner_ref',
      'date_order',
      'date_planned',
      'amount_total',
      'currency_id',
      'state',
      'notes',
      'user_id',
      'priority',
      'write_date',
    ],
    filters: {
      status: {
        field: 'state',
        values: statusFilterValues(ODOO_PURCHASE_STATES),
      },
    },
    children: {
      order_line: {
        model: 'purchase.order.line',
        inverse: 'order_id',
        fields: [
          'display_type',
          'product_id',
          'name',
          'product_qty',
          'price_unit',
          'product_uom',
          'date_planned',
        ],
      },
    },
    write: { fields: ['priority', 'notes'] },
  },
  suppliers: {
    model: 'res.partner',
    domain: [['supplier_rank', '>', 0]],
    fields: ['name', 'country_code', 'on_time_rate'],
  },
};
