import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { type CliContext, openContext } from '../src/runtime/context.ts';
import { tempDir, testSandbox } from './support/harness.ts';

/**
 * po-urgency end to end against the sandbox as a file-based ERP, locally and over SFTP: the export
 * comes in, the engine plans, the import file goes out, the sandbox's import job applies it, its
 * result file confirms each change, and each change lands in the ERP exactly once.
 */

type Transport = 'local' | 'sftp';

/** An erpbridge.yaml whose connector is the sandbox's file exchange. */
function filesConfig(dir: string, sandbox: Sandbox, transport: Transport): string {
  const exchange = sandbox.fileExchange;
  if (exchange === null) throw new Error('the sandbox runs no file exchange');
  const sftp = exchange.sftp;
  const transportYaml =
    transport === 'local'
      ? `{ kind: local, root: ${exchange.dir} }`
      : `{ kind: sftp, host: ${sftp?.host}, port: ${sftp?.port}, username: ${sftp?.username}, password: "\${SFTP_PASSWORD}", hostKeySha256: "${sftp?.hostKeySha256}", root: / }`;
  const file = join(dir, 'erpbridge.yaml');
  writeFileSync(
    file,
    `version: 1
store: { path: ${join(dir, 'erpbridge.sqlite')} }
connectors:
  erp:
    kind: files
    transport: ${transportYaml}
    stateDir: ${join(dir, 'files-state')}
    csv: { delimiter: ";" }
    inbound: { dir: outbound, pollMs: 50, stableMs: 100 }
    resilience: { timeoutMs: 30000, rateLimit: { maxInFlight: 64 } }
    entities:
      purchase_orders:
        files: "po-*.csv"
        keyField: po_number
        versionField: updated_at
        lines:
          columns: { line_no: line_no, item_no: item_no, line_description: description, quantity: quantity, uom: uom, unit_price: unit_price, line_need_by: need_by }
        write:
          dir: inbound
          fileName: "po-priority-{batch}.csv"
          columns: [priority]
          versionColumn: expected_updated_at
          referenceColumn: reference
          resultTimeoutMs: 20000
          results: { dir: results, stableMs: 0 }
      suppliers:
        files: "suppliers-*.csv"
        keyField: supplier_id
workflows:
  po-urgency:
    connector: erp
    policy: { mode: auto, minConfidence: 0.8 }
    applyConcurrency: 64
`,
  );
  return file;
}

/** The sandbox's own database: orders whose priority is urgent and whose version moved. */
function urgentInDatabase(sandbox: Sandbox): Map<string, string> {
  const db = new Database(sandbox.dbPath, { readonly: true });
  try {
    const rows = db
      .prepare<[], { po_number: string; updated_at: string }>(
        "SELECT po_number, updated_at FROM purchase_orders WHERE status = 'OPEN' AND priority = '1'",
      )
      .all();
    return new Map(rows.map((row) => [row.po_number, row.updated_at]));
  } finally {
    db.close();
  }
}

for (const transport of ['local', 'sftp'] as const) {
  describe(`po-urgency over the file-based sandbox (${transport})`, () => {
    let dir: string;
    let sandbox: Sandbox;
    let context: CliContext;

    beforeAll(async () => {
      dir = tempDir(`files-${transport}`);
      sandbox = await testSandbox(dir, {
        orders: 400,
        history: 2500,
        fileExchange: {
          dir: join(dir, 'exchange'),
          exportEveryMs: 60_000,
          importEveryMs: 100,
          ...(transport === 'sftp' ? { sftp: { password: 'test-sftp-password' } } : {}),
        },
      });
      context = await openContext({
        configFile: filesConfig(dir, sandbox, transport),
        env: { ...process.env, SFTP_PASSWORD: 'test-sftp-password' },
      });
    });

    afterAll(async () => {
      await context?.close();
      await sandbox?.close();
    });

    it('reads the export, writes one import, and the result file confirms each change exactly once', async () => {
      const exchange = sandbox.fileExchange;
      if (exchange === null) throw new Error('no file exchange');
      const before = urgentInDatabase(sandbox);
      // The ERP exports the same open orders again before the run: the same content, merged once.
      const repeated = exchange.exportNow();
      const report = await context.engine.run(context.workflow('po-urgency'), {
        dryRun: false,
        asOf: sandbox.today,
      });
      const applied = report.changes.applied ?? 0;
      expect(applied).toBeGreaterThan(5);
      expect(report.changes.failed ?? 0).toBe(0);
      expect(report.changes.conflict ?? 0).toBe(0);

      // The ERP's own import log: one changing line per applied change, none twice.
      const changedLines = exchange.imports().filter((entry) => entry.changed);
      expect(changedLines).toHaveLength(applied);
      expect(new Set(changedLines.map((entry) => entry.poNumber)).size).toBe(applied);
      expect(exchange.imports().every((entry) => entry.status === 'applied')).toBe(true);

      // And its database: exactly those orders became urgent, each with a new version.
      const after = urgentInDatabase(sandbox);
      const newlyUrgent = [...after.keys()].filter((po) => !before.has(po)).sort();
      expect(newlyUrgent).toEqual(changedLines.map((entry) => entry.poNumber ?? '').sort());

      // Every import file was answered and archived; the connector's export landed in done/.
      const archived = readdirSync(join(exchange.inboundDir, 'archive'));
      expect(archived.length).toBeGreaterThan(0);
      for (const name of archived) {
        expect(name).toMatch(/^po-priority-[0-9a-f]{16}\.csv$/);
        expect(existsSync(join(exchange.resultsDir, `${name}.result.csv`))).toBe(true);
      }
      const done = readdirSync(join(exchange.outboundDir, 'done'));
      expect(done.filter((name) => name.startsWith('po-open-') && name.endsWith('.csv'))).toHaveLength(2);
      const [duplicate] = done.filter((name) => name.endsWith('.duplicate.txt'));
      expect(duplicate).toMatch(/^po-open-.*\.csv\.duplicate\.txt$/);
      expect(repeated.endsWith(duplicate?.replace('.duplicate.txt', '') ?? '-')).toBe(true);

      // The next export shows the new priorities and versions; merging it changes nothing the run sees.
      exchange.exportNow();

      // A second run finds nothing left to do: the state already shows the confirmed values.
      const again = await context.engine.run(context.workflow('po-urgency'), {
        dryRun: false,
        asOf: sandbox.today,
      });
      expect(again.changes.applied ?? 0).toBe(0);
      expect(exchange.imports().filter((entry) => entry.changed)).toHaveLength(applied);

      // The read-back of one change, from the connector: the confirmed value and the ERP's new version.
      const first = changedLines[0];
      const connection = await context.connect('erp');
      const record = await connection.get('purchase_orders', first?.poNumber ?? '');
      expect(record?.data.priority).toBe('1');
      expect(record?.version).toBe(after.get(first?.poNumber ?? ''));
      const result = readFileSync(join(exchange.resultsDir, `${archived[0]}.result.csv`), 'utf8');
      expect(result.split('\r\n')[0]).toBe('po_number;status;reason;message;updated_at');
    });
  });
}
