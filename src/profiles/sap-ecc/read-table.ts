import { ErpError } from '../../errors/index.ts';
import type { RfcRow } from './rfc-values.ts';

/**
 * RFC_READ_TABLE (function group SDTX): SAP's generic table reader, how integrations read what no
 * BAPI returns in bulk — the vendor view, the schedule lines of a page of orders. It answers with
 * fixed-width text rows (`DATA-WA`, at most 512 characters) and a FIELDS table saying where each
 * field sits (OFFSET, LENGTH); values are as the table holds them (DATS `20261104`, NUMC
 * zero-padded), numbers as ABAP's WRITE prints them for the logon user.
 */

/** RFC_READ_TABLE's arguments: the table, the fields, a WHERE clause in lines of at most 72 characters. Pure. */
export function readTableArguments(
  table: string,
  fields: readonly string[],
  options: { where?: readonly string[]; skip?: number; count?: number } = {},
): Record<string, unknown> {
  return {
    QUERY_TABLE: table,
    ...(options.skip === undefined ? {} : { ROWSKIPS: options.skip }),
    ...(options.count === undefined ? {} : { ROWCOUNT: options.count }),
    ...(options.where === undefined || options.where.length === 0
      ? {}
      : { OPTIONS: { item: options.where.map((line) => ({ TEXT: line })) } }),
    FIELDS: { item: fields.map((name) => ({ FIELDNAME: name })) },
  };
}

/** `'…'` with quotes doubled: a literal in an RFC_READ_TABLE WHERE clause. */
export function whereLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The rows of an RFC_READ_TABLE answer as field → trimmed text, cut at the OFFSET and LENGTH its
 * FIELDS table gives. Pure.
 *
 * @throws ErpError `permanent` when FIELDS lacks a field asked for (a table or view without it).
 */
export function readTableRows(
  fields: readonly RfcRow[],
  data: readonly RfcRow[],
  wanted: readonly string[],
  where: { connector: string; table: string; entity: string; hint: string },
): RfcRow[] {
  const layout = wanted.map((name) => {
    const field = fields.find((candidate) => (candidate.FIELDNAME ?? '').trim() === name);
    if (field === undefined) {
      throw new ErpError('permanent', `RFC_READ_TABLE on ${where.table} returned no field ${name}`, {
        connector: where.connector,
        entity: where.entity,
        field: name,
        hint: where.hint,
      });
    }
    return { name, offset: Number(field.OFFSET ?? 0), length: Number(field.LENGTH ?? 0) };
  });
  return data.map((row) => {
    const line = row.WA ?? '';
    const values: Record<string, string> = {};
    for (const { name, offset, length } of layout) values[name] = line.slice(offset, offset + length).trim();
    return values;
  });
}
