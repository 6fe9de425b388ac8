import { Buffer } from 'node:buffer';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { FormatError } from '../format-error.ts';
import { checkEncoding, isUtf8Name } from '../text-decoding.ts';
import type { CsvRecordDelimiter } from './csv-dialect.ts';
import { escapeFormula, looksLikeFormula } from './formula-escape.ts';

/**
 * Writing CSV for an ERP to import, on csv-stringify. The output is deterministic — the same rows
 * give the same bytes: fixed line endings, a field is quoted only when it must be (or when it was
 * escaped as a formula), numbers as JavaScript prints them, no locale. Text that a spreadsheet would
 * run as a formula is escaped (see formula-escape.ts). A value the target encoding cannot hold is an
 * error naming the record, never a silent `?`.
 */

/** A cell: text, a number (finite), a boolean, or empty (`null`/`undefined`). */
export type CsvCell = string | number | boolean | null | undefined;

export interface WriteCsvOptions {
  /** What to call the destination in messages; default the path, or "output". */
  destination?: string;
  /** Field delimiter, one character; default `,`. */
  delimiter?: string;
  /** Quote character; default `"`. */
  quote?: '"' | "'";
  /** Line ending; default `\r\n` (RFC 4180, and what Windows ERPs import). */
  recordDelimiter?: CsvRecordDelimiter;
  /** An iconv-lite encoding; default `utf-8`. */
  encoding?: string;
  /** Start with a byte order mark (UTF-8 and UTF-16 only); default false. */
  bom?: boolean;
  /** Column names written as the first record (escaped like any other text). */
  header?: readonly string[];
  /** Escape text that starts like a formula; default true. Turn off only for a consumer that is not a spreadsheet. */
  escapeFormulas?: boolean;
}

/** How much was written. */
export interface WriteCsvResult {
  records: number;
  bytes: number;
}

/** Rows rendered per call to csv-stringify: amortises its setup, bounds memory. */
const BATCH_ROWS = 512;

/**
 * Writes rows as CSV to a file path or a stream, row by row as they come.
 *
 * @throws FormatError `unwritable` for a cell that is not a finite number or text, or a character
 *   the encoding cannot represent, naming the record (1 = the header when there is one).
 * @example await writeCsv(rows, 'export.csv', { delimiter: ';', encoding: 'windows-1252', header: ['PO', 'VENDOR'] })
 */
export async function writeCsv(
  rows: AsyncIterable<readonly CsvCell[]> | Iterable<readonly CsvCell[]>,
  target: string | Writable,
  options: WriteCsvOptions = {},
): Promise<WriteCsvResult> {
  const destination = options.destination ?? (typeof target === 'string' ? target : 'output');
  const encoder = csvEncoder(destination, options);
  const sink = typeof target === 'string' ? createWriteStream(target) : target;
  let bytes = 0;
  const write = async (chunk: Buffer): Promise<void> => {
    bytes += chunk.length;
    if (!sink.write(chunk)) await once(sink, 'drain');
  };
  let records = 0;
  try {
    if (encoder.bom.length > 0) await write(encoder.bom);
    let batch: (readonly CsvCell[])[] = [];
    if (options.header !== undefined) batch.push(options.header);
    for await (const row of rows) {
      batch.push(row);
      if (batch.length >= BATCH_ROWS) {
        await write(encoder.encode(batch, records));
        records += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) {
      await write(encoder.encode(batch, records));
      records += batch.length;
    }
  } finally {
    if (typeof target === 'string') {
      sink.end();
      await once(sink, 'close');
    }
  }
  return { records, bytes };
}

/**
 * The CSV text of rows, for small outputs and tests; the same bytes {@link writeCsv} writes for
 * UTF-8 without BOM.
 */
export function formatCsv(rows: readonly (readonly CsvCell[])[], options: WriteCsvOptions = {}): string {
  const destination = options.destination ?? 'output';
  const encoder = csvEncoder(destination, { ...options, encoding: 'utf-8', bom: false });
  const all = options.header === undefined ? rows : [options.header, ...rows];
  return encoder.text(all, 0);
}

interface CsvEncoder {
  bom: Buffer;
  text(rows: readonly (readonly CsvCell[])[], before: number): string;
  encode(rows: readonly (readonly CsvCell[])[], before: number): Buffer;
}

function csvEncoder(destination: string, options: WriteCsvOptions): CsvEncoder {
  const delimiter = options.delimiter ?? ',';
  const quote = options.quote ?? '"';
  if ([...delimiter].length !== 1 || delimiter === quote || delimiter === '\r' || delimiter === '\n') {
    throw new FormatError(
      'unsupported',
      `delimiter ${JSON.stringify(delimiter)} cannot separate CSV fields`,
      {
        source: destination,
      },
    );
  }
  const encoding = checkEncoding(options.encoding ?? 'utf-8', destination);
  const utf8 = isUtf8Name(encoding);
  const escapeFormulas = options.escapeFormulas ?? true;
  const stringifyOptions = {
    delimiter,
    quote,
    escape: quote,
    record_delimiter: options.recordDelimiter ?? '\r\n',
    eof: true,
    // A line break is always quoted (csv-stringify quotes only the record delimiter itself), and an
    // escaped formula is quoted too, as OWASP advises.
    quoted_match: escapeFormulas ? [/[\r\n]/, /^'[=+\-@\t\r]/] : [/[\r\n]/],
  };
  const text = (rows: readonly (readonly CsvCell[])[], before: number): string =>
    stringify(
      rows.map((row, index) =>
        row.map((cell) => cellText(cell, before + index + 1, destination, escapeFormulas)),
      ),
      stringifyOptions,
    );
  const bom = options.bom === true ? bomFor(encoding, destination) : Buffer.alloc(0);
  return {
    bom,
    text,
    encode: (rows, before) => {
      const rendered = text(rows, before);
      if (utf8) return Buffer.from(rendered, 'utf8');
      const bytes = iconv.encode(rendered, encoding);
      if (iconv.decode(bytes, encoding) !== rendered)
        throw unrepresentable(rows, before, encoding, destination);
      return bytes;
    },
  };
}

function cellText(cell: CsvCell, record: number, destination: string, escapeFormulas: boolean): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) {
      throw new FormatError(
        'unwritable',
        `record ${record}: ${cell} is not a number a CSV consumer can read`,
        {
          source: destination,
        },
      );
    }
    return String(cell);
  }
  if (typeof cell === 'boolean') return cell ? 'true' : 'false';
  return escapeFormulas && looksLikeFormula(cell) ? escapeFormula(cell) : cell;
}

function bomFor(encoding: string, destination: string): Buffer {
  if (isUtf8Name(encoding)) return Buffer.from([0xef, 0xbb, 0xbf]);
  if (/^utf-?16-?le$/i.test(encoding)) return Buffer.from([0xff, 0xfe]);
  if (/^utf-?16-?be$/i.test(encoding)) return Buffer.from([0xfe, 0xff]);
  throw new FormatError(
    'unsupported',
    `a byte order mark exists only for UTF-8 and UTF-16, not ${encoding}`,
    {
      source: destination,
    },
  );
}

/** Finds the first record and character the encoding cannot hold (only run once a batch failed). */
function unrepresentable(
  rows: readonly (readonly CsvCell[])[],
  before: number,
  encoding: string,
  destination: string,
): FormatError {
  for (const [index, row] of rows.entries()) {
    for (const cell of row) {
      if (typeof cell !== 'string') continue;
      for (const character of cell) {
        if (iconv.decode(iconv.encode(character, encoding), encoding) !== character) {
          const code = character.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
          return new FormatError(
            'unwritable',
            `record ${before + index + 1}: "${character}" (U+${code}) cannot be written in ${encoding}; write UTF-8 or replace it`,
            { source: destination },
          );
        }
      }
    }
  }
  return new FormatError(
    'unwritable',
    `records ${before + 1}…${before + rows.length} cannot be written in ${encoding}`,
    {
      source: destination,
    },
  );
}
