import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection } from '../src/connectors/contract.ts';
import { connectConnector } from '../src/connectors/registry.ts';
import { ErpError } from '../src/errors/index.ts';
import { tempDir } from './support/harness.ts';

/**
 * The files connector's write path against an ERP this test plays by hand: changes share an import
 * file, and only the ERP's result file decides what was applied — a rejection is a failed write
 * with the ERP's reason, silence is withdrawn or reported as unknown, a late result still counts.
 */

const HEADER = 'po_number;status;priority;updated_at';
const KEYS = ['0045000001', '0045000002', '0045000003', '0045000004', '0045000005'];
const V1 = '2026-11-01T10:00:00.000Z';
const V2 = '2026-11-02T08:00:00.000Z';

let exchange: string;
let connection: Connection;

const folder = (...parts: string[]) => join(exchange, ...parts);

function dropExport(name: string, rows: string[]): void {
  writeFileSync(folder('staging', name), `${[HEADER, ...rows].join('\r\n')}\r\n`);
  renameSync(folder('staging', name), folder('outbound', name));
}

async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const importFiles = () => readdirSync(folder('inbound')).filter((name) => name.endsWith('.csv'));

/** Plays the ERP's import job for one file: takes it, and answers with these result lines. */
function answer(name: string, lines: string[]): void {
  renameSync(folder('inbound', name), folder('taken', name));
  writeFileSync(
    folder('staging', 'result'),
    `${['po_number;status;reason;message;updated_at', ...lines].join('\r\n')}\r\n`,
  );
  renameSync(folder('staging', 'result'), folder('results', `${name}.result.csv`));
}

async function connect(resultTimeoutMs = 5000): Promise<Connection> {
  return connectConnector(
    'erp',
    {
      kind: 'files',
      transport: { kind: 'local', root: exchange },
      stateDir: folder('..', 'state'),
      csv: { delimiter: ';' },
      inbound: { pollMs: 10, stableMs: 0 },
      resilience: { timeoutMs: 10_000, retry: { maxAttempts: 1 } },
      entities: {
        purchase_orders: {
          files: 'po-*.csv',
          keyField: 'po_number',
          versionField: 'updated_at',
          write: {
            fileName: 'po-priority-{batch}.csv',
            columns: ['priority'],
            versionColumn: 'expected_updated_at',
            referenceColumn: 'reference',
            batch: { maxWaitMs: 30 },
            resultTimeoutMs,
            results: { stableMs: 0 },
          },
        },
      },
    },
    {},
  );
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

beforeEach(async () => {
  exchange = join(tempDir('files-write'), 'exchange');
  for (const name of ['outbound', 'inbound', 'results', 'staging', 'taken'])
    mkdirSync(folder(name), { recursive: true });
  dropExport(
    'po-open-1.csv',
    KEYS.map((key) => `${key};OPEN;3;${V1}`),
  );
  connection = await connect();
});

afterEach(async () => {
  await connection?.close();
});

describe('files connector writes', () => {
  it('puts concurrent changes into one import file, and settles each by its result line', async () => {
    const writes = KEYS.map((key) =>
      rejection(
        connection.write({
          entity: 'purchase_orders',
          key,
          fields: { priority: '1' },
          ifVersion: V1,
          idempotencyKey: `ref-${key}`,
        }),
      ),
    );
    const [name] = await until('one import file', () =>
      importFiles().length === 1 ? importFiles() : undefined,
    );
    expect(name).toMatch(/^po-priority-[0-9a-f]{16}\.csv$/);
    const content = readFileSync(folder('inbound', name ?? ''), 'utf8');
    expect(content.split('\r\n')).toEqual([
      'po_number;priority;expected_updated_at;reference',
      ...KEYS.map((key) => `${key};1;${V1};ref-${key}`),
      '',
    ]);
    expect(await connection.get('purchase_orders', '0045000001')).toMatchObject({
      version: V1,
      data: { priority: '3' },
    });

    answer(name ?? '', [
      `0045000001;applied;;priority set to 1;${V2}`,
      `0045000002;applied;;priority set to 1;${V2}`,
      `0045000003;rejected;stale_version;changed since ${V1};2026-11-01T12:00:00.000Z`,
      '0045000004;rejected;invalid;priority must be one of 1..4;',
    ]);
    const [first, second, stale, invalid, missing] = await Promise.all(writes);
    expect(first).toBeUndefined();
    expect(second).toBeUndefined();
    expect(stale).toBeInstanceOf(ErpError);
    expect(stale).toMatchObject({ kind: 'conflict', context: { key: '0045000003', line: 4 } });
    expect(String(stale)).toMatch(
      /\.result\.csv:4: the ERP rejected purchase_orders 0045000003: changed since/,
    );
    expect(invalid).toMatchObject({
      kind: 'permanent',
      message: expect.stringMatching(/priority must be one of 1\.\.4 \(invalid\)/),
    });
    expect(missing).toMatchObject({
      kind: 'permanent',
      message: expect.stringMatching(/has no line for purchase_orders 0045000005/),
    });

    // Read-back answers what the result confirmed, with the ERP's new version; the others are untouched.
    expect(await connection.get('purchase_orders', '0045000001')).toMatchObject({
      version: V2,
      data: { priority: '1', updated_at: V2 },
    });
    expect(await connection.get('purchase_orders', '0045000003')).toMatchObject({
      version: V1,
      data: { priority: '3' },
    });

    // An export written before the import ran does not bring the old values back.
    dropExport('po-open-2.csv', KEYS.map((key) => `${key};OPEN;3;${V1}`).concat(`0045000009;OPEN;3;${V1}`));
    await until('po-open-2.csv in done/', () =>
      readdirSync(folder('outbound', 'done')).includes('po-open-2.csv'),
    );
    expect(await connection.get('purchase_orders', '0045000009')).not.toBeNull();
    expect(await connection.get('purchase_orders', '0045000001')).toMatchObject({
      version: V2,
      data: { priority: '1' },
    });
  });

  it('recognises the same batch sent again by its name and answers it from the same result', async () => {
    const change = {
      entity: 'purchase_orders',
      key: '0045000002',
      fields: { priority: '1' },
      ifVersion: V1,
      idempotencyKey: 'ref-2',
    };
    const firstWrite = connection.write(change);
    const [name] = await until('the import file', () =>
      importFiles().length === 1 ? importFiles() : undefined,
    );
    answer(name ?? '', [`0045000002;applied;;priority set to 1;${V2}`]);
    await firstWrite;
    // Sent again (say, after an answer was lost): no second file for the ERP, the same confirmation.
    const again = await connection.write(change);
    expect(again.record).toMatchObject({ key: '0045000002', version: V2 });
    expect(importFiles()).toEqual([]);
    expect(readdirSync(folder('taken'))).toEqual([name]);
  });

  it('joins a change sent again while its import file still waits, and settles both', async () => {
    const change = {
      entity: 'purchase_orders',
      key: '0045000003',
      fields: { priority: '2' },
      ifVersion: V1,
      idempotencyKey: 'ref-3',
    };
    const first = connection.write(change);
    const [name] = await until('the import file', () =>
      importFiles().length === 1 ? importFiles() : undefined,
    );
    const second = connection.write(change);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(importFiles()).toEqual([name]);
    answer(name ?? '', [`0045000003;applied;;priority set to 2;${V2}`]);
    const [one, two] = await Promise.all([first, second]);
    expect(one.record).toMatchObject({ version: V2, data: { priority: '2' } });
    expect(two.record).toMatchObject({ version: V2, data: { priority: '2' } });
  });

  it('withdraws an import file the ERP never took: a transient failure, nothing applied', async () => {
    await connection.close();
    connection = await connect(200);
    const failure = await rejection(
      connection.write({
        entity: 'purchase_orders',
        key: '0045000001',
        fields: { priority: '1' },
        ifVersion: V1,
        idempotencyKey: 'r1',
      }),
    );
    expect(failure).toMatchObject({
      kind: 'transient',
      message: expect.stringMatching(
        /did not take import file po-priority-\w+\.csv within 200 ms; withdrawn/,
      ),
    });
    expect(importFiles()).toEqual([]);
    expect(readdirSync(folder('inbound', 'withdrawn'))).toHaveLength(1);
  });

  it('reports a taken file without result as unknown, and a late result still updates what get answers', async () => {
    await connection.close();
    connection = await connect(200);
    const writing = rejection(
      connection.write({
        entity: 'purchase_orders',
        key: '0045000004',
        fields: { priority: '2' },
        ifVersion: V1,
        idempotencyKey: 'r4',
      }),
    );
    const [name] = await until('the import file', () =>
      importFiles().length === 1 ? importFiles() : undefined,
    );
    renameSync(folder('inbound', name ?? ''), folder('taken', name ?? ''));
    const failure = await writing;
    expect(failure).toMatchObject({
      kind: 'transient',
      message: expect.stringMatching(
        /took import file .* but wrote no result within 200 ms; the outcome is unknown/,
      ),
    });
    expect(await connection.get('purchase_orders', '0045000004')).toMatchObject({
      version: V1,
      data: { priority: '3' },
    });
    writeFileSync(
      folder('results', `${name}.result.csv`),
      `po_number;status;reason;message;updated_at\r\n0045000004;applied;;ok;${V2}\r\n`,
    );
    const confirmed = await until('get to show the late result', async () => {
      const record = await connection.get('purchase_orders', '0045000004');
      return record?.version === V2 ? record : undefined;
    });
    expect(confirmed).toMatchObject({ version: V2, data: { priority: '2' } });
    expect(readdirSync(folder('inbound', 'withdrawn'))).toEqual([]);
  });

  it('describes the import line a change makes, without writing it', () => {
    const wire = connection.describeWrite?.({
      entity: 'purchase_orders',
      key: '0045000001',
      fields: { priority: '1' },
      ifVersion: V1,
      idempotencyKey: 'k1',
    });
    expect(wire).toMatch(
      /^file:\/\/.*\/inbound\/po-priority-[0-9a-f]{16}\.csv \(one line of a batch; result awaited in results\/\)\n/,
    );
    expect(wire).toContain(`po_number;priority;expected_updated_at;reference\r\n0045000001;1;${V1};k1\r\n`);
    expect(importFiles()).toEqual([]);
  });

  it('refuses fields the import does not take, before anything is written', async () => {
    const failure = await rejection(
      connection.write({ entity: 'purchase_orders', key: '0045000001', fields: { notes: 'x' } }),
    );
    expect(failure).toMatchObject({ kind: 'validation', context: { field: 'notes' } });
    expect(String(failure)).toMatch(/the import takes priority, not notes/);
    expect(importFiles()).toEqual([]);
  });
});
