import type Database from 'better-sqlite3';
import { seedAccountsPayable } from './invoices/seed-invoices.ts';
import { generatePurchaseOrders } from './order-generator.ts';
import type { PurchaseOrderHeader } from './records.ts';
import { INDEX_DDL, SCHEMA_VERSION, TABLE_DDL } from './schema.ts';
import type { SeedParameters } from './seed-parameters.ts';
import { generateSuppliers } from './supplier-generator.ts';

/** How many rows a seed wrote. */
export interface SeedCounts {
  suppliers: number;
  openOrders: number;
  historyOrders: number;
  lines: number;
}

/** Meta keys the seed writes; a file is reused only when both match. */
export const META_KEYS = { schemaVersion: 'schema_version', seedParameters: 'seed_parameters' } as const;

/** The seed parameters as stored in the meta table: a canonical JSON string. */
export function seedParametersKey(parameters: SeedParameters): string {
  const { seed, orders, history, suppliers, today } = parameters;
  return JSON.stringify({ seed, orders, history, suppliers, today });
}

/**
 * Creates the schema in an empty database and fills it with the generated data in one transaction,
 * through prepared statements. Indexes are built after the rows are in, which is faster.
 */
export function seedDatabase(db: Database.Database, parameters: SeedParameters): SeedCounts {
  db.exec(TABLE_DDL);
  const insertSupplier = db.prepare(
    `INSERT INTO suppliers (supplier_id, name, country, lead_time_days, on_time_pct)
     VALUES (@supplier_id, @name, @country, @lead_time_days, @on_time_pct)`,
  );
  const insertOrder = db.prepare<PurchaseOrderHeader>(
    `INSERT INTO purchase_orders (po_number, supplier_id, order_date, need_by, total_amount, currency,
       description, notes, buyer, status, priority, updated_at)
     VALUES (@po_number, @supplier_id, @order_date, @need_by, @total_amount, @currency,
       @description, @notes, @buyer, @status, @priority, @updated_at)`,
  );
  const insertLine = db.prepare<[string, string, string, string, string, string, number, string]>(
    `INSERT INTO purchase_order_lines (po_number, line_no, item_no, description, quantity, uom, unit_price, need_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTruth = db.prepare<[string, string]>(
    'INSERT INTO truth_labels (po_number, label) VALUES (?, ?)',
  );
  const insertMeta = db.prepare<[string, string]>('INSERT INTO meta (key, value) VALUES (?, ?)');

  const seedAll = db.transaction((): SeedCounts => {
    const counts: SeedCounts = { suppliers: 0, openOrders: 0, historyOrders: 0, lines: 0 };
    const suppliers = generateSuppliers(parameters.seed, parameters.suppliers);
    for (const supplier of suppliers) {
      insertSupplier.run(supplier.record);
      counts.suppliers++;
    }
    for (const order of generatePurchaseOrders(parameters, suppliers)) {
      const { header } = order;
      insertOrder.run(header);
      for (const line of order.lines) {
        insertLine.run(
          header.po_number,
          line.line_no,
          line.item_no,
          line.description,
          line.quantity,
          line.uom,
          line.unit_price,
          line.need_by,
        );
        counts.lines++;
      }
      if (header.status === 'OPEN') {
        insertTruth.run(header.po_number, order.ruleLabel);
        counts.openOrders++;
      } else {
        counts.historyOrders++;
      }
    }
    // Invoices, goods receipts and planted price anomalies (sandbox/invoices), from the orders above.
    seedAccountsPayable(db, parameters);
    db.exec(INDEX_DDL);
    insertMeta.run(META_KEYS.schemaVersion, String(SCHEMA_VERSION));
    insertMeta.run(META_KEYS.seedParameters, seedParametersKey(parameters));
    return counts;
  });
  return seedAll();
}
