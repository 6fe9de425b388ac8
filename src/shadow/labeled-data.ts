import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { type CsvCell, writeCsv } from '../formats/csv/write-csv.ts';

/**
 * Labeled data as `erpbridge eval --data` reads it: per record, the input fields that went to the
 * AI (the item's `aiInput`) and the person's value as the label.
 *
 * - `jsonl`: one JSON object per line, `{ ...input, label }` — lossless, nested values stay nested.
 * - `csv`: one row per record, a header naming the columns; nested objects become dotted columns
 *   (`order.needBy`, `supplier.onTimeRate`), arrays are JSON text, null is an empty cell, the label
 *   column comes last. Values are written as they are (no spreadsheet formula escaping), so a reader
 *   gets back exactly what went to the AI.
 *
 * With `meta`, each row also carries where it came from, under `_meta` (jsonl) or in `_`-prefixed
 * columns (csv): source, record, run, field, the AI's value and confidence, who and when.
 */

export const LABEL_FORMATS = ['jsonl', 'csv'] as const;
export type LabelFormat = (typeof LABEL_FORMATS)[number];

/** One labeled example: what the AI saw, what the person decided, and where it came from. */
export interface LabeledRow {
  input: unknown;
  label: unknown;
  meta: {
    /** A person's edit before approving, or a shadow decision people acted on in the ERP. */
    source: 'edit' | 'shadow';
    recordId: string;
    runId: string;
    field: string;
    aiValue: unknown;
    aiConfidence: number | null;
    /** Who decided (edits); null where the ERP does not say (shadow). */
    by: string | null;
    /** When (edits: the edit; shadow: the run that decided). */
    at: string | null;
  };
}

export interface LabeledDataOptions {
  format: LabelFormat;
  /** The label's column (key); default `label`. Must not be a field of the input. */
  labelColumn?: string;
  /** Add where each row came from; default false (the bare input + label). */
  meta?: boolean;
}

/** One row as the object a JSON line holds. */
export function labeledObject(
  row: LabeledRow,
  options: Omit<LabeledDataOptions, 'format'>,
): Record<string, unknown> {
  const labelColumn = options.labelColumn ?? 'label';
  const input = isPlainObject(row.input) ? row.input : { input: row.input };
  if (labelColumn in input) {
    throw new RangeError(
      `record ${row.meta.recordId}: the AI input has a field "${labelColumn}"; choose another label column (--label-column)`,
    );
  }
  return {
    ...input,
    [labelColumn]: row.label ?? null,
    ...(options.meta ? { _meta: row.meta } : {}),
  };
}

/** The rows as JSON lines (each ending in a newline). */
export function formatJsonl(
  rows: readonly LabeledRow[],
  options: Omit<LabeledDataOptions, 'format'>,
): string {
  return rows.map((row) => `${JSON.stringify(labeledObject(row, options))}\n`).join('');
}

/** The rows as a CSV header and cells; see the module comment for how values are written. */
export function csvTable(
  rows: readonly LabeledRow[],
  options: Omit<LabeledDataOptions, 'format'>,
): { header: string[]; cells: CsvCell[][] } {
  const labelColumn = options.labelColumn ?? 'label';
  const flat = rows.map((row) => {
    const { [labelColumn]: label, ...input } = labeledObject(row, { ...options, meta: false });
    const cells = flatten(input);
    if (options.meta) {
      for (const [key, value] of Object.entries(row.meta)) {
        const column = `_${key}`;
        if (column in cells) {
          throw new RangeError(
            `record ${row.meta.recordId}: the AI input has a field "${column}"; export without --meta`,
          );
        }
        cells[column] = cellOf(value);
      }
    }
    return { cells, label: cellOf(label) };
  });
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const { cells } of flat) {
    for (const column of Object.keys(cells)) {
      if (!column.startsWith('_') && !seen.has(column)) {
        seen.add(column);
        columns.push(column);
      }
    }
  }
  const metaColumns = options.meta ? Object.keys(rows[0]?.meta ?? {}).map((key) => `_${key}`) : [];
  const header = [...columns, labelColumn, ...metaColumns];
  return {
    header,
    cells: flat.map(({ cells, label }) => [
      ...columns.map((column) => cells[column] ?? null),
      label,
      ...metaColumns.map((column) => cells[column] ?? null),
    ]),
  };
}

/** Writes the rows to a file or stream in the chosen format. */
export async function writeLabeledData(
  rows: readonly LabeledRow[],
  target: string | Writable,
  options: LabeledDataOptions,
): Promise<{ rows: number; bytes: number }> {
  if (options.format === 'csv') {
    const { header, cells } = csvTable(rows, options);
    const written = await writeCsv(cells, target, {
      header,
      recordDelimiter: '\n',
      escapeFormulas: false,
      ...(typeof target === 'string' ? { destination: target } : {}),
    });
    return { rows: rows.length, bytes: written.bytes };
  }
  const text = formatJsonl(rows, options);
  const bytes = Buffer.byteLength(text);
  if (typeof target === 'string') {
    await writeFile(target, text);
  } else {
    await new Promise<void>((resolve, reject) =>
      target.write(text, (error) => (error ? reject(error) : resolve())),
    );
  }
  return { rows: rows.length, bytes };
}

/** The format a file name asks for (`.csv`, `.jsonl`/`.ndjson`), or undefined. */
export function formatOfPath(path: string): LabelFormat | undefined {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  return undefined;
}

function flatten(value: Record<string, unknown>, prefix = '', into: Record<string, CsvCell> = {}) {
  for (const [key, nested] of Object.entries(value)) {
    const column = `${prefix}${key}`;
    if (isPlainObject(nested)) flatten(nested, `${column}.`, into);
    else into[column] = cellOf(nested);
  }
  return into;
}

function cellOf(value: unknown): CsvCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
