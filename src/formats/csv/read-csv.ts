import type { Buffer } from 'node:buffer';
import { CsvError, Parser } from 'csv-parse';
import { type ByteInput, openBytes, peekBytes } from '../byte-source.ts';
import { FormatError, type FormatProblem, type WarningSink, withLine } from '../format-error.ts';
import { decodeText, decodeToUtf8Bytes } from '../text-decoding.ts';
import { type CsvDialect, type CsvQuote, detectCsvDialect } from './csv-dialect.ts';

/**
 * Streaming CSV reading on csv-parse: bytes are decoded (a BOM decides, else the `encoding` option,
 * else UTF-8, checked), the dialect is detected from the first 64 KiB unless given, and records
 * come out one at a time with the line they start on. Memory is bounded by one chunk and the
 * longest record ({@link DEFAULT_MAX_CSV_RECORD_LENGTH}); a file without line breaks is an error,
 * not an out-of-memory.
 */

/** Longest record accepted unless told otherwise, in characters: 1 MiB. */
export const DEFAULT_MAX_CSV_RECORD_LENGTH = 1024 * 1024;
/** Bytes sampled for dialect detection. */
const SAMPLE_BYTES = 64 * 1024;

export interface ReadCsvOptions {
  /** What to call the input in messages; default: the path, or "input". */
  source?: string;
  /** An iconv-lite encoding (`windows-1252`, `iso-8859-15`, `utf-16le` …); default: BOM, else UTF-8. */
  encoding?: string;
  /** Overrides the detected field delimiter (any single character). */
  delimiter?: string;
  /** Overrides the detected quote character. */
  quote?: CsvQuote;
  /** Longest record, in characters; default {@link DEFAULT_MAX_CSV_RECORD_LENGTH}. */
  maxRecordLength?: number;
  /** Accept records whose field count differs from the first record's; default false (an error). */
  relaxColumnCount?: boolean;
  onWarning?: WarningSink;
}

/** One record and where it starts (a quoted field may span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * An opened CSV file: how it is written, and its records — one at a time (`records()`) or as the
 * batches each chunk of the file gives (`batches()`, a few thousand records, for callers that
 * process pages: about a third faster on large files, as no promise is awaited per record).
 * Either can be called once.
 */
export interface CsvReader {
  source: string;
  encoding: string;
  bom: boolean;
  dialect: { delimiter: string; quote: CsvQuote; recordDelimiter: CsvDialect['recordDelimiter'] };
  records(): AsyncGenerator<CsvRecord>;
  batches(): AsyncGenerator<CsvRecord[]>;
}

/**
 * Opens a CSV file or stream: sniffs encoding and dialect, then reads records lazily.
 *
 * @throws FormatError `encoding` (bytes that are not text in the encoding, naming the byte and
 *   line), `malformed` (a record with another field count than the first — usually a wrong
 *   delimiter — or a stray quote), `truncated` (a quoted field that never closes), `too-long`.
 * @example
 *   const csv = await openCsv('export.csv', { encoding: 'windows-1252' });
 *   for await (const { line, fields } of csv.records()) …
 */
export async function openCsv(input: ByteInput, options: ReadCsvOptions = {}): Promise<CsvReader> {
  const opened = openBytes(input, options.source);
  const source = opened.source;
  const maxRecordLength = options.maxRecordLength ?? DEFAULT_MAX_CSV_RECORD_LENGTH;
  if (!Number.isInteger(maxRecordLength) || maxRecordLength < 1) {
    throw new FormatError(
      'unsupported',
      `maxRecordLength must be a positive integer, not ${maxRecordLength}`,
      {
        source,
      },
    );
  }
  if (options.delimiter !== undefined && [...options.delimiter].length !== 1) {
    throw new FormatError(
      'unsupported',
      `delimiter must be one character, not ${JSON.stringify(options.delimiter)}`,
      {
        source,
      },
    );
  }
  const peeked = await peekBytes(opened.chunks, SAMPLE_BYTES);
  const decoded = decodeToUtf8Bytes(peeked.head, peeked.chunks, {
    source,
    encoding: options.encoding,
    onWarning: options.onWarning,
  });
  // The dialect comes from the decoded sample: decode it once more on its own (it is small).
  const sample = decodeText(peeked.head, [peeked.head], {
    source,
    encoding: options.encoding,
    invalidUtf8: 'latin1',
    refuseNul: false,
  });
  let sampleText = '';
  for await (const text of sample.chunks) sampleText += text;
  const detected = detectCsvDialect(sampleText);
  const dialect = {
    delimiter: options.delimiter ?? detected.delimiter,
    quote: options.quote ?? detected.quote,
    recordDelimiter: detected.recordDelimiter,
  };
  let taken = false;
  const batches = (): AsyncGenerator<CsvRecord[]> => {
    if (taken) throw new Error(`${source}: the records of an opened CSV file can be read once`);
    taken = true;
    return readBatches(decoded.chunks, dialect, {
      source,
      maxRecordLength,
      relaxColumnCount: options.relaxColumnCount ?? false,
    });
  };
  return {
    source,
    encoding: decoded.encoding,
    bom: decoded.bom,
    dialect,
    batches,
    records: async function* () {
      for await (const batch of batches()) {
        for (const record of batch) yield record;
      }
    },
  };
}

/** The records of a CSV file or stream; see {@link openCsv}. */
export async function* readCsv(input: ByteInput, options: ReadCsvOptions = {}): AsyncGenerator<CsvRecord> {
  const reader = await openCsv(input, options);
  yield* reader.records();
}

interface RecordOptions {
  source: string;
  maxRecordLength: number;
  relaxColumnCount: boolean;
}

async function* readBatches(
  text: AsyncIterable<Buffer>,
  dialect: CsvReader['dialect'],
  options: RecordOptions,
): AsyncGenerator<CsvRecord[]> {
  const parser = new LineNumberingParser(dialect.recordDelimiter === '\r' ? '\r' : '\n', {
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    escape: dialect.quote,
    record_delimiter: [dialect.recordDelimiter],
    skip_empty_lines: true,
    max_record_size: options.maxRecordLength,
    relax_column_count: options.relaxColumnCount,
    bom: false,
  });
  // Errors are read from `parser.errored` right after each write; this listener only keeps Node
  // from treating the same error, emitted a tick later, as unhandled.
  parser.on('error', () => {});
  try {
    for await (const chunk of text) {
      parser.write(chunk);
      const batch = parser.takeRecords();
      if (batch.length > 0) yield batch;
      if (parser.errored !== null) throw csvFailure(parser.errored, options.source, parser.lineInProgress());
    }
  } catch (error) {
    if (error instanceof FormatError && error.problem === 'encoding') {
      throw withLine(error, parser.lineInProgress());
    }
    throw error;
  }
  await new Promise<void>((resolve) => {
    parser.once('finish', resolve);
    parser.once('close', resolve);
    parser.end();
  });
  const last = parser.takeRecords();
  if (last.length > 0) yield last;
  if (parser.errored !== null) throw csvFailure(parser.errored, options.source, parser.lineInProgress());
}

/**
 * csv-parse with the line each record starts on. csv-parse counts lines, but a line break inside a
 * quoted field counts twice with `\r\n` and blank lines are only a running total; this tracks the
 * start line from both, and counts the breaks inside fields itself only for records that span
 * lines. Records are collected here rather than pushed through the stream: an `on_record` hook
 * halves csv-parse's speed, and stream buffering adds nothing when the caller pulls.
 */
class LineNumberingParser extends Parser {
  private records: CsvRecord[] = [];
  private nextLine = 1;
  private seenLines = 0;
  private seenBlank = 0;
  private readonly lineBreak: string;

  constructor(lineBreak: string, options: ConstructorParameters<typeof Parser>[0]) {
    super(options);
    this.lineBreak = lineBreak;
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (!Array.isArray(chunk)) return super.push(chunk, encoding);
    // csv-parse pushes arrays of strings (no `cast`, no `columns`).
    const fields: string[] = chunk;
    const { lines, empty_lines: blank } = this.info;
    const blankBefore = blank - this.seenBlank;
    const line = this.nextLine + blankBefore;
    const span = lines - this.seenLines - blankBefore > 1 ? 1 + lineBreaksIn(fields, this.lineBreak) : 1;
    this.records.push({ line, fields });
    this.nextLine = line + span;
    this.seenLines = lines;
    this.seenBlank = blank;
    return true;
  }

  /** The records parsed since the last call. */
  takeRecords(): CsvRecord[] {
    const taken = this.records;
    this.records = [];
    return taken;
  }

  /** Where the record being parsed starts (blank lines before it included). */
  lineInProgress(): number {
    return this.nextLine + (this.info.empty_lines - this.seenBlank);
  }
}

/** Line breaks inside quoted fields: the record spans that many more lines. */
function lineBreaksIn(fields: readonly string[], lineBreak: string): number {
  let count = 0;
  for (const field of fields) {
    for (let at = field.indexOf(lineBreak); at !== -1; at = field.indexOf(lineBreak, at + 1)) count++;
  }
  return count;
}

const CSV_PROBLEMS: Readonly<Record<string, { problem: FormatProblem; reason: string }>> = {
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: {
    problem: 'malformed',
    reason:
      'the number of fields differs from the first record: a wrong delimiter, or an unquoted delimiter inside a field',
  },
  CSV_RECORD_INCONSISTENT_COLUMNS: {
    problem: 'malformed',
    reason:
      'the number of fields differs from the header: a wrong delimiter, or an unquoted delimiter inside a field',
  },
  CSV_QUOTE_NOT_CLOSED: {
    problem: 'truncated',
    reason:
      'a quoted field opened in the record starting here never closes: the file is cut, or a quote is stray',
  },
  CSV_INVALID_CLOSING_QUOTE: {
    problem: 'malformed',
    reason: 'characters follow a closing quote: a quote inside a field must be doubled',
  },
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: {
    problem: 'malformed',
    reason: 'characters follow a closing quote: a quote inside a field must be doubled',
  },
  CSV_MAX_RECORD_SIZE: {
    problem: 'too-long',
    reason:
      'a record longer than the maximum record length: the file has no line breaks where expected, or raise maxRecordLength',
  },
};

function csvFailure(error: Error, source: string, line: number): FormatError {
  if (error instanceof FormatError) return error;
  if (error instanceof CsvError) {
    const known = CSV_PROBLEMS[error.code];
    const detail = known === undefined ? error.message : `${known.reason} (${error.message})`;
    return new FormatError(known?.problem ?? 'malformed', detail, { source, line }, error);
  }
  return new FormatError('malformed', error.message, { source, line }, error);
}
