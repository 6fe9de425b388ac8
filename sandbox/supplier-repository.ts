import type Database from 'better-sqlite3';
import type { SupplierRecord } from './records.ts';

/** Reads suppliers; they are not writable through the API. */
export interface SupplierRepository {
  count(): number;
  /** Suppliers in `supplier_id` order. */
  list(offset: number, limit: number): SupplierRecord[];
  get(supplierId: string): SupplierRecord | null;
}

const COLUMNS = 'supplier_id, name, country, lead_time_days, on_time_pct';

/** Creates the repository over prepared statements. */
export function createSupplierRepository(db: Database.Database): SupplierRepository {
  const selectPage = db.prepare<[number, number], SupplierRecord>(
    `SELECT ${COLUMNS} FROM suppliers ORDER BY supplier_id LIMIT ? OFFSET ?`,
  );
  const selectOne = db.prepare<[string], SupplierRecord>(
    `SELECT ${COLUMNS} FROM suppliers WHERE supplier_id = ?`,
  );
  const total =
    db.prepare<[], { total: number }>('SELECT count(*) AS total FROM suppliers').get()?.total ?? 0;
  return {
    count: () => total,
    list: (offset, limit) => selectPage.all(limit, offset),
    get: (supplierId) => selectOne.get(supplierId) ?? null,
  };
}
