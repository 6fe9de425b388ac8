import { FormatError } from '../../formats/format-error.ts';
import { csvRecords } from './csv-records.ts';
import type { CsvDialect, FilesWrite } from './files-config.ts';

/**
 * The ERP's answer to one import file: per line, the record's key, whether the change was applied
 * (and the record's version after it), or why it was rejected.
 */

/** One line of a result file. */
export interface ResultLine {
  line: number;
  /** Empty for a line about the whole file. */
  key: string;
  applied: boolean;
  reason: string;
  message: string;
  /** The record's version after the change, when the ERP says. */
  version: string | null;
}

/** Reads a result file; a FormatError names the file and line of anything unreadable. */
export async function readResultFile(
  chunks: AsyncIterable<Buffer>,
  options: {
    source: string;
    csv: CsvDialect;
    write: FilesWrite;
    keyColumn: string;
    versionColumn: string | undefined;
  },
): Promise<ResultLine[]> {
  const { source, csv, write } = options;
  const results = write.results;
  const rows = csvRecords(chunks, source, csv);
  let columns: Map<string, number> | undefined;
  const found: ResultLine[] = [];
  for await (const row of rows) {
    if (columns === undefined) {
      columns = new Map(row.fields.map((name, index) => [name.trim(), index]));
      for (const needed of [results.keyColumn ?? options.keyColumn, results.statusColumn]) {
        if (!columns.has(needed)) {
          throw new FormatError('malformed', `the result file's header has no column "${needed}"`, {
            source,
            line: row.line,
          });
        }
      }
      continue;
    }
    const value = (column: string | null | undefined): string => {
      const index = column === null || column === undefined ? undefined : columns?.get(column);
      return index === undefined ? '' : (row.fields[index] ?? '').trim();
    };
    const status = value(results.statusColumn);
    found.push({
      line: row.line,
      key: value(results.keyColumn ?? options.keyColumn),
      applied: results.appliedStatuses.includes(status),
      reason: value(results.reasonColumn),
      message: value(results.messageColumn) || `status ${status || '(empty)'}`,
      version: value(results.versionColumn ?? options.versionColumn) || null,
    });
  }
  if (columns === undefined) {
    throw new FormatError('empty', 'the result file is empty; expected a header line', { source, line: 1 });
  }
  return found;
}
