/**
 * RFC_READ_TABLE for the sap-ecc personality: SAP's generic table reader (function group SDTX),
 * here able to read a view and a table — `ZERPBR_VENDOR`, the vendors with the figures
 * purchasing needs, and `EKET`, the schedule lines of the purchase orders (one per item: its
 * need-by date), which integrations read to get many orders' delivery dates in one call.
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
 * them for the logon user — here with a decimal comma (`' 87,5'`); DATS as stored (`20261104`).
 * `OPTIONS` takes a WHERE clause of `FIELD op 'value'` conditions joined by AND, `op` one of `=`,
 * `EQ`, `<>`, `NE`, `<`, `LT`, `<=`, `LE`, `>`, `GT`, `>=`, `GE` (values compared as the
 * characters they are, as ABAP compares CHAR and NUMC of equal length); ROWSKIPS and ROWCOUNT
 * page. Exceptions are SOAP faults whose faultstring is the exception's name, as SAP's RFC-SOAP
 * runtime answers them.
 */
import type { SupplierRecord } from '../records.ts';
import type { SupplierRepository } from '../supplier-repository.ts';
import type { LineSchedule, PurchaseOrderSource } from './purchase-order-source.ts';
import { RFC_NAMESPACE, readScalar, readTable, type StructureValues } from './sap-rfc-xml.ts';
import { type SoapFault, soapFault } from './soap-envelope.ts';
import type { XmlElement } from './xml-document.ts';
import { childNamed } from './xml-document.ts';
import { element, fragment } from './xml-writer.ts';

/** The view of vendors RFC_READ_TABLE serves. */
export const VENDOR_VIEW = 'ZERPBR_VENDOR';
/** The schedule-line table RFC_READ_TABLE serves. */
export const SCHEDULE_TABLE = 'EKET';

/** Longest row RFC_READ_TABLE can return (TAB512-WA). */
const ROW_WIDTH = 512;

interface TableField<Row> {
  name: string;
  /** The ABAP internal type RFC_READ_TABLE reports: C character, N numeric text, D date, P packed number. */
  type: 'C' | 'N' | 'D' | 'P';
  /** The output length: the width of the field in a row. */
  length: number;
  text: string;
  value(row: Row): string;
}

/** A table RFC_READ_TABLE can read: its fields, and its rows for a WHERE clause. */
interface ReadableTable<Row> {
  name: string;
  fields: readonly TableField<Row>[];
  /** Candidate rows for the conditions (the table may narrow by its key); every condition is checked after. */
  rows(conditions: readonly Condition[]): Iterable<Row>;
}

const VENDOR_FIELDS: readonly TableField<SupplierRecord>[] = [
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

/** EKET: one schedule line per item in the sandbox, due on the line's need-by date. */
const SCHEDULE_FIELDS: readonly TableField<LineSchedule>[] = [
  { name: 'EBELN', type: 'C', length: 10, text: 'Purchasing Document Number', value: (row) => row.poNumber },
  {
    name: 'EBELP',
    type: 'N',
    length: 5,
    text: 'Item Number of Purchasing Document',
    value: (row) => row.lineNo,
  },
  { name: 'ETENR', type: 'N', length: 4, text: 'Delivery Schedule Line Counter', value: () => '0001' },
  { name: 'EINDT', type: 'D', length: 8, text: 'Item Delivery Date', value: (row) => row.needBy },
  {
    name: 'SLFDT',
    type: 'D',
    length: 8,
    text: 'Statistics-Relevant Delivery Date',
    value: (row) => row.needBy,
  },
];

/** One condition of a WHERE clause. */
interface Condition {
  field: string;
  operator: 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE';
  value: string;
}

const OPERATORS: Readonly<Record<string, Condition['operator']>> = {
  '=': 'EQ',
  EQ: 'EQ',
  '<>': 'NE',
  NE: 'NE',
  '<': 'LT',
  LT: 'LT',
  '<=': 'LE',
  LE: 'LE',
  '>': 'GT',
  GT: 'GT',
  '>=': 'GE',
  GE: 'GE',
};

function holds(condition: Condition, value: string): boolean {
  switch (condition.operator) {
    case 'EQ':
      return value === condition.value;
    case 'NE':
      return value !== condition.value;
    case 'LT':
      return value < condition.value;
    case 'LE':
      return value <= condition.value;
    case 'GT':
      return value > condition.value;
    case 'GE':
      return value >= condition.value;
  }
}

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

/** `LIFNR = '0000100042' AND EBELN GE '0045000001'` → conditions; null when the clause is not of that form. */
function parseWhere(clause: string): Condition[] | null {
  const conditions: Condition[] = [];
  const condition =
    /^\s*([A-Z][A-Z0-9_]*)\s*(<>|<=|>=|=|<|>|EQ|NE|LT|LE|GT|GE)\s*'((?:[^']|'')*)'\s*(?:AND\b|$)/i;
  let rest = clause;
  while (rest.trim() !== '') {
    const match = condition.exec(rest);
    const operator = OPERATORS[(match?.[2] ?? '').toUpperCase()];
    if (match === null || operator === undefined) return null;
    conditions.push({
      field: (match[1] ?? '').toUpperCase(),
      operator,
      value: (match[3] ?? '').replaceAll("''", "'"),
    });
    rest = rest.slice(match[0].length);
  }
  return conditions;
}

function nonNegative(text: string): number {
  const value = text === '' ? 0 : Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** The tables the sandbox serves, over its data. */
export interface ReadableData {
  suppliers: SupplierRepository;
  orders: PurchaseOrderSource;
}

function vendorTable(suppliers: SupplierRepository): ReadableTable<SupplierRecord> {
  return {
    name: VENDOR_VIEW,
    fields: VENDOR_FIELDS,
    rows(conditions) {
      const vendor = conditions.find(
        (condition) => condition.field === 'LIFNR' && condition.operator === 'EQ',
      );
      return vendor === undefined
        ? suppliers.list(0, suppliers.count())
        : [suppliers.get(vendor.value)].filter((record) => record !== null);
    },
  };
}

function scheduleTable(orders: PurchaseOrderSource): ReadableTable<LineSchedule> {
  return {
    name: SCHEDULE_TABLE,
    fields: SCHEDULE_FIELDS,
    rows(conditions) {
      // Narrowed by the key's range, the way the database would use EKET's primary index.
      let lowest = '';
      let highest = '\uffff';
      for (const { field, operator, value } of conditions) {
        if (field !== 'EBELN') continue;
        if ((operator === 'EQ' || operator === 'GE' || operator === 'GT') && value > lowest) lowest = value;
        if ((operator === 'EQ' || operator === 'LE' || operator === 'LT') && value < highest) highest = value;
      }
      return orders.schedules(lowest, highest);
    },
  };
}

/** Runs RFC_READ_TABLE against the sandbox's tables. */
export function readTableCall(call: XmlElement, data: ReadableData): ReadTableOutcome {
  const name = readScalar(call, 'QUERY_TABLE').toUpperCase();
  if (name === VENDOR_VIEW) return readFrom(vendorTable(data.suppliers), call);
  if (name === SCHEDULE_TABLE) return readFrom(scheduleTable(data.orders), call);
  return exception('TABLE_NOT_AVAILABLE', `Table ${name || '(none)'} is not available to RFC_READ_TABLE`);
}

function readFrom<Row>(table: ReadableTable<Row>, call: XmlElement): ReadTableOutcome {
  const asked = readTable(childNamed(call, 'FIELDS'))
    .map((row) => (row.get('FIELDNAME') ?? '').toUpperCase())
    .filter((name) => name !== '');
  const fields: TableField<Row>[] = [];
  for (const name of asked.length === 0 ? table.fields.map((field) => field.name) : asked) {
    const field = table.fields.find((candidate) => candidate.name === name);
    if (field === undefined) return exception('FIELD_NOT_VALID', `Field ${name} is not in ${table.name}`);
    fields.push(field);
  }
  const options = readTable(childNamed(call, 'OPTIONS')).map((row) => ({ TEXT: row.get('TEXT') ?? '' }));
  const clause = options.map((row) => row.TEXT).join(' ');
  const conditions = parseWhere(clause);
  if (conditions === null)
    return exception('OPTION_NOT_VALID', `The selection "${clause.trim()}" is not valid`);
  const tests: { field: TableField<Row>; condition: Condition }[] = [];
  for (const condition of conditions) {
    const field = table.fields.find((candidate) => candidate.name === condition.field);
    if (field === undefined)
      return exception(
        'OPTION_NOT_VALID',
        `Field ${condition.field} in the selection is not in ${table.name}`,
      );
    tests.push({ field, condition });
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

  const skip = nonNegative(readScalar(call, 'ROWSKIPS'));
  const count = nonNegative(readScalar(call, 'ROWCOUNT'));
  const data: StructureValues[] = [];
  let matched = 0;
  rows: for (const row of table.rows(conditions)) {
    for (const { field, condition } of tests) if (!holds(condition, field.value(row))) continue rows;
    matched += 1;
    if (matched <= skip) continue;
    let line = '';
    for (const [index, field] of fields.entries()) {
      const value = field.value(row).slice(0, field.length);
      if (index > 0) line += delimiter;
      line += field.type === 'P' ? value.padStart(field.length) : value.padEnd(field.length);
    }
    data.push({ WA: line });
    if (count > 0 && data.length >= count) break;
  }
  return { tables: { OPTIONS: options, FIELDS: layout, DATA: data } };
}
