import type { Buffer } from 'node:buffer';
import iconv from 'iconv-lite';
import { describePosition, parseXml, type XmlElement, XmlError, type XmlValue } from '../../xml/index.ts';
import { type ByteInput, openBytes, peekBytes } from '../byte-source.ts';
import { FormatError, withLine } from '../format-error.ts';
import { decodeText, sniffEncoding } from '../text-decoding.ts';
import { localName, type RawXmlRecord, XmlRecordScanner } from './xml-record-scanner.ts';

/**
 * Reading record-oriented XML (an ERP export: a root element and a long run of repeating records)
 * as a stream of records. The scanner (xml-record-scanner.ts) cuts records out of the text; each is
 * parsed by src/xml's hardened `parseXml` (no DTD, no entities beyond XML's five and numeric
 * references, values kept as strings). The file as a whole has no size cap; one record does.
 */

/** Longest record unless told otherwise: 16 MiB of text (an IDoc with thousands of lines fits). */
export const DEFAULT_MAX_XML_RECORD_LENGTH = 16 * 1024 * 1024;
/** Deepest nesting unless told otherwise (the same bound src/xml applies). */
export const DEFAULT_MAX_XML_DEPTH = 100;

export interface ReadXmlOptions {
  source?: string;
  /** Local name of the record element; default: every child of the root. */
  recordElement?: string;
  /** An iconv-lite encoding; default: BOM, else the XML declaration's, else UTF-8. */
  encoding?: string;
  maxRecordLength?: number;
  maxDepth?: number;
  /** Names of elements that are always arrays, even when they occur once (passed to parseXml). */
  arrays?: readonly string[];
}

/** A parsed record: its element name (prefix stripped), its line, and its content. */
export interface XmlRecord {
  name: string;
  line: number;
  /** The element as src/xml parses it: text, or children by name with `@attributes` and `#text`. */
  value: XmlValue;
}

/** An opened XML file; `root` is known once the first record has been read. */
export interface XmlReader {
  source: string;
  encoding: string;
  records(): AsyncGenerator<XmlRecord>;
  /** The root element's name (prefix stripped) and attributes, once reading has reached it. */
  root(): { name: string; attributes: Record<string, string> } | undefined;
}

/**
 * Opens an XML file or stream for reading its records one at a time.
 *
 * @throws FormatError `doctype` for any DTD markup, `malformed` for XML that is not well-formed,
 *   `truncated`, `too-deep`, `too-long`, `encoding`; each names the line.
 * @example
 *   const xml = await openXml('export.xml', { recordElement: 'PurchaseOrder' });
 *   for await (const order of xml.records()) …
 */
export async function openXml(input: ByteInput, options: ReadXmlOptions = {}): Promise<XmlReader> {
  const opened = openBytes(input, options.source);
  const source = opened.source;
  const peeked = await peekBytes(opened.chunks, 1024);
  const encoding = options.encoding ?? declaredEncoding(peeked.head);
  const decoded = decodeText(peeked.head, peeked.chunks, { source, encoding });
  const scanner = new XmlRecordScanner({
    source,
    recordElement: options.recordElement,
    maxRecordLength: options.maxRecordLength ?? DEFAULT_MAX_XML_RECORD_LENGTH,
    maxDepth: options.maxDepth ?? DEFAULT_MAX_XML_DEPTH,
  });
  const parse = (raw: RawXmlRecord): XmlRecord => parseRecord(raw, source, options);
  let taken = false;
  return {
    source,
    encoding: decoded.encoding,
    root: () => {
      const root = scanner.root;
      if (root === undefined) return undefined;
      const element = parseXml(`${root.startTag.replace(/\/>$/, '>')}</${root.name}>`, { source });
      const value = Object.values(element)[0];
      return { name: localName(root.name), attributes: attributesOf(value) };
    },
    records: async function* () {
      if (taken) throw new Error(`${source}: the records of an opened XML file can be read once`);
      taken = true;
      try {
        for await (const text of decoded.chunks) {
          for (const raw of scanner.push(text)) yield parse(raw);
        }
      } catch (error) {
        if (error instanceof FormatError && error.problem === 'encoding')
          throw withLine(error, scanner.currentLine);
        throw error;
      }
      for (const raw of scanner.end()) yield parse(raw);
    },
  };
}

/** The records of an XML file or stream; see {@link openXml}. */
export async function* readXmlRecords(
  input: ByteInput,
  options: ReadXmlOptions = {},
): AsyncGenerator<XmlRecord> {
  const reader = await openXml(input, options);
  yield* reader.records();
}

function parseRecord(raw: RawXmlRecord, source: string, options: ReadXmlOptions): XmlRecord {
  let document: XmlElement;
  try {
    document = parseXml(raw.text, {
      source,
      maxBytes: (options.maxRecordLength ?? DEFAULT_MAX_XML_RECORD_LENGTH) * 3,
      ...(options.arrays === undefined ? {} : { arrays: options.arrays }),
    });
  } catch (error) {
    if (error instanceof XmlError) {
      const line = raw.line + (error.line ?? 1) - 1;
      const prefix = `${describePosition({ source: error.source, line: error.line, column: error.column })}: `;
      const reason = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
      throw new FormatError(
        error.problem === 'doctype' ? 'doctype' : 'malformed',
        reason,
        { source, line },
        error,
      );
    }
    throw error;
  }
  const name = localName(raw.name);
  return { name, line: raw.line, value: document[name] ?? '' };
}

/** The encoding an XML declaration names in the first bytes (ASCII-compatible encodings only). */
export function declaredEncoding(head: Buffer): string | undefined {
  if (sniffEncoding(head) !== undefined) return undefined;
  const declaration = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(
    head.toString('latin1'),
  );
  const name = declaration?.[1];
  if (name === undefined || /^utf-?8$/i.test(name)) return undefined;
  return iconv.encodingExists(name) ? name : undefined;
}

function attributesOf(value: XmlValue | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (typeof value !== 'object' || Array.isArray(value)) return attributes;
  for (const [key, attribute] of Object.entries(value)) {
    if (key.startsWith('@') && typeof attribute === 'string') attributes[key.slice(1)] = attribute;
  }
  return attributes;
}
