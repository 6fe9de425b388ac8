import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';

/** One record of a labelled file, with the line it starts on (for error messages). */
export interface LabeledRow {
  line: number;
  data: Record<string, unknown>;
}

/** A labelled file read whole: its columns (CSV header, or every key seen in JSONL) and rows. */
export interface LabeledFile {
  file: string;
  columns: string[];
  rows: LabeledRow[];
}

/**
 * Reads labelled records for evaluation from a CSV file (a header row; values as text) or a JSONL
 * file (one JSON object per line). Throws an Error naming the file, and the line of a bad record.
 */
export function readLabeledFile(file: string): LabeledFile {
  const extension = extname(file).toLowerCase();
  if (extension !== '.csv' && extension !== '.jsonl') {
    throw new Error(
      `${file}: expected a .csv or .jsonl file of labelled records, got "${extension || 'no extension'}"`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot be read (${code ?? String(error)})`,
      { cause: error },
    );
  }
  return extension === '.csv' ? readCsv(file, text) : readJsonl(file, text);
}

function readCsv(file: string, text: string): LabeledFile {
  let header: string[] = [];
  let parsed: { record: Record<string, string>; info: { lines: number } }[];
  try {
    parsed = parse(text, {
      bom: true,
      skip_empty_lines: true,
      info: true,
      columns: (names: string[]) => {
        header = names.map((name) => name.trim());
        return header;
      },
    });
  } catch (error) {
    // csv-parse names the line in its message (`Invalid Record Length: ... on line 7`).
    throw new Error(`${file}: not a readable CSV file: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
  if (header.length === 0) throw new Error(`${file} is empty: expected a header row naming the columns`);
  return {
    file,
    columns: header,
    rows: parsed.map(({ record, info }) => ({ line: info.lines, data: record })),
  };
}

function readJsonl(file: string, text: string): LabeledFile {
  const columns = new Set<string>();
  const rows: LabeledRow[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new Error(
        `${file} line ${line}: not valid JSON (${error instanceof Error ? error.message : error})`,
        {
          cause: error,
        },
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`${file} line ${line}: expected a JSON object per line`);
    }
    const data: Record<string, unknown> = Object.fromEntries(Object.entries(value));
    for (const key of Object.keys(data)) columns.add(key);
    rows.push({ line, data });
  });
  if (rows.length === 0) throw new Error(`${file} is empty: expected one JSON object per line`);
  return { file, columns: [...columns], rows };
}
