/**
 * Function-module parameters as node-soap hands them over, made regular: a structure becomes
 * field → text (node-soap gives `null` for an empty element and numbers for `xsd:int` fields), a
 * table becomes a list of such rows whatever its shape (`{ item: [...] }`, `{ item: {...} }` for
 * one row, `null` or `''` for none). Field names stay SAP's.
 */

/** One structure, or one row of a table: SAP field name → value as written, `''` for initial. */
export type RfcRow = Readonly<Record<string, string>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A structure parameter's fields; nested values (there are none in flat structures) are left out. Pure. */
export function rfcStructure(value: unknown): RfcRow {
  const row: Record<string, string> = {};
  if (!isRecord(value)) return row;
  for (const [field, content] of Object.entries(value)) {
    if (content === null || content === undefined) row[field] = '';
    else if (typeof content === 'string') row[field] = content;
    else if (typeof content === 'number' || typeof content === 'boolean') row[field] = String(content);
  }
  return row;
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
