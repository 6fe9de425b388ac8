import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { type CsvCell, writeCsv } from '../formats/csv/write-csv.ts';

/**
 * Labeled data as `erpbridge eval --data` reads it (see {@link exportedRows}): per record, the input
 * fields that went to the AI (the item's `aiInput`) and the person's value as the label.
 *
 * - `jsonl`: one JSON object per line, `{ ...input, label }` — lossless, nested values stay nested.
 * - `csv`: one row per record, a header naming the columns; nested objects become dotted columns
 *   (`order.needBy`, `supplier.onTimeRate`), the label column comes after the input's. A cell holds
 *   its value as text, with JSON where text alone would not say what it is, so a reader gets back
 *   exactly what went to the AI ({@link encodeCell}): numbers and `true`/`false` as they are, lists
 *   (and empty objects) as JSON text, null as an empty cell, and text as it is — unless it would read
 *   as something else (`45000012`, `true`, an empty text, `[1]`), which is written as a JSON string
 *   (`"45000012"`). No spreadsheet formula escaping.
 *
 * With `meta` (what `labels export` does unless told `--no-meta`), each row also carries where it
 * came from, under `_meta` (jsonl) or in `_`-prefixed columns (csv): source, record, run, field, the
 * AI's value and confidence, who and when. `eval` orders and splits the rows by its `at`.
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
    const cells = flatten(input, row.meta.recordId);
    if (options.meta) {
      for (const [key, value] of Object.entries(row.meta)) {
        const column = `_${key}`;
        if (column in cells) {
          throw new RangeError(
            `record ${row.meta.recordId}: the AI input has a field "${column}"; export with --no-meta`,
          );
        }
        cells[column] = encodeCell(value);
      }
    }
    return { cells, label: encodeCell(label) };
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

/** A labeled file as read whole: its name, columns (CSV header, or every key of JSONL) and rows. */
export interface LabeledFileRows {
  file: string;
  columns: readonly string[];
  rows: readonly { line: number; data: Record<string, unknown> }[];
}

/** One row of an exported file read back: what went to the AI, the label, and when it was decided. */
export interface ExportedRow {
  line: number;
  input: Record<string, unknown>;
  /** The label as written; null when the person left the field empty. */
  label: unknown;
  /** When it was decided (`_at` / `_meta.at`); null in a file exported without where rows came from. */
  at: string | null;
  /** The field the label is a value of (`_field` / `_meta.field`); null likewise. */
  field: string | null;
}

/** True when the columns are those of a file `labels export` wrote with where each row came from. */
export function hasExportMeta(columns: readonly string[]): boolean {
  return columns.includes('_meta') || columns.includes('_recordId');
}

/**
 * Reads back what {@link writeLabeledData} wrote: per row, the input that went to the AI (a CSV's
 * dotted columns nested again, its cells decoded by {@link decodeCell}), the label from
 * `labelColumn`, and where the row came from when the file says. A row the format cannot hold is
 * an Error naming the file, line and column.
 */
export function exportedRows(file: LabeledFileRows, format: LabelFormat, labelColumn: string): ExportedRow[] {
  if (!file.columns.includes(labelColumn)) {
    throw new Error(`${file.file}: no label column "${labelColumn}" (columns: ${file.columns.join(', ')})`);
  }
  return format === 'csv' ? csvRows(file, labelColumn) : jsonlRows(file, labelColumn);
}

function jsonlRows(file: LabeledFileRows, labelColumn: string): ExportedRow[] {
  return file.rows.map(({ line, data }) => {
    const { [labelColumn]: label, _meta: meta, ...input } = data;
    if (meta !== undefined && !isPlainObject(meta)) {
      throw new Error(`${file.file} line ${line}: _meta is not an object of where the row came from`);
    }
    return {
      line,
      input,
      label: label ?? null,
      at: textOrNull(meta?.at, file, line, '_meta.at'),
      field: textOrNull(meta?.field, file, line, '_meta.field'),
    };
  });
}

/** A node of the dotted-column tree: its own column (if the header has it) and its children's. */
interface ColumnNode {
  column?: string;
  children: Map<string, ColumnNode>;
}

function csvRows(file: LabeledFileRows, labelColumn: string): ExportedRow[] {
  const root: ColumnNode = { children: new Map() };
  for (const column of file.columns) {
    if (column === labelColumn || column.startsWith('_')) continue;
    let node = root;
    for (const part of column.split('.')) {
      let child = node.children.get(part);
      if (!child) {
        child = { children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    node.column = column;
  }
  return file.rows.map(({ line, data }) => {
    const cell = (column: string): unknown => {
      const text = data[column];
      return typeof text === 'string' ? decodeCell(text) : (text ?? null);
    };
    const value = (node: ColumnNode): unknown => {
      if (node.children.size === 0) return node.column === undefined ? null : cell(node.column);
      const nested = Object.fromEntries([...node.children].map(([key, child]) => [key, value(child)]));
      const own = node.column === undefined ? null : cell(node.column);
      const hasNested = Object.values(nested).some((each) => each !== null);
      if (own !== null && hasNested) {
        throw new Error(
          `${file.file} line ${line}, column ${node.column}: holds a value and so do the columns nested under it; one of them must be empty`,
        );
      }
      // The object's own column holds its value when nothing is nested under it (`supplier` empty: null).
      return hasNested || node.column === undefined ? nested : own;
    };
    const input = Object.fromEntries([...root.children].map(([key, child]) => [key, value(child)]));
    return {
      line,
      input,
      label: cell(labelColumn),
      at: textOrNull(cell('_at'), file, line, '_at'),
      field: textOrNull(cell('_field'), file, line, '_field'),
    };
  });
}

function textOrNull(value: unknown, file: LabeledFileRows, line: number, column: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  throw new Error(`${file.file} line ${line}, column ${column}: expected text, got ${JSON.stringify(value)}`);
}

/** The format a file name asks for (`.csv`, `.jsonl`/`.ndjson`), or undefined. */
export function formatOfPath(path: string): LabelFormat | undefined {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  return undefined;
}

/**
 * An input as dotted columns. An object whose keys could not be told apart from nesting (a key with
 * a dot) or that has no keys is one JSON cell; such a key at the top has no column it could go in.
 */
function flatten(
  value: Record<string, unknown>,
  recordId: string,
  prefix = '',
  into: Record<string, CsvCell> = {},
) {
  for (const [key, nested] of Object.entries(value)) {
    if (prefix === '' && key.includes('.')) {
      throw new RangeError(
        `record ${recordId}: the AI input has a field "${key}" with a dot, which a CSV column cannot hold apart from nesting; export as jsonl`,
      );
    }
    const column = `${prefix}${key}`;
    if (isFlattenable(nested)) flatten(nested, recordId, `${column}.`, into);
    else into[column] = encodeCell(nested);
  }
  return into;
}

function isFlattenable(value: unknown): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && !keys.some((key) => key.includes('.'));
}

/**
 * One value as a CSV cell that {@link decodeCell} reads back as the same value: null as empty,
 * numbers and booleans as they are, text as it is unless it would read as another value (then as
 * a JSON string), lists and objects as JSON text. A number that is not finite has no JSON: empty.
 */
export function encodeCell(value: unknown): CsvCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string')
    return value !== '' && decodeCell(value) === value ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

/**
 * A cell of an exported CSV as the value it holds: empty is null; a cell that is JSON (a number,
 * `true`/`false`, `null`, a quoted string, a list, an object) is that value; any other text is itself.
 */
export function decodeCell(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: plain text, which is how text that cannot be mistaken for a value is written.
    return text;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
