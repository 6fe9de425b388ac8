import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Sandbox } from '../sandbox/index.ts';
import { describeConnectorConformance } from '../src/connectors/connector-conformance.ts';
import { FilesConfigSchema, filesCapabilities } from '../src/connectors/files/index.ts';
import { connectConnector } from '../src/connectors/registry.ts';
import { tempDir, testSandbox } from './support/harness.ts';

/** The connector conformance suite for `files`, against the sandbox's file exchange, locally and over SFTP. */

function orderKeys(sandbox: Sandbox): string[] {
  const db = new Database(sandbox.dbPath, { readonly: true });
  try {
    return db.prepare<[], string>('SELECT po_number FROM purchase_orders').pluck().all();
  } finally {
    db.close();
  }
}

function firstOpenOrder(sandbox: Sandbox): string {
  const db = new Database(sandbox.dbPath, { readonly: true });
  try {
    return (
      db
        .prepare<[], string>("SELECT min(po_number) FROM purchase_orders WHERE status = 'OPEN'")
        .pluck()
        .get() ?? ''
    );
  } finally {
    db.close();
  }
}

for (const transport of ['local', 'sftp'] as const) {
  describeConnectorConformance(`files (${transport}), sandbox file exchange`, async () => {
    const dir = tempDir(`files-conformance-${transport}`);
    const sandbox = await testSandbox(dir, {
      orders: 30,
      history: 20,
      suppliers: 23,
      fileExchange: {
        dir: join(dir, 'exchange'),
        importEveryMs: 50,
        ...(transport === 'sftp' ? { sftp: {} } : {}),
      },
    });
    const exchange = sandbox.fileExchange;
    if (exchange === null) throw new Error('no file exchange');
    const sftp = exchange.sftp;
    const raw = {
      kind: 'files',
      transport:
        sftp === null
          ? { kind: 'local', root: exchange.dir }
          : {
              kind: 'sftp',
              host: sftp.host,
              port: sftp.port,
              username: sftp.username,
              password: sftp.password,
              hostKeySha256: sftp.hostKeySha256,
            },
      stateDir: join(dir, 'state'),
      csv: { delimiter: ';' },
      inbound: { pollMs: 25, stableMs: 50 },
      entities: {
        purchase_orders: {
          files: 'po-*.csv',
          keyField: 'po_number',
          versionField: 'updated_at',
          // The export has a row per order line: without line columns they would be the same key twice.
          lines: {
            columns: {
              line_no: 'line_no',
              item_no: 'item_no',
              line_description: 'description',
              quantity: 'quantity',
              uom: 'uom',
              unit_price: 'unit_price',
              line_need_by: 'need_by',
            },
          },
          write: {
            columns: ['priority'],
            versionColumn: 'expected_updated_at',
            referenceColumn: 'reference',
            batch: { maxWaitMs: 10 },
            resultTimeoutMs: 5000,
            results: { stableMs: 0 },
          },
        },
        suppliers: { files: 'suppliers-*.csv', keyField: 'supplier_id' },
      },
    };
    const connection = await connectConnector('erp', raw, {});
    return {
      connection,
      capabilities: filesCapabilities(FilesConfigSchema.parse(raw)),
      readable: { entity: 'purchase_orders', keys: orderKeys(sandbox), pageSize: 7, reportsTotal: true },
      missingKey: '9999999999',
      writable: { entity: 'purchase_orders', key: firstOpenOrder(sandbox), fields: { priority: '2' } },
      readOnly: { entity: 'suppliers', key: '0000100001' },
      teardown: () => sandbox.close(),
    };
  });
}
