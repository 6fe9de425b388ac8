import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import {
  createTable,
  datetime,
  insertRows,
  type TableDefinition,
  varchar,
} from '../../../sandbox/database-personalities/table-definition.ts';
import {
  dropTargetSchema,
  type MaterialiseTarget,
  openTarget,
} from '../../../sandbox/database-personalities/target-database.ts';
import { describeConnectorConformance } from '../connector-conformance.ts';
import { connectConnector } from '../registry.ts';
import { sqlCapabilities } from './sql-connector.ts';
import { probeServer, skipWithout, uniqueSchema } from './test-databases.ts';

const keys = Array.from({ length: 23 }, (_, index) => `PO-${String(index + 1).padStart(4, '0')}`);

const ORDERS: TableDefinition = {
  name: 'ORDERS',
  columns: [
    { name: 'ID', type: varchar(10) },
    { name: 'STATUS', type: varchar(10) },
    { name: 'UPDATED', type: datetime },
  ],
  primaryKey: ['ID'],
};
const LINES: TableDefinition = {
  name: 'LINES',
  columns: [
    { name: 'ORDER_ID', type: varchar(10) },
    { name: 'LINE_NO', type: varchar(5) },
  ],
  primaryKey: ['ORDER_ID', 'LINE_NO'],
};

/** The 23 orders, each with two lines, in `target`; returns the `connection:` that reads them. */
async function seed(target: MaterialiseTarget): Promise<Record<string, unknown>> {
  const opened = await openTarget(target);
  try {
    await createTable(opened.db, ORDERS, opened.dialect);
    await createTable(opened.db, LINES, opened.dialect);
    await insertRows(
      opened.db,
      ORDERS,
      keys.map((ID, index) => ({
        ID,
        STATUS: 'OPEN',
        UPDATED: `2026-10-${String(index + 1).padStart(2, '0')} 08:00:00`,
      })),
    );
    await insertRows(
      opened.db,
      LINES,
      keys.flatMap((ORDER_ID) => [
        { ORDER_ID, LINE_NO: '00010' },
        { ORDER_ID, LINE_NO: '00020' },
      ]),
    );
  } finally {
    await opened.close();
  }
  return opened.readConnection;
}

function subject(target: MaterialiseTarget, teardown?: () => Promise<void>) {
  return async () => {
    const connection = await seed(target);
    const erp = await connectConnector(
      'erp',
      {
        kind: 'sql',
        dialect: target.dialect,
        connection,
        entities: {
          purchase_orders: {
            table: 'ORDERS',
            key: 'ID',
            version: 'UPDATED',
            changedColumn: 'UPDATED',
            filterColumns: { status: 'STATUS' },
            children: { lines: { table: 'LINES', match: { ORDER_ID: 'ID' }, orderBy: ['LINE_NO'] } },
          },
        },
      },
      {},
    );
    return {
      connection: erp,
      capabilities: sqlCapabilities,
      readable: { entity: 'purchase_orders', keys, pageSize: 5, reportsTotal: false },
      missingKey: 'PO-9999',
      ...(teardown === undefined ? {} : { teardown }),
    };
  };
}

describeConnectorConformance(
  'sql on SQLite',
  subject({
    dialect: 'sqlite',
    connection: { file: join(mkdtempSync(join(tmpdir(), 'erpbridge-sql-conformance-')), 'erp.sqlite') },
  }),
);

for (const dialect of ['postgres', 'mariadb'] as const) {
  const probe = await probeServer(dialect);
  if (skipWithout(probe)) {
    describe.skip(`sql on ${dialect} conformance`, () => {
      it(probe.available ? '' : probe.reason, () => undefined);
    });
    continue;
  }
  const target: MaterialiseTarget = {
    dialect,
    connection: { url: probe.url },
    schema: uniqueSchema('conformance'),
  };
  describeConnectorConformance(
    `sql on ${dialect}`,
    subject(target, () => dropTargetSchema(target)),
  );
}
