/**
 * Function-module parameters as node-soap hands them over, made regular: a structure becomes
 * field → text (node-soap gives `null` for an empty element and numbers for `xsd:int` fields), a
 * table becomes a list of such rows whatever its shape (`{ item: [...] }`, `{ item: {...} }` for
 * one row, `null` or `''` for none). Field names stay SAP's.
 */

/** One structure, or one row of a table: SAP field name → value as written, `''` for initial. */
export type RfcRow = Readonly<Record<string, string>>;

/** A row as node-soap hands it over, not yet made regular: read its fields with {@link rfcText}. */
export type RawRfcRow = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field of a row as {@link rfcStructure} would give it: text, `''` for empty or absent. Pure. */
export function rfcText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/**
 * A table parameter's rows as node-soap gave them, not copied: for large listings of which only
 * some rows are read further (GETITEMS lists orders the filter then drops). Pure.
 */
export function rfcRows(value: unknown): RawRfcRow[] {
  if (Array.isArray(value)) return value.filter(isRecord);
  if (!isRecord(value)) return [];
  const { item } = value;
  if (Array.isArray(item)) return item.filter(isRecord);
  return isRecord(item) ? [item] : [];
}

/**
 * A structure parameter's fields; nested values (there are none in flat structures) are left out.
 * A row that is text already is returned as it is, not copied. Pure.
 */
export function rfcStructure(value: unknown): RfcRow {
  if (!isRecord(value)) return {};
  // Rows read by `readRfcAnswer` (and rows made regular before) are text only: taken as they are.
  if (isTextRow(value)) return value;
  const row: Record<string, string> = {};
  for (const [field, content] of Object.entries(value)) {
    if (content === null || content === undefined) row[field] = '';
    else if (typeof content === 'string') row[field] = content;
    else if (typeof content === 'number' || typeof content === 'boolean') row[field] = String(content);
  }
  return row;
}

function isTextRow(value: Record<string, unknown>): value is Record<string, string> {
  for (const field in value) if (typeof value[field] !== 'string') return false;
  return true;
}

/** A table parameter's rows. Pure. */
export function rfcTable(value: unknown): RfcRow[] {
  if (Array.isArray(value)) return value.map(rfcStructure);
  if (!isRecord(value)) return [];
  const { item } = value;
  if (item === undefined || item === null) return [];
  return Array.isArray(item) ? item.map(rfcStructure) : [rfcStructure(item)];
}

/** A parameter of a call's result, by SAP's name; undefined when the answer lacks it. Pure. */
export function rfcParameter(result: unknown, name: string): unknown {
  return isRecord(result) ? result[name] : undefined;
}
