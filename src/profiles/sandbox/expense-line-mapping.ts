import { ExpenseLine, GlAccount } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { FormatError, parseCompactDate, trimPadded } from '../legacy-formats.ts';
import { readCanonical, refuseOtherFields } from '../map-fields.ts';

const ENTITY = 'expense_lines';
const ACCOUNTS = 'gl_accounts';
/** The sandbox's card feed is in pounds; a record without `currency` (a plain CSV export) is too. */
const HOUSE_CURRENCY = 'GBP';

/** `2016-07-04` or `20160704` → `2016-07-04`. */
function parseDate(value: unknown): string {
  const text = trimPadded(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return parseCompactDate(text.replaceAll('-', ''));
  return parseCompactDate(text);
}

/**
 * An amount as card exports write it: a number, `413.1`, `-10.00`, or with a decimal comma
 * (`413,10`, `1.234,56`). A dot followed by three digits is read as a decimal point here: card
 * amounts are not written with thousands separators but with a point.
 */
function parseAmount(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = trimPadded(value);
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^-?\d{1,3}(\.\d{3})*,\d+$/.test(text) || /^-?\d+,\d+$/.test(text)) {
    return Number(text.replaceAll('.', '').replace(',', '.'));
  }
  throw new FormatError(`expected an amount such as 12.50, got ${JSON.stringify(value)}`);
}

/** Blank → null. */
function optionalText(value: unknown): string | null {
  const text = trimPadded(value);
  return text === '' ? null : text;
}

/**
 * Sandbox `expense_lines` ⇄ canonical ExpenseLine. Reads the card-export columns (`trans_date`,
 * `merchant`, `amount`, `vat_desc`, `directorate`, `cc_code`, `cc_desc`, `gl_code`; `currency`
 * when present); the id is the record's key (`line_id`, or a file's line number). Only `glAccount`
 * is writable, as `gl_code`.
 */
export const sandboxExpenseLineMapping: EntityMapping<ExpenseLine> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const { data } = record;
    return readCanonical(ExpenseLine, 'ExpenseLine', ENTITY, record, (reader) => ({
      id: record.key,
      date: reader.read(data, 'trans_date', parseDate),
      merchant: reader.read(data, 'merchant', trimPadded),
      amount: reader.read(data, 'amount', parseAmount),
      currency: data.currency === undefined ? HOUSE_CURRENCY : reader.read(data, 'currency', trimPadded),
      vatCode: reader.read(data, 'vat_desc', optionalText),
      directorate: reader.read(data, 'directorate', optionalText),
      costCentre: reader.read(data, 'cc_code', optionalText),
      costCentreName: reader.read(data, 'cc_desc', optionalText),
      glAccount: reader.read(data, 'gl_code', optionalText),
      version: record.version,
    }));
  },

  toVendorKey: (id) => id,

  toVendorFields(fields) {
    const { glAccount, ...others } = fields;
    refuseOtherFields(others, 'sandbox', ENTITY);
    if (glAccount === undefined) return {};
    if (glAccount === null) {
      throw new ErpError('validation', 'the sandbox cannot un-code an expense line (glAccount null)', {
        entity: ENTITY,
        field: 'glAccount',
      });
    }
    return { gl_code: glAccount };
  },
};

/** Sandbox `gl_accounts` (the chart of accounts) → canonical GlAccount; read-only. */
export const sandboxGlAccountMapping: EntityMapping<GlAccount> = {
  vendorEntity: ACCOUNTS,

  toCanonical(record) {
    return readCanonical(GlAccount, 'GlAccount', ACCOUNTS, record, (reader) => ({
      id: reader.read(record.data, 'gl_code', trimPadded),
      name: reader.read(record.data, 'gl_desc', trimPadded),
      version: record.version,
    }));
  },

  toVendorKey: (id) => id,

  toVendorFields() {
    throw new ErpError('validation', 'the chart of accounts is read-only in the sandbox profile', {
      entity: ACCOUNTS,
    });
  },
};
