import type { CsvRecord } from '../../formats/csv/read-csv.ts';
import { FormatError } from '../../formats/format-error.ts';
import type { FilesEntity } from './files-config.ts';

/**
 * The records of an ERP export: the header names the columns, each row (or each run of rows with
 * the same key, when the export has one row per order line) is one record. Anything that would
 * make a record ambiguous refuses the whole file, naming the line: no key, a key twice, rows of one
 * record apart, a header without the key column.
 */

/** One record of an export, as the connector stores it. */
export interface ExportRecord {
  key: string;
  version: string | null;
  data: Record<string, unknown>;
  /** The line its first row starts on. */
  line: number;
}

const LIKELY_DELIMITERS = [',', ';', '\t', '|'];

/** Records of `rows` for `entity`. Throws a FormatError naming the file and line. */
export async function* exportRecords(
  rows: AsyncIterable<CsvRecord>,
  entity: FilesEntity,
  options: { source: string; delimiter: string },
): AsyncGenerator<ExportRecord> {
  const { source } = options;
  let header: Header | undefined;
  let current: ExportRecord | undefined;
  let currentLines: Record<string, string>[] = [];
  const seen = new Map<string, number>();

  const finish = (): ExportRecord | undefined => {
    if (current === undefined) return undefined;
    if (entity.lines !== undefined) current.data[entity.lines.field] = currentLines;
    const done = current;
    current = undefined;
    currentLines = [];
    return done;
  };

  for await (const row of rows) {
    if (header === undefined) {
      header = readHeader(row, entity, options);
      continue;
    }
    const key = (row.fields[header.key] ?? '').trim();
    if (key === '') {
      throw new FormatError('malformed', `no ${entity.keyField} in this row`, { source, line: row.line });
    }
    if (entity.lines === undefined && current !== undefined && current.key === key) {
      // Without line columns every row is a record: the same key twice, even on adjacent rows, is ambiguous.
      throw new FormatError(
        'malformed',
        `${entity.keyField} ${key} appears twice (first at line ${current.line})`,
        {
          source,
          line: row.line,
        },
      );
    }
    if (current === undefined || current.key !== key) {
      const first = seen.get(key);
      if (first !== undefined) {
        const why = entity.lines === undefined ? 'appears twice' : 'has rows that are not together';
        throw new FormatError('malformed', `${entity.keyField} ${key} ${why} (first at line ${first})`, {
          source,
          line: row.line,
        });
      }
      seen.set(key, row.line);
      const done = finish();
      if (done !== undefined) yield done;
      const data: Record<string, unknown> = {};
      for (const [index, name] of header.names.entries()) {
        if (!header.lineColumns.has(index)) data[name] = row.fields[index] ?? '';
      }
      const version = header.version === undefined ? null : (row.fields[header.version] ?? '').trim() || null;
      current = { key, version, data, line: row.line };
    }
    if (entity.lines !== undefined) {
      const line: Record<string, string> = {};
      let blank = true;
      for (const [index, field] of header.lineColumns) {
        const value = row.fields[index] ?? '';
        if (value.trim() !== '') blank = false;
        line[field] = value;
      }
      if (!blank) currentLines.push(line);
    }
  }
  if (header === undefined) {
    throw new FormatError('empty', 'the file is empty; an export starts with a header line', {
      source,
      line: 1,
    });
  }
  const done = finish();
  if (done !== undefined) yield done;
}

interface Header {
  names: string[];
  key: number;
  version: number | undefined;
  /** Column index → line field, for the line columns. */
  lineColumns: Map<number, string>;
}

function readHeader(
  row: CsvRecord,
  entity: FilesEntity,
  options: { source: string; delimiter: string },
): Header {
  const at = { source: options.source, line: row.line };
  const names = row.fields.map((name) => name.trim());
  const index = (column: string): number | undefined => {
    const found = names.indexOf(column);
    return found === -1 ? undefined : found;
  };
  const twice = names.find((name, position) => name !== '' && names.indexOf(name) !== position);
  if (twice !== undefined) throw new FormatError('malformed', `the header names column "${twice}" twice`, at);
  const key = index(entity.keyField);
  if (key === undefined) {
    throw new FormatError(
      'malformed',
      `the header has no column "${entity.keyField}"${delimiterHint(names, options.delimiter)}`,
      at,
    );
  }
  const version = entity.versionField === undefined ? undefined : index(entity.versionField);
  if (entity.versionField !== undefined && version === undefined) {
    throw new FormatError(
      'malformed',
      `the header has no column "${entity.versionField}" (the entity's versionField)`,
      at,
    );
  }
  const lineColumns = new Map<number, string>();
  for (const [column, field] of Object.entries(entity.lines?.columns ?? {})) {
    const position = index(column);
    if (position === undefined)
      throw new FormatError('malformed', `the header has no line column "${column}"`, at);
    lineColumns.set(position, field);
  }
  return { names, key, version, lineColumns };
}

/** When the header is one column holding another likely delimiter, say so. */
function delimiterHint(names: readonly string[], delimiter: string): string {
  const [only] = names;
  if (names.length !== 1 || only === undefined) return '';
  const other = LIKELY_DELIMITERS.find((candidate) => candidate !== delimiter && only.includes(candidate));
  const shown = (text: string) => (text === '\t' ? 'a tab' : `"${text}"`);
  return other === undefined
    ? ` (the whole header is one column: "${only.slice(0, 60)}")`
    : ` (it is one column split by ${shown(other)}: the file's delimiter is ${shown(other)}, csv.delimiter is ${shown(delimiter)})`;
}
