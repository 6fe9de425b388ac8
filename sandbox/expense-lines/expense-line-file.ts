import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** The columns an expense-line CSV must have (the purchase-card export's, see ../shared/data/gl-coding). */
export const EXPENSE_LINE_COLUMNS = [
  'trans_date',
  'merchant',
  'amount',
  'vat_desc',
  'directorate',
  'cc_code',
  'cc_desc',
  'gl_code',
] as const;

/** One line of the file, as the sandbox keeps it. */
export interface ExpenseLineRow {
  /** `EL000001`…, in date order (then file order). */
  lineId: string;
  transDate: string;
  merchant: string;
  /** As written in the file (`413.1`). */
  amount: string;
  vatDesc: string;
  directorate: string;
  ccCode: string;
  ccDesc: string;
  glCode: string;
  glDesc: string;
}

/**
 * Reads an expense-line CSV (header row; the columns of {@link EXPENSE_LINE_COLUMNS}, `gl_desc`
 * optional) and numbers its lines in date order. Throws an Error naming the file, and the line
 * and column of the first bad value.
 */
export function readExpenseLineFile(file: string): ExpenseLineRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read the expense-line file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      {
        cause: error,
      },
    );
  }
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false, skip_empty_lines: true, bom: true });
  } catch (error) {
    throw new Error(`${file}: not a readable CSV file: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
  const [header, ...rows] = records;
  if (!header)
    throw new Error(`${file} is empty: expected a header row with ${EXPENSE_LINE_COLUMNS.join(', ')}`);
  const column = new Map(header.map((name, i) => [name.trim(), i]));
  const missing = EXPENSE_LINE_COLUMNS.filter((name) => !column.has(name));
  if (missing.length > 0) {
    throw new Error(
      `${file} line 1: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has ${header.join(', ')})`,
    );
  }
  const value = (row: string[], name: string): string => (row[column.get(name) ?? -1] ?? '').trim();
  const lines = rows.map((row, i) => {
    const line = i + 2;
    const transDate = value(row, 'trans_date');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(transDate)) {
      throw new Error(
        `${file} line ${line}, column trans_date: expected a date as YYYY-MM-DD, got "${transDate}"`,
      );
    }
    const amount = value(row, 'amount');
    if (!/^-?\d+(\.\d+)?$/.test(amount)) {
      throw new Error(
        `${file} line ${line}, column amount: expected a number such as 12.50, got "${amount}"`,
      );
    }
    return {
      order: i,
      row: {
        lineId: '',
        transDate,
        merchant: value(row, 'merchant'),
        amount,
        vatDesc: value(row, 'vat_desc'),
        directorate: value(row, 'directorate'),
        ccCode: value(row, 'cc_code'),
        ccDesc: value(row, 'cc_desc'),
        glCode: value(row, 'gl_code'),
        glDesc: column.has('gl_desc') ? value(row, 'gl_desc') : '',
      },
    };
  });
  lines.sort((a, b) => a.row.transDate.localeCompare(b.row.transDate) || a.order - b.order);
  return lines.map(({ row }, i) => ({ ...row, lineId: `EL${String(i + 1).padStart(6, '0')}` }));
}
