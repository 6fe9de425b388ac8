import type { RpcEntityInput } from '../../connectors/rpc/index.ts';
import { statusFilterValues } from '../rpc-purchase-orders.ts';
import { TRYTON_PURCHASE_STATES, TRYTON_URGENCY_FIELD } from './purchase-order-mapping.ts';

/**
 * The `entities` an `rpc` connector needs for the tryton profile: which models and fields to read,
 * how a workflow's `status` filter becomes a domain, and what may be written. docs/erp/tryton.md
 * prints the same as YAML (a test keeps the two equal).
 */
export const trytonEntities: Record<'purchase_orders' | 'suppliers', RpcEntityInput> = {
  purchase_orders: {
    model: 'purchase.purchase',
    fields: [
      'number',
      'reference',
      'description',
      'comment',
      'state',
      'purchase_date',
      'delivery_date',
      'create_date',
      'write_date',
      'total_amount',
      'party.code',
      'currency.code',
      'create_uid.login',
    ],
    filters: {
      status: {
        field: 'state',
        values: statusFilterValues(TRYTON_PURCHASE_STATES),
      },
    },
    children: {
      lines: {
        model: 'purchase.line',
        inverse: 'purchase',
        fields: [
          'type',
          'product.code',
          'description',
          'quantity',
          'unit_price',
          'unit.symbol',
          'delivery_date',
        ],
      },
    },
    write: { fields: [TRYTON_URGENCY_FIELD, 'comment'] },
  },
  suppliers: {
    model: 'party.party',
    fields: ['code', 'name', 'supplier_lead_time', 'addresses.country.code'],
  },
};
