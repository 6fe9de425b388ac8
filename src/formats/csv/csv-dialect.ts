/**
 * Guessing how a CSV file from a legacy ERP is written, from its first lines. Exports from German
 * SAP systems use `;`, Dynamics AX writes tabs, mainframe extracts use `|`; quoting is `"` almost
 * always and `'` now and then. The guess is made once from a sample, never per line, so a file is
 * read the same way to its end.
 */

/** Field delimiters recognised, in order of preference when the sample cannot tell them apart. */
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** Quote characters recognised. */
export const CSV_QUOTES = ['"', "'"] as const;
export type CsvQuote = (typeof CSV_QUOTES)[number];

export const CSV_RECORD_DELIMITERS = ['\r\n', '\n', '\r'] as const;
export type CsvRecordDelimiter = (typeof CSV_RECORD_DELIMITERS)[number];

/** How a CSV file is written. */
export interface CsvDialect {
  delimiter: CsvDelimiter;
  quote: CsvQuote;
  recordDelimiter: CsvRecordDelimiter;
}

/** Lines of the sample looked at; more adds time, not accuracy. */
const SAMPLE_LINES = 50;

/**
 * The dialect of a sample (the decoded first kilobytes of a file). Pure.
 *
 * The record delimiter is the first line break found (`\n` when none is). The quote is `'` only when
 * the sample has fields enclosed in `'` and none in `"`. The delimiter is the candidate that occurs
 * outside quotes on the most lines the same number of times (at least once); ties go to the earlier
 * one in {@link CSV_DELIMITERS}. A one-column file gets `,`.
 *
 * @example detectCsvDialect('PO;VENDOR;AMOUNT\r\n0045000123;ACME;"12345,67"\r\n')
 *   // → { delimiter: ';', quote: '"', recordDelimiter: '\r\n' }
 */
export function detectCsvDialect(sample: string): CsvDialect {
  const recordDelimiter = detectRecordDelimiter(sample);
  const lines = sampleLines(sample, recordDelimiter);
  const quote = detectQuote(lines);
  let best: { delimiter: CsvDelimiter; score: number } = { delimiter: ',', score: 0 };
  for (const delimiter of CSV_DELIMITERS) {
    const score = consistencyScore(lines.map((line) => countOutsideQuotes(line, delimiter, quote)));
    if (score > best.score) best = { delimiter, score };
  }
  return { delimiter: best.delimiter, quote, recordDelimiter };
}

function detectRecordDelimiter(sample: string): CsvRecordDelimiter {
  const lf = sample.indexOf('\n');
  const cr = sample.indexOf('\r');
  if (cr !== -1 && (lf === -1 || cr < lf)) return lf === cr + 1 ? '\r\n' : '\r';
  return '\n';
}

/** Complete lines of the sample (the last, possibly cut, line only when it is the only one). */
function sampleLines(sample: string, recordDelimiter: CsvRecordDelimiter): string[] {
  const parts = sample.split(recordDelimiter);
  const complete = parts.length > 1 ? parts.slice(0, -1) : parts;
  return complete.filter((line) => line.trim() !== '').slice(0, SAMPLE_LINES);
}

/** `'` when fields are enclosed in it and never in `"`; `"` otherwise. */
function detectQuote(lines: readonly string[]): CsvQuote {
  const enclosed = (quote: string): number => {
    const pattern = new RegExp(`(^|[,;\\t|])${quote}[^${quote}]*${quote}(?=$|[,;\\t|])`, 'g');
    return lines.reduce((count, line) => count + (line.match(pattern)?.length ?? 0), 0);
  };
  return enclosed("'") > 0 && enclosed('"') === 0 ? "'" : '"';
}

/** Occurrences of `delimiter` in `line` outside `quote`d stretches. */
function countOutsideQuotes(line: string, delimiter: string, quote: string): number {
  let count = 0;
  let quoted = false;
  for (const character of line) {
    if (character === quote) quoted = !quoted;
    else if (!quoted && character === delimiter) count++;
  }
  return count;
}

/**
 * How well a per-line count looks like a column separator: the number of lines that share the
 * most frequent non-zero count, weighted a little by that count so `a;b;c` beats a stray `,`.
 */
function consistencyScore(counts: readonly number[]): number {
  const frequency = new Map<number, number>();
  for (const count of counts) {
    if (count > 0) frequency.set(count, (frequency.get(count) ?? 0) + 1);
  }
  let score = 0;
  for (const [count, lines] of frequency) {
    const candidate = lines * 1000 + Math.min(count, 999);
    if (candidate > score) score = candidate;
  }
  return score;
}
