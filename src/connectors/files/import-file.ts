import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { ErpError } from '../../errors/index.ts';
import { formatCsv } from '../../formats/csv/write-csv.ts';
import type { CsvDialect, FilesEntity, FilesWrite } from './files-config.ts';
import { fillTemplate } from './name-pattern.ts';

/**
 * An import file in the ERP's layout: a header, then one line per change — the key, the fields the
 * import accepts, the version the change expects, and the change's reference. Lines are sorted, so
 * the same changes always make the same bytes, and the name carries a hash of those bytes: a batch
 * sent again has the same name, which is how the connector recognises it (see import-writer.ts).
 */

/** One change as a line of an import file. */
export interface ImportLine {
  key: string;
  /** Vendor field → value; only fields the import's columns name. */
  fields: Readonly<Record<string, ImportValue>>;
  /** The version the record had when the change was planned; null when unknown. */
  ifVersion: string | null;
  /** The change's idempotency key, when the import takes references. */
  reference: string | undefined;
}

export type ImportValue = string | number | boolean | null;

/** An import file ready to be written. */
export interface ImportFile {
  name: string;
  content: Buffer;
  /** The lines in file order (sorted). */
  lines: ImportLine[];
}

/** The import file for `lines`. Pure. */
export function renderImportFile(
  entityName: string,
  entity: FilesEntity,
  write: FilesWrite,
  csv: CsvDialect,
  lines: readonly ImportLine[],
): ImportFile {
  const sorted = [...lines].sort(
    (a, b) =>
      compare(a.key, b.key) ||
      compare(a.reference ?? '', b.reference ?? '') ||
      compare(a.ifVersion ?? '', b.ifVersion ?? ''),
  );
  const header = [write.keyColumn ?? entity.keyField, ...write.columns];
  if (write.versionColumn !== null) header.push(write.versionColumn);
  if (write.referenceColumn !== undefined) header.push(write.referenceColumn);
  const rows = sorted.map((line) => {
    const row = [line.key, ...write.columns.map((column) => cell(line.fields[column]))];
    if (write.versionColumn !== null) row.push(line.ifVersion ?? '');
    if (write.referenceColumn !== undefined) row.push(line.reference ?? '');
    return row;
  });
  // src/formats' writer: deterministic bytes, CRLF. Formulas are not escaped: an ERP's import job
  // is not a spreadsheet, and a prefixed "'" would change the value it imports.
  const text = formatCsv(rows, {
    header,
    delimiter: csv.delimiter,
    quote: csv.quote,
    recordDelimiter: '\r\n',
    escapeFormulas: false,
    destination: entityName,
  });
  const content = /^utf-?8$/i.test(csv.encoding)
    ? Buffer.from(text, 'utf8')
    : iconv.encode(text, csv.encoding);
  const batch = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const name = fillTemplate(write.fileName ?? `${entityName}-{batch}.csv`, { batch });
  return { name, content, lines: sorted };
}

/**
 * Why `value` cannot go into an import column in `encoding`, or undefined when it can: only text,
 * numbers and booleans, and only characters the encoding has (iconv-lite would write "?").
 */
export function unwritableValue(value: unknown, encoding: string): string | undefined {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return undefined;
  if (typeof value !== 'string')
    return `a ${Array.isArray(value) ? 'list' : typeof value} cannot be a CSV value`;
  if (/^utf-?8$/i.test(encoding)) return undefined;
  const roundTrip = iconv.decode(iconv.encode(value, encoding), encoding);
  return roundTrip === value ? undefined : `${JSON.stringify(value)} has characters ${encoding} cannot hold`;
}

function cell(value: ImportValue | undefined): string {
  if (value === undefined || value === null) return '';
  return String(value);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A `validation` ErpError for a value `unwritableValue` refused. */
export function unwritableError(
  connector: string,
  entity: string,
  key: string,
  field: string,
  why: string,
): ErpError {
  return new ErpError('validation', `${entity} ${key}: field ${field}: ${why}`, {
    connector,
    entity,
    key,
    field,
  });
}
