import type { Supplier } from '../canonical/supplier.ts';
import type { Connection } from '../connectors/contract.ts';
import type { Profile } from '../profiles/contract.ts';
import { extractMapped } from './extract.ts';

/** Loads every supplier once per run (a few hundred records) as the lookup workflows decide with. */
export async function loadSuppliers(
  connection: Connection,
  profile: Profile,
): Promise<Map<string, Supplier>> {
  const suppliers = new Map<string, Supplier>();
  for await (const page of extractMapped(connection, profile.supplier, { pageSize: 1000 })) {
    for (const supplier of page.records) suppliers.set(supplier.id, supplier);
  }
  return suppliers;
}
