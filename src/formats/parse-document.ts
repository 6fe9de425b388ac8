import { Buffer } from 'node:buffer';
import { open } from 'node:fs/promises';
import { openCsv } from './csv/read-csv.ts';
import { DETECT_BYTES, detectFormat, FORMATS, type Format } from './detect-format.ts';
import type { EdiInterchange } from './edi/edi-model.ts';
import type { ControlPolicy } from './edi/envelope-reader.ts';
import { parseEdifact } from './edifact/read-edifact.ts';
import { describeWarning, FormatError, type FormatWarning } from './format-error.ts';
import type { Idoc } from './idoc/idoc-model.ts';
import { readIdocs } from './idoc/read-idoc.ts';
import { parseX12 } from './x12/read-x12.ts';
import { openXml, type XmlRecord } from './xml/read-xml.ts';

/**
 * One entry point for `erpbridge formats parse <file> [--as FORMAT]`: detect the format (unless
 * told), read the whole file with the streaming reader, and return a JSON-able document. For
 * looking at a file; pipelines use the streaming readers themselves.
 */

export interface ParseDocumentOptions {
  /** Skip detection. */
  as?: Format;
  /** An iconv-lite encoding for CSV/XML/EDI that has no BOM. */
  encoding?: string;
  /** EDI control checks: `strict` (default) fails on the first mismatch; `report` lists them as issues. */
  control?: ControlPolicy;
}

/** What {@link parseDocument} returns, by format; every variant is plain JSON. */
export type ParsedDocument =
  | {
      format: 'csv';
      source: string;
      encoding: string;
      dialect: { delimiter: string; quote: string; recordDelimiter: string };
      records: { line: number; fields: string[] }[];
      warnings: string[];
    }
  | { format: 'xml'; source: string; encoding: string; root: string; records: XmlRecord[] }
  | { format: 'idoc'; source: string; idocs: Idoc[] }
  | { format: 'x12' | 'edifact'; source: string; interchanges: EdiInterchange[]; warnings: string[] };

/**
 * Reads a file as `options.as` or as its detected format.
 *
 * @throws FormatError naming the file and line/segment; Node's errors for a file that cannot be opened.
 */
export async function parseDocument(
  path: string,
  options: ParseDocumentOptions = {},
): Promise<ParsedDocument> {
  const format = options.as ?? detectFormat(await firstBytes(path), path);
  const warnings: FormatWarning[] = [];
  const onWarning = (warning: FormatWarning) => warnings.push(warning);
  const encoding = options.encoding === undefined ? {} : { encoding: options.encoding };
  switch (format) {
    case 'csv': {
      const csv = await openCsv(path, { ...encoding, onWarning });
      const records: { line: number; fields: string[] }[] = [];
      for await (const batch of csv.batches()) records.push(...batch);
      return {
        format,
        source: path,
        encoding: csv.encoding,
        dialect: csv.dialect,
        records,
        warnings: warnings.map(describeWarning),
      };
    }
    case 'xml': {
      const xml = await openXml(path, encoding);
      const records: XmlRecord[] = [];
      for await (const record of xml.records()) records.push(record);
      return { format, source: path, encoding: xml.encoding, root: xml.root()?.name ?? '', records };
    }
    case 'idoc': {
      const idocs: Idoc[] = [];
      for await (const idoc of readIdocs(path, encoding)) idocs.push(idoc);
      return { format, source: path, idocs };
    }
    case 'x12':
    case 'edifact': {
      const read = format === 'x12' ? parseX12 : parseEdifact;
      const interchanges = await read(path, { ...encoding, control: options.control ?? 'strict', onWarning });
      return { format, source: path, interchanges, warnings: warnings.map(describeWarning) };
    }
  }
}

/** The CLI's answer: the document, or one line `file:line (segment N TAG): reason`. */
export type FormatsParseResult = { ok: true; json: ParsedDocument } | { ok: false; message: string };

/**
 * `erpbridge formats parse <file> [--as csv|xml|idoc|x12|edifact]`: never throws for a bad file or
 * a bad `--as`; the CLI prints `json` (JSON.stringify) or `message` and picks the exit code.
 */
export async function formatsParseCommand(path: string, as?: string): Promise<FormatsParseResult> {
  if (as !== undefined && !isFormat(as)) {
    return { ok: false, message: `--as ${JSON.stringify(as)}: use one of ${FORMATS.join(', ')}` };
  }
  try {
    return { ok: true, json: await parseDocument(path, as === undefined ? {} : { as }) };
  } catch (error) {
    if (error instanceof FormatError) return { ok: false, message: error.message };
    if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
      return {
        ok: false,
        message: `${path}: cannot read the file (${error.code}): check the path and its permissions`,
      };
    }
    throw error;
  }
}

function isFormat(value: string): value is Format {
  return FORMATS.some((format) => format === value);
}

async function firstBytes(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(DETECT_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, DETECT_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
