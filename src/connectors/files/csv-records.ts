import { type CsvRecord, openCsv } from '../../formats/csv/read-csv.ts';
import type { CsvDialect } from './files-config.ts';

/**
 * The records of an exchanged CSV file in the connector's configured dialect, read by
 * src/formats' streaming reader: decoded (UTF-8 checked strictly, a BOM honoured, or the configured
 * code page), quoting handled, each record with the line it starts on, memory bounded by
 * `maxRecordLength`. Its FormatErrors name the file and line.
 */
export async function* csvRecords(
  chunks: AsyncIterable<Buffer>,
  source: string,
  csv: CsvDialect,
): AsyncGenerator<CsvRecord> {
  const reader = await openCsv(chunks, {
    source,
    delimiter: csv.delimiter,
    quote: csv.quote,
    maxRecordLength: csv.maxRecordLength,
    // For UTF-8, leave the choice to a byte order mark (a UTF-16 export says so itself).
    ...(/^utf-?8$/i.test(csv.encoding) ? {} : { encoding: csv.encoding }),
  });
  yield* reader.records();
}
