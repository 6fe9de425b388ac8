import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropTargetSchema,
  type MaterialiseTarget,
  materialise,
  PERSONALITY_NAMES,
} from '../sandbox/database-personalities/index.ts';
import type { Sandbox } from '../sandbox/index.ts';
import type { PurchaseOrder } from '../src/canonical/purchase-order.ts';
import type { Supplier } from '../src/canonical/supplier.ts';
import type { Connection } from '../src/connectors/contract.ts';
import { connectConnector } from '../src/connectors/registry.ts';
import { probeServer, skipWithout, uniqueSchema } from '../src/connectors/sql/test-databases.ts';
import type { EntityMapping } from '../src/profiles/contract.ts';
import { profiles } from '../src/profiles/index.ts';
import { tempDir, testSandbox } from './support/harness.ts';

/**
 * The same ERP data read two ways must give the same canonical purchase orders and suppliers:
 * through the sandbox's REST API with the sandbox profile, and through the `sql` connector with
 * each table profile from each personality materialised into SQLite, PostgreSQL and MariaDB.
 * Only `version` and `updatedAt` differ by nature (an ETag with milliseconds against a change time
 * to the second), so those are compared to the second.
 */

const dir = tempDir('sql-extract');
let sandbox: Sandbox;
let restOrders: Map<string, PurchaseOrder>;
let restSuppliers: Map<string, Supplier>;
const schemas: MaterialiseTarget[] = [];

async function readAll<T extends { id: string }>(
  connection: Connection,
  mapping: EntityMapping<T>,
  filter?: Record<string, string>,
): Promise<Map<string, T>> {
  const read = new Map<string, T>();
  for await (const page of connection.read({
    entity: mapping.vendorEntity,
    pageSize: 97,
    ...(filter ? { filter } : {}),
  })) {
    expect(page.rejects ?? []).toEqual([]);
    for (const record of page.records) {
      const canonical = mapping.toCanonical(record);
      expect(read.has(canonical.id), `${canonical.id} read twice`).toBe(false);
      read.set(canonical.id, canonical);
    }
  }
  return read;
}

/** `2026-10-15T08:12:34.567Z` → `2026-10-15T08:12:34Z`. */
function toTheSecond(timestamp: string | null): string | null {
  return timestamp === null ? null : `${timestamp.slice(0, 19)}Z`;
}

beforeAll(async () => {
  sandbox = await testSandbox(dir, { orders: 200, history: 400 });
  const rest = await connectConnector(
    'sandbox',
    {
      kind: 'rest',
      baseUrl: sandbox.url,
      auth: { kind: 'bearer', token: sandbox.apiKey },
      pagination: { style: 'page', pageSize: 500, totalPath: 'total' },
      entities: {
        purchase_orders: { path: '/api/purchase_orders', keyField: 'po_number', versionField: 'updated_at' },
        suppliers: { path: '/api/suppliers', keyField: 'supplier_id' },
      },
    },
    {},
  );
  restOrders = await readAll(rest, profiles.sandbox.purchaseOrder);
  restSuppliers = await readAll(rest, profiles.sandbox.supplier);
  await rest.close();
  expect(restOrders.size).toBe(600);
});

afterAll(async () => {
  for (const target of schemas) await dropTargetSchema(target);
  await sandbox?.close();
});

const TARGETS = [
  { dialect: 'sqlite' as const, probe: undefined },
  { dialect: 'postgres' as const, probe: await probeServer('postgres') },
  { dialect: 'mariadb' as const, probe: await probeServer('mariadb') },
];

for (const { dialect, probe } of TARGETS) {
  const skip = probe !== undefined && skipWithout(probe);
  describe.skipIf(skip)(`canonical purchase orders from ${dialect} tables`, () => {
    it.each(PERSONALITY_NAMES)('%s reads exactly what the REST API gives', async (personality) => {
      const target: MaterialiseTarget =
        dialect === 'sqlite'
          ? { dialect, connection: { file: join(dir, `${personality}.sqlite`) } }
          : {
              dialect,
              connection: { url: probe?.url ?? '' },
              schema: uniqueSchema(`extract_${personality.replaceAll('-', '_')}`),
            };
      if (target.schema !== undefined) schemas.push(target);
      const result = await materialise({ source: { sandboxDbPath: sandbox.dbPath }, personality, target });
      const profile = profiles[result.profile];
      const erp = await connectConnector('erp', result.connector, {});
      try {
        const orders = await readAll(erp, profile.purchaseOrder);
        expect([...orders.keys()].sort()).toEqual([...restOrders.keys()].sort());
        for (const [id, order] of orders) {
          const { version, updatedAt, ...business } = order;
          const rest = restOrders.get(id);
          expect(rest, id).toBeDefined();
          if (rest === undefined) continue;
          const { version: _restVersion, updatedAt: restUpdatedAt, ...restBusiness } = rest;
          expect(business, `order ${id}`).toEqual(restBusiness);
          expect(version, `order ${id} has a version`).not.toBeNull();
          expect(updatedAt, `order ${id}`).toBe(toTheSecond(restUpdatedAt));
        }
        const open = await readAll(erp, profile.purchaseOrder, result.filters.open);
        const closed = await readAll(erp, profile.purchaseOrder, result.filters.closed);
        const restIds = (status: PurchaseOrder['status']) =>
          [...restOrders.values()].filter((order) => order.status === status).map((order) => order.id);
        expect([...open.keys()]).toEqual(restIds('open'));
        expect([...closed.keys()]).toEqual(restIds('closed'));
        expect(await readAll(erp, profile.supplier)).toEqual(restSuppliers);
      } finally {
        await erp.close();
      }
    });
  });
}
