/**
 * RFC_READ_TABLE for the sap-ecc personality: SAP's generic table reader (function group SDTX),
 * here able to read one view — `ZERPBR_VENDOR`, the vendors with the figures purchasing needs.
 *
 * SAP ECC has no BAPI that returns a vendor's planned delivery time and delivery reliability
 * together: the name and country are in LFA1, the planned delivery time in LFM1-PLIFZ (per
 * purchasing organisation), and an on-time rate nowhere — vendor evaluation (ME61) keeps scores of
 * 1–100 points, not rates. Sites that need the rate keep it in a customer table, filled by a report
 * over the goods-receipt history: ZMM_VEND_OTD-OTDPCT, as in the sandbox's SAP tables
 * (sandbox/database-personalities/sap-ecc.ts). The view stands for that setup: a database view
 * over LFA1, LFM1 and ZMM_VEND_OTD of purchasing organisation 1000. RFC_READ_TABLE is how
 * integrations commonly read such a view (it needs S_TABU_NAM for it on a real system).
 *
 * Rows are fixed-width lines (`DATA-WA`): each field at the OFFSET and LENGTH the `FIELDS` table
 * gives, characters left-aligned, packed numbers right-aligned and written as ABAP's WRITE writes
 * them for the logon user — here with a decimal comma (`' 87,5'`). `OPTIONS` takes a WHERE clause
 * of `FIELD = 'value'` conditions joined by AND; ROWSKIPS and ROWCOUNT page. Exceptions are SOAP
 * faults whose faultstring is the exception's name, as SAP's RFC-SOAP runtime answers them.
 */
import type { SupplierRecord } from '../records.ts';
import type { SupplierRepository } from '../supplier-repository.ts';
import { RFC_NAMESPACE, readScalar, readTable, type StructureValues } from './sap-rfc-xml.ts';
import { type SoapFault, soapFault } from './soap-envelope.ts';
import type { XmlElement } from './xml-document.ts';
import { childNamed } from './xml-document.ts';
import { element, fragment } from './xml-writer.ts';

/** The view of vendors RFC_READ_TABLE serves. */
export const VENDOR_VIEW = 'ZERPBR_VENDOR';

/** Longest row RFC_READ_TABLE can return (TAB512-WA). */
const ROW_WIDTH = 512;

interface ViewField {
  name: string;
  /** The ABAP internal type RFC_READ_TABLE reports: C character, P packed number. */
  type: 'C' | 'P';
  /** The output length: the width of the field in a row. */
  length: number;
  text: string;
  value(record: SupplierRecord): string;
}

const VENDOR_FIELDS: readonly ViewField[] = [
  {
    name: 'LIFNR',
    type: 'C',
    length: 10,
    text: 'Account Number of Vendor or Creditor',
    value: (record) => record.supplier_id,
  },
  { name: 'NAME1', type: 'C', length: 35, text: 'Name 1', value: (record) => record.name.trim() },
  { name: 'LAND1', type: 'C', length: 3, text: 'Country Key', value: (record) => record.country.trim() },
  {
    name: 'PLIFZ',
    type: 'P',
    length: 3,
    text: 'Planned Delivery Time in Days',
    value: (record) => record.lead_time_days.trim(),
  },
  {
    // The sandbox keeps the rate with a decimal comma already, exactly as WRITE prints DEC 4,1.
    name: 'OTDPCT',
    type: 'P',
    length: 5,
    text: 'On-Time Delivery Rate in Percent',
    value: (record) => record.on_time_pct.trim(),
  },
];

/** RFC_READ_TABLE's answer: its tables, or the exception it raised as a fault. */
export type ReadTableOutcome = { tables: Record<string, StructureValues[]> } | { fault: SoapFault };

function exception(name: string, text: string): { fault: SoapFault } {
  const detail = element(
    'n0:RFC_READ_TABLE.Exception',
    fragment([element('Name', name), element('Text', text)]),
    { 'xmlns:n0': RFC_NAMESPACE },
  );
  return { fault: soapFault('Server', name, detail) };
}

/** `LIFNR = '0000100042' AND LAND1 = 'DE'` → conditions; null when the clause is not of that form. */
function parseWhere(clause: string): Map<string, string> | null {
  const conditions = new Map<string, string>();
  if (clause.trim() === '') return conditions;
  const condition = /^\s*([A-Z][A-Z0-9_]*)\s*(?:=|EQ)\s*'((?:[^']|'')*)'\s*(?:AND\b|$)/i;
  let rest = clause;
  while (rest.trim() !== '') {
    const match = condition.exec(rest);
    if (match === null) return null;
    conditions.set((match[1] ?? '').toUpperCase(), (match[2] ?? '').replaceAll("''", "'"));
    rest = rest.slice(match[0].length);
  }
  return conditions;
}

function nonNegative(text: string): number {
  const value = text === '' ? 0 : Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** Runs RFC_READ_TABLE against the suppliers. */
export function readTableCall(call: XmlElement, suppliers: SupplierRepository): ReadTableOutcome {
  const table = readScalar(call, 'QUERY_TABLE').toUpperCase();
  if (table !== VENDOR_VIEW) {
    return exception('TABLE_NOT_AVAILABLE', `Table ${table || '(none)'} is not available to RFC_READ_TABLE`);
  }
  const asked = readTable(childNamed(call, 'FIELDS'))
    .map((row) => (row.get('FIELDNAME') ?? '').toUpperCase())
    .filter((name) => name !== '');
  const fields: ViewField[] = [];
  for (const name of asked.length === 0 ? VENDOR_FIELDS.map((field) => field.name) : asked) {
    const field = VENDOR_FIELDS.find((candidate) => candidate.name === name);
    if (field === undefined) return exception('FIELD_NOT_VALID', `Field ${name} is not in ${VENDOR_VIEW}`);
    fields.push(field);
  }
  const options = readTable(childNamed(call, 'OPTIONS')).map((row) => ({ TEXT: row.get('TEXT') ?? '' }));
  const clause = options.map((row) => row.TEXT).join(' ');
  const where = parseWhere(clause);
  if (where === null) return exception('OPTION_NOT_VALID', `The selection "${clause.trim()}" is not valid`);
  for (const name of where.keys()) {
    if (!VENDOR_FIELDS.some((field) => field.name === name))
      return exception('OPTION_NOT_VALID', `Field ${name} in the selection is not in ${VENDOR_VIEW}`);
  }

  const delimiter = readScalar(call, 'DELIMITER').slice(0, 1);
  const layout: StructureValues[] = [];
  let offset = 0;
  for (const [index, field] of fields.entries()) {
    if (index > 0) offset += delimiter.length;
    layout.push({
      FIELDNAME: field.name,
      OFFSET: String(offset),
      LENGTH: String(field.length),
      TYPE: field.type,
      FIELDTEXT: field.text,
    });
    offset += field.length;
  }
  if (offset > ROW_WIDTH) {
    return exception(
      'DATA_BUFFER_EXCEEDED',
      `The fields asked for are ${offset} characters wide; a row holds ${ROW_WIDTH}`,
    );
  }
  if (readScalar(call, 'NO_DATA') === 'X') return { tables: { OPTIONS: options, FIELDS: layout, DATA: [] } };

  const selected = where.size === 0 ? suppliers.list(0, suppliers.count()) : selectWhere(suppliers, where);
  const skip = nonNegative(readScalar(call, 'ROWSKIPS'));
  const count = nonNegative(readScalar(call, 'ROWCOUNT'));
  const rows = selected.slice(skip, count === 0 ? undefined : skip + count).map((record) => ({
    WA: fields
      .map((field) => {
        const value = field.value(record).slice(0, field.length);
        return field.type === 'P' ? value.padStart(field.length) : value.padEnd(field.length);
      })
      .join(delimiter),
  }));
  return { tables: { OPTIONS: options, FIELDS: layout, DATA: rows } };
}

function selectWhere(suppliers: SupplierRepository, where: ReadonlyMap<string, string>): SupplierRecord[] {
  const vendor = where.get('LIFNR');
  const candidates =
    vendor === undefined
      ? suppliers.list(0, suppliers.count())
      : [suppliers.get(vendor)].filter((record) => record !== null);
  return candidates.filter((record) =>
    [...where].every(
      ([name, wanted]) => VENDOR_FIELDS.find((field) => field.name === name)?.value(record) === wanted,
    ),
  );
}
