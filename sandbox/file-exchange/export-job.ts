import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { PurchaseOrderRepository } from '../purchase-order-repository.ts';
import type { PoStatus } from '../records.ts';
import type { SupplierRepository } from '../supplier-repository.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { orders05File, x12PurchaseOrders } from './edi-exports.ts';

/**
 * The sandbox ERP's export job: the same orders the REST API serves, as the CSV files a legacy ERP
 * drops on a share — `;`-separated, CRLF, UTF-8, one row per order line with the header fields
 * repeated, figures with a decimal comma. Each file is written atomically into `outbound/`.
 */

/** The columns of a purchase-order export, in order. */
export const PO_EXPORT_COLUMNS = [
  'po_number',
  'supplier_id',
  'order_date',
  'need_by',
  'total_amount',
  'currency',
  'description',
  'notes',
  'buyer',
  'status',
  'priority',
  'updated_at',
  'line_no',
  'item_no',
  'line_description',
  'quantity',
  'uom',
  'unit_price',
  'line_need_by',
] as const;

/** The columns of a supplier export, in order. */
export const SUPPLIER_EXPORT_COLUMNS = [
  'supplier_id',
  'name',
  'country',
  'lead_time_days',
  'on_time_pct',
] as const;

/** The export's CSV dialect, shared with the import job and its results. */
export const EXCHANGE_CSV = { delimiter: ';', record_delimiter: 'windows' } as const;

const ExportedLine = z.object({
  line_no: z.string(),
  item_no: z.string(),
  description: z.string(),
  quantity: z.string(),
  uom: z.string(),
  unit_price: z.number(),
  need_by: z.string(),
});

/** An order as the repository serves it, checked. */
export type ExportedOrder = z.infer<typeof ExportedOrder>;
const ExportedOrder = z.object({
  po_number: z.string(),
  supplier_id: z.string(),
  order_date: z.string(),
  need_by: z.string(),
  total_amount: z.string(),
  currency: z.string(),
  description: z.string(),
  notes: z.string(),
  buyer: z.string(),
  status: z.string(),
  priority: z.string(),
  updated_at: z.string(),
  lines: z.array(ExportedLine),
});

const PAGE = 1000;

export interface ExportJobDependencies {
  purchaseOrders: PurchaseOrderRepository;
  suppliers: SupplierRepository;
  /** The folder exports go to (`<dir>/outbound`). */
  outboundDir: string;
  /** Also write `<name>.done` after each file. */
  doneMarkers: boolean;
  /** Also export open orders as IDoc ORDERS05 (`outbound/idoc/`) and X12 850 (`outbound/x12/`). */
  alsoExport: readonly ('idoc' | 'x12')[];
  now?: () => Date;
}

/** What the export job can write, each call one file; returns the file's path. */
export interface ExportJob {
  /** Open orders: `po-open-<stamp>.csv`. */
  exportOpenOrders(): string;
  /** Closed and cancelled orders, the buyers' history: `po-history-<stamp>.csv`. */
  exportHistory(): string;
  /** `suppliers-<stamp>.csv`. */
  exportSuppliers(): string;
}

export function createExportJob(dependencies: ExportJobDependencies): ExportJob {
  const { purchaseOrders, suppliers, outboundDir, doneMarkers, alsoExport } = dependencies;
  const now = dependencies.now ?? (() => new Date());
  let sequence = 0;

  /** Writes one file atomically (and its marker); returns its path. */
  const write = (dir: string, name: string, content: string): string => {
    const path = join(dir, name);
    writeFileAtomic(path, content);
    if (doneMarkers) writeFileAtomic(`${path}.done`, '');
    return path;
  };
  const nextName = (prefix: string, extension: string, at: Date): string => {
    sequence++;
    const stamp = at.toISOString().replace(/[-:]/g, '').replace('.', '').replace('Z', '');
    return `${prefix}-${stamp}-${String(sequence).padStart(4, '0')}${extension}`;
  };
  const writeCsv = (prefix: string, rows: string[][]): string =>
    write(outboundDir, nextName(prefix, '.csv', now()), stringify(rows, EXCHANGE_CSV));

  const orders = (statuses: readonly PoStatus[]): ExportedOrder[] => {
    const found: ExportedOrder[] = [];
    for (const status of statuses) {
      for (let offset = 0; ; offset += PAGE) {
        const page = purchaseOrders.listJson(status, offset, PAGE);
        for (const json of page) found.push(ExportedOrder.parse(JSON.parse(json)));
        if (page.length < PAGE) break;
      }
    }
    return found;
  };
  const orderRows = (list: readonly ExportedOrder[]): string[][] => [
    [...PO_EXPORT_COLUMNS],
    ...list.flatMap(rowsOf),
  ];

  return {
    exportOpenOrders() {
      const open = orders(['OPEN']);
      const path = writeCsv('po-open', orderRows(open));
      const at = now();
      if (alsoExport.includes('idoc')) {
        const xml = orders05File(open, at, sequence * 100_000);
        if (xml !== null) write(join(outboundDir, 'idoc'), nextName('po-open', '.xml', at), xml);
      }
      if (alsoExport.includes('x12')) {
        const x12 = x12PurchaseOrders(open, at, sequence);
        if (x12 !== null) write(join(outboundDir, 'x12'), nextName('po-open', '.x12', at), x12);
      }
      return path;
    },
    exportHistory: () => writeCsv('po-history', orderRows(orders(['CLOSED', 'CANCELLED']))),
    exportSuppliers() {
      const rows: string[][] = [[...SUPPLIER_EXPORT_COLUMNS]];
      for (let offset = 0; ; offset += PAGE) {
        const page = suppliers.list(offset, PAGE);
        for (const supplier of page) rows.push(SUPPLIER_EXPORT_COLUMNS.map((column) => supplier[column]));
        if (page.length < PAGE) break;
      }
      return writeCsv('suppliers', rows);
    },
  };
}

/** One row per line of the order (one row without line fields for an order without lines). */
function rowsOf(order: z.infer<typeof ExportedOrder>): string[][] {
  const header = [
    order.po_number,
    order.supplier_id,
    order.order_date,
    order.need_by,
    order.total_amount,
    order.currency,
    order.description,
    order.notes,
    order.buyer,
    order.status,
    order.priority,
    order.updated_at,
  ];
  if (order.lines.length === 0) return [[...header, '', '', '', '', '', '', '']];
  return order.lines.map((line) => [
    ...header,
    line.line_no,
    line.item_no,
    line.description,
    line.quantity,
    line.uom,
    String(line.unit_price).replace('.', ','),
    line.need_by,
  ]);
}
