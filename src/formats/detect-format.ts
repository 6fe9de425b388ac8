import { Buffer } from 'node:buffer';
import { FormatError } from './format-error.ts';
import { sniffEncoding } from './text-decoding.ts';

/**
 * Which exchange format a file is, from its first bytes (and its name only to break a tie). The
 * content decides: an X12 interchange starts with `ISA`, EDIFACT with `UNA` or `UNB`, XML with `<`
 * (and IDoc XML names `IDOC`/`EDI_DC40` early on); any other text is CSV.
 */

export const FORMATS = ['csv', 'xml', 'idoc', 'x12', 'edifact'] as const;
export type Format = (typeof FORMATS)[number];

/** Bytes {@link detectFormat} looks at; more are ignored. */
export const DETECT_BYTES = 4096;

/**
 * The format of a file from its first bytes (up to {@link DETECT_BYTES}). Pure.
 *
 * @throws FormatError `empty` for no content, `encoding` for binary data.
 * @example detectFormat(Buffer.from('ISA*00*…'), 'po.edi') // → 'x12'
 */
export function detectFormat(firstBytes: Uint8Array, fileName?: string): Format {
  const source = fileName ?? 'input';
  const head = Buffer.from(
    firstBytes.buffer,
    firstBytes.byteOffset,
    Math.min(firstBytes.byteLength, DETECT_BYTES),
  );
  const sniffed = sniffEncoding(head);
  const text = (
    sniffed === undefined
      ? head.toString('latin1')
      : new TextDecoder(sniffed.encoding).decode(head.subarray(sniffed.bomLength))
  ).replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start === '') throw new FormatError('empty', 'the file is empty (or only blank)', { source });
  if (sniffed === undefined && isBinary(head)) {
    const nul = head.indexOf(0);
    throw new FormatError(
      'encoding',
      nul === -1
        ? 'binary data, not one of the exchange formats (CSV, XML, IDoc, X12, EDIFACT)'
        : 'a NUL byte: binary data, or UTF-16 without a byte order mark (then pass its encoding)',
      { source, line: nul === -1 ? 1 : lineOf(head, nul) },
    );
  }
  if (/^ISA[^A-Za-z0-9\s]/.test(start)) return 'x12';
  if (/^UN[AB][^A-Za-z0-9]/.test(start)) return 'edifact';
  if (start.startsWith('<')) return /<(?:\w+:)?(?:IDOC|EDI_DC40)[\s>/]/.test(start) ? 'idoc' : 'xml';
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName ?? '')?.[1]?.toLowerCase();
  if (extension === 'xml') return 'xml';
  return 'csv';
}

/** The line (from 1) of a byte offset. */
function lineOf(bytes: Buffer, index: number): number {
  let line = 1;
  for (let at = bytes.indexOf(10); at !== -1 && at < index; at = bytes.indexOf(10, at + 1)) line++;
  return line;
}

/** NUL bytes or many control characters: not text in any encoding erpbridge reads without a BOM. */
function isBinary(head: Buffer): boolean {
  if (head.includes(0)) return true;
  let control = 0;
  for (const byte of head) if (byte < 0x09 || (byte > 0x0d && byte < 0x20)) control++;
  return control > head.length / 20;
}
