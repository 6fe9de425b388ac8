import type Database from 'better-sqlite3';
import { createIdempotencyStore } from '../idempotency-store.ts';
import type { PatchOutcome } from '../purchase-order-patch.ts';
import { etagOf, ifMatchSatisfied, nextUpdatedAt } from '../record-version.ts';
import type { ExpenseLineRow } from './expense-line-file.ts';

/** The sandbox's purchase-card feed is in pounds: the data set it is built for is a UK council's. */
export const EXPENSE_LINE_CURRENCY = 'GBP';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS expense_lines (
  line_id TEXT PRIMARY KEY,
  trans_date TEXT NOT NULL,
  merchant TEXT NOT NULL,
  amount TEXT NOT NULL,
  currency TEXT NOT NULL,
  vat_desc TEXT NOT NULL,
  directorate TEXT NOT NULL,
  cc_code TEXT NOT NULL,
  cc_desc TEXT NOT NULL,
  gl_code TEXT NOT NULL,
  hidden_gl_code TEXT,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS gl_accounts (
  gl_code TEXT PRIMARY KEY,
  gl_desc TEXT NOT NULL
) WITHOUT ROWID;
`;

const RECORD_JSON = `json_object('line_id', line_id, 'trans_date', trans_date, 'merchant', merchant,
  'amount', amount, 'currency', currency, 'vat_desc', vat_desc, 'directorate', directorate,
  'cc_code', cc_code, 'cc_desc', cc_desc, 'gl_code', gl_code, 'updated_at', updated_at)`;

/** Which lines a list asks for: coded ones (the history), uncoded ones (to code), or all. */
export type CodedFilter = 'yes' | 'no' | null;

/** A PATCH as the route received it. */
export interface ExpenseLinePatchRequest {
  lineId: string;
  body: unknown;
  ifMatch: string | null;
  idempotencyKey: string | null;
}

/** What a PATCH came to: the same outcomes as a purchase order's. */
export type ExpenseLinePatchOutcome = PatchOutcome;

/** Expense lines and the chart of accounts in the sandbox database. */
export interface ExpenseLineRepository {
  count(coded: CodedFilter): number;
  listJson(coded: CodedFilter, offset: number, limit: number): string[];
  getJson(lineId: string): { json: string; updatedAt: string } | null;
  patch(request: ExpenseLinePatchRequest): ExpenseLinePatchOutcome;
  /** The chart of accounts: every account the file names, with its description. */
  accounts(): { gl_code: string; gl_desc: string }[];
  /** The true codes of the lines that were loaded uncoded (evaluation only). */
  truth(): Record<string, string>;
}

/**
 * Creates the expense-line tables if needed and, when `load` is given, replaces their content with
 * its lines: lines dated before `codedBefore` keep their code (the coded history); later ones come
 * uncoded, their true code kept hidden (served only at `/_sandbox/expense-lines/truth`).
 */
export function createExpenseLineRepository(
  db: Database.Database,
  load?: { lines: readonly ExpenseLineRow[]; codedBefore: string | null; now?: () => number },
): ExpenseLineRepository {
  db.exec(SCHEMA);
  const now = load?.now ?? Date.now;
  if (load) {
    const loadedAt = new Date(now()).toISOString();
    const insertLine = db.prepare(
      `INSERT INTO expense_lines (line_id, trans_date, merchant, amount, currency, vat_desc, directorate,
         cc_code, cc_desc, gl_code, hidden_gl_code, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertAccount = db.prepare(
      `INSERT INTO gl_accounts (gl_code, gl_desc) VALUES (?, ?)
       ON CONFLICT (gl_code) DO UPDATE SET gl_desc = CASE WHEN gl_desc = '' THEN excluded.gl_desc ELSE gl_desc END`,
    );
    db.transaction(() => {
      db.exec('DELETE FROM expense_lines; DELETE FROM gl_accounts;');
      for (const line of load.lines) {
        const coded = load.codedBefore === null || line.transDate < load.codedBefore;
        insertLine.run(
          line.lineId,
          line.transDate,
          line.merchant,
          line.amount,
          EXPENSE_LINE_CURRENCY,
          line.vatDesc,
          line.directorate,
          line.ccCode,
          line.ccDesc,
          coded ? line.glCode : '',
          coded ? null : line.glCode,
          loadedAt,
        );
        if (line.glCode !== '') insertAccount.run(line.glCode, line.glDesc);
      }
    })();
  }
  const where = (coded: CodedFilter) =>
    coded === 'yes' ? "WHERE gl_code <> ''" : coded === 'no' ? "WHERE gl_code = ''" : '';
  const countStatements = new Map(
    (['yes', 'no', null] as const).map((coded) => [
      coded,
      db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM expense_lines ${where(coded)}`),
    ]),
  );
  const listStatements = new Map(
    (['yes', 'no', null] as const).map((coded) => [
      coded,
      db.prepare<[number, number], { json: string }>(
        `SELECT ${RECORD_JSON} AS json FROM expense_lines ${where(coded)} ORDER BY line_id LIMIT ? OFFSET ?`,
      ),
    ]),
  );
  const getOne = db.prepare<[string], { json: string; updatedAt: string; glCode: string }>(
    `SELECT ${RECORD_JSON} AS json, updated_at AS updatedAt, gl_code AS glCode FROM expense_lines WHERE line_id = ?`,
  );
  const accountExists = db.prepare<[string], { n: number }>(
    'SELECT COUNT(*) AS n FROM gl_accounts WHERE gl_code = ?',
  );
  const update = db.prepare<[string, string, string]>(
    'UPDATE expense_lines SET gl_code = ?, updated_at = ? WHERE line_id = ?',
  );
  const idempotency = createIdempotencyStore(db);

  const patch = db.transaction((request: ExpenseLinePatchRequest): ExpenseLinePatchOutcome => {
    if (request.idempotencyKey !== null) {
      const stored = idempotency.find(request.idempotencyKey);
      if (stored)
        return { kind: 'replayed', statusCode: stored.statusCode, etag: stored.etag, body: stored.body };
    }
    const parsed = parsePatch(request.body, (code) => (accountExists.get(code)?.n ?? 0) > 0);
    if (parsed.kind === 'invalid') return parsed;
    const current = getOne.get(request.lineId);
    if (!current) return { kind: 'not_found' };
    const currentEtag = etagOf(current.updatedAt);
    if (request.ifMatch !== null && !ifMatchSatisfied(request.ifMatch, currentEtag)) {
      return { kind: 'precondition_failed', currentEtag };
    }
    const applied = parsed.glCode !== current.glCode;
    if (applied) update.run(parsed.glCode, nextUpdatedAt(current.updatedAt, now()), request.lineId);
    const written = getOne.get(request.lineId);
    if (!written) throw new Error(`expense line ${request.lineId} vanished while it was being written`);
    const etag = etagOf(written.updatedAt);
    if (request.idempotencyKey !== null) {
      idempotency.remember(
        request.idempotencyKey,
        { poNumber: request.lineId, statusCode: 200, etag, body: written.json },
        new Date(now()).toISOString(),
      );
    }
    return { kind: 'updated', etag, body: written.json, applied };
  });

  const accountsStatement = db.prepare<[], { gl_code: string; gl_desc: string }>(
    'SELECT gl_code, gl_desc FROM gl_accounts ORDER BY gl_code',
  );
  const truthStatement = db.prepare<[], { line_id: string; code: string }>(
    'SELECT line_id, hidden_gl_code AS code FROM expense_lines WHERE hidden_gl_code IS NOT NULL ORDER BY line_id',
  );
  return {
    count: (coded) => countStatements.get(coded)?.get()?.n ?? 0,
    listJson: (coded, offset, limit) =>
      (listStatements.get(coded)?.all(limit, offset) ?? []).map((row) => row.json),
    getJson(lineId) {
      const row = getOne.get(lineId);
      return row ? { json: row.json, updatedAt: row.updatedAt } : null;
    },
    patch,
    accounts: () => accountsStatement.all(),
    truth: () => Object.fromEntries(truthStatement.all().map((row) => [row.line_id, row.code])),
  };
}

/** A PATCH body: `{"gl_code": "<an account of the chart>"}` and nothing else. */
function parsePatch(
  body: unknown,
  known: (code: string) => boolean,
): { kind: 'valid'; glCode: string } | { kind: 'invalid'; field: string | null; message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      kind: 'invalid',
      field: null,
      message: 'the body must be a JSON object such as {"gl_code":"K020"}',
    };
  }
  const fields = Object.keys(body);
  const other = fields.find((field) => field !== 'gl_code');
  if (other !== undefined) {
    return {
      kind: 'invalid',
      field: other,
      message: `field "${other}" is not writable; writable fields: gl_code`,
    };
  }
  const code: unknown = Reflect.get(body, 'gl_code');
  if (typeof code !== 'string' || code.trim() === '') {
    return { kind: 'invalid', field: 'gl_code', message: 'gl_code must be an account code such as "K020"' };
  }
  if (!known(code)) {
    return {
      kind: 'invalid',
      field: 'gl_code',
      message: `gl_code "${code}" is not an account of the chart of accounts`,
    };
  }
  return { kind: 'valid', glCode: code };
}
