import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { callSandbox, startTestSandbox } from '../test-support.ts';
import { readExpenseLineFile } from './expense-line-file.ts';
import { createExpenseLineRepository } from './expense-line-repository.ts';

const HEADER =
  'trans_date,merchant,amount,vat_desc,directorate,cc_code,cc_desc,gl_code,gl_desc,source_file,row';
const LINES = [
  '2016-07-02,tesco pfs 4203,40.0,VR,Local Services,RLBMC,Technical Unit,K020,Vehicle Fuel,f.xls,3',
  '2016-06-30,amazon uk retail,12.99,VZ,CYP&F SCHOOLS,REAYQ,Uffculme,L030,Books,f.xls,1',
  '2016-06-30,"staples, uk",5.5,VR,CYP&F SCHOOLS,REAYQ,Uffculme,L420,Stationery,f.xls,2',
];

function csvFile(lines: readonly string[], header = HEADER): string {
  const dir = mkdtempSync(join(tmpdir(), 'erpbridge-expense-'));
  const file = join(dir, 'lines.csv');
  writeFileSync(file, `${[header, ...lines].join('\n')}\n`);
  return file;
}

const databases: Database.Database[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});

function repository(codedBefore: string | null) {
  const db = new Database(':memory:');
  databases.push(db);
  db.exec(`CREATE TABLE idempotency_keys (idempotency_key TEXT PRIMARY KEY, po_number TEXT NOT NULL,
    status_code INTEGER NOT NULL, etag TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL)`);
  let clock = Date.parse('2026-01-01T00:00:00Z');
  return createExpenseLineRepository(db, {
    lines: readExpenseLineFile(csvFile(LINES)),
    codedBefore,
    now: () => (clock += 1000),
  });
}

describe('readExpenseLineFile', () => {
  it('numbers the lines in date order, then file order, and keeps every column', () => {
    const lines = readExpenseLineFile(csvFile(LINES));
    expect(lines.map((line) => [line.lineId, line.merchant])).toEqual([
      ['EL000001', 'amazon uk retail'],
      ['EL000002', 'staples, uk'],
      ['EL000003', 'tesco pfs 4203'],
    ]);
    expect(lines[2]).toMatchObject({ amount: '40.0', vatDesc: 'VR', glCode: 'K020', glDesc: 'Vehicle Fuel' });
  });

  it('names the file, the line and the column of what it cannot read', () => {
    expect(() => readExpenseLineFile('/nonexistent/lines.csv')).toThrow(
      'cannot read the expense-line file /nonexistent/lines.csv: ENOENT',
    );
    const noMerchant = csvFile(['2016-07-02,40.0'], 'trans_date,amount');
    expect(() => readExpenseLineFile(noMerchant)).toThrow(
      `${noMerchant} line 1: missing columns merchant, vat_desc, directorate, cc_code, cc_desc, gl_code`,
    );
    const badDate = csvFile([LINES[0] ?? '', LINES[1]?.replace('2016-06-30', '30/06/2016') ?? '']);
    expect(() => readExpenseLineFile(badDate)).toThrow(
      `${badDate} line 3, column trans_date: expected a date as YYYY-MM-DD, got "30/06/2016"`,
    );
    const badAmount = csvFile([LINES[0]?.replace('40.0', '40,00 GBP') ?? '']);
    expect(() => readExpenseLineFile(badAmount)).toThrow(`${badAmount}: not a readable CSV file`);
  });
});

describe('the expense-line repository', () => {
  it('serves lines before the cut coded and later ones uncoded, their code kept hidden', () => {
    const lines = repository('2016-07-01');
    expect([lines.count('yes'), lines.count('no'), lines.count(null)]).toEqual([2, 1, 3]);
    const uncoded = JSON.parse(lines.listJson('no', 0, 10)[0] ?? '{}');
    expect(uncoded).toMatchObject({
      line_id: 'EL000003',
      merchant: 'tesco pfs 4203',
      gl_code: '',
      currency: 'GBP',
    });
    expect(uncoded).not.toHaveProperty('hidden_gl_code');
    expect(lines.truth()).toEqual({ EL000003: 'K020' });
    expect(lines.accounts()).toEqual([
      { gl_code: 'K020', gl_desc: 'Vehicle Fuel' },
      { gl_code: 'L030', gl_desc: 'Books' },
      { gl_code: 'L420', gl_desc: 'Stationery' },
    ]);
  });

  it('writes a code of the chart once per idempotency key, and refuses a stale version or an unknown code', () => {
    const lines = repository('2016-07-01');
    const read = lines.getJson('EL000003');
    const etag = `"${read?.updatedAt}"`;
    const write = lines.patch({
      lineId: 'EL000003',
      body: { gl_code: 'K020' },
      ifMatch: etag,
      idempotencyKey: 'k1',
    });
    expect(write).toMatchObject({ kind: 'updated', applied: true });
    expect(JSON.parse(lines.getJson('EL000003')?.json ?? '{}').gl_code).toBe('K020');
    expect(
      lines.patch({ lineId: 'EL000003', body: { gl_code: 'L030' }, ifMatch: etag, idempotencyKey: 'k1' }),
    ).toMatchObject({
      kind: 'replayed',
    });
    expect(
      lines.patch({ lineId: 'EL000003', body: { gl_code: 'L030' }, ifMatch: etag, idempotencyKey: 'k2' }),
    ).toMatchObject({
      kind: 'precondition_failed',
    });
    expect(
      lines.patch({ lineId: 'EL000003', body: { gl_code: 'Z999' }, ifMatch: null, idempotencyKey: null }),
    ).toEqual({
      kind: 'invalid',
      field: 'gl_code',
      message: 'gl_code "Z999" is not an account of the chart of accounts',
    });
    expect(
      lines.patch({ lineId: 'EL000003', body: { merchant: 'x' }, ifMatch: null, idempotencyKey: null }),
    ).toMatchObject({
      kind: 'invalid',
      field: 'merchant',
    });
    expect(
      lines.patch({ lineId: 'EL999999', body: { gl_code: 'K020' }, ifMatch: null, idempotencyKey: null }),
    ).toEqual({
      kind: 'not_found',
    });
    expect(lines.count('no')).toBe(0);
  });

  it('is served over REST by a sandbox started with the file: pages by coded, ETags, the chart, the truth', async () => {
    const { sandbox, stop } = await startTestSandbox({
      expenseLines: { file: csvFile(LINES), codedBefore: '2016-07-01' },
    });
    try {
      const page = await callSandbox(sandbox, '/api/expense_lines?coded=no&page_size=10');
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({
        page: 1,
        page_size: 10,
        total: 1,
        data: [{ line_id: 'EL000003', gl_code: '' }],
      });
      expect((await callSandbox(sandbox, '/api/expense_lines?coded=maybe')).status).toBe(400);
      const one = await callSandbox(sandbox, '/api/expense_lines/EL000001');
      expect(one.headers.get('etag')).toMatch(/^"\d{4}-/);
      const stale = await callSandbox(sandbox, '/api/expense_lines/EL000003', {
        method: 'PATCH',
        headers: { 'if-match': '"stale"' },
        body: { gl_code: 'K020' },
      });
      expect(stale.status).toBe(412);
      const written = await callSandbox(sandbox, '/api/expense_lines/EL000003', {
        method: 'PATCH',
        body: { gl_code: 'K020' },
      });
      expect(written.body).toMatchObject({ line_id: 'EL000003', gl_code: 'K020' });
      expect((await callSandbox(sandbox, '/api/gl_accounts')).body).toMatchObject({ total: 3 });
      expect((await callSandbox(sandbox, '/_sandbox/expense-lines/truth')).body).toEqual({
        codes: { EL000003: 'K020' },
      });
      expect((await callSandbox({ url: sandbox.url, apiKey: null }, '/api/expense_lines')).status).toBe(401);
    } finally {
      await stop();
    }
  });

  it('a sandbox without the file serves no expense lines', async () => {
    const { sandbox, stop } = await startTestSandbox();
    try {
      expect((await callSandbox(sandbox, '/api/expense_lines')).status).toBe(404);
    } finally {
      await stop();
    }
  });
});
