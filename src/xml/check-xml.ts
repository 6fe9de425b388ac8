import { Buffer } from 'node:buffer';
import { XMLValidator } from 'fast-xml-parser';
import { findMarkupDeclaration } from './markup-declarations.ts';
import { XmlError } from './xml-error.ts';

/** Largest document accepted unless told otherwise: 10 MB. */
export const DEFAULT_MAX_XML_BYTES = 10 * 1024 * 1024;

export interface CheckXmlOptions {
  /** Largest document accepted, in UTF-8 bytes; default {@link DEFAULT_MAX_XML_BYTES}. */
  maxBytes?: number;
  /** What the text is, for messages: a file path, a URL, "the answer of GetOrder". */
  source?: string;
}

/** A document that passed {@link checkXml}: from its first `<` on, and how many lines came before. */
export interface CheckedXml {
  body: string;
  lineOffset: number;
}

/**
 * The checks every document from outside passes before anything reads it, in this order (cheapest
 * first): its size, before anything else; no DTD markup (no DOCTYPE, no ENTITY), naming the line;
 * well-formedness (fast-xml-parser's validator), naming line and column. A byte order mark and
 * whitespace before the first `<` are tolerated and counted in line numbers.
 *
 * @throws XmlError `too-large`, `doctype` or `malformed`.
 */
export function checkXml(text: string, options: CheckXmlOptions = {}): CheckedXml {
  refuseOversized(text, options);
  const source = options.source;
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const leading = /^\s*/.exec(withoutBom)?.[0] ?? '';
  const body = withoutBom.slice(leading.length);
  const lineOffset = leading.split('\n').length - 1;
  refuseMarkupDeclarations(body, lineOffset, source);
  const validation = XMLValidator.validate(body, { allowBooleanAttributes: false });
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new XmlError('malformed', `not well-formed XML: ${msg}`, {
      source,
      line: line + lineOffset,
      column: col,
    });
  }
  return { body, lineOffset };
}

/**
 * The size bound: refuses `text` when it is larger than `maxBytes` UTF-8 bytes. Cheap: counts
 * bytes only when the length alone does not decide.
 *
 * @throws XmlError `too-large`.
 */
export function refuseOversized(text: string, options: CheckXmlOptions = {}): void {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  // A UTF-16 code unit is at least one UTF-8 byte: only count bytes when the length is not decisive.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes)) {
    throw new XmlError('too-large', `larger than ${maxBytes} bytes; refused before parsing`, {
      source: options.source,
    });
  }
}

/**
 * The DTD refusal: one scan for markup declarations (`<!DOCTYPE`, `<!ENTITY`, …) outside
 * comments, CDATA and processing instructions, before any parser reads the document.
 *
 * @param lineOffset lines before `body` in the original text (a BOM and blank lines), for the message.
 * @throws XmlError `doctype` naming the declaration's line and column.
 */
export function refuseMarkupDeclarations(body: string, lineOffset: number, source?: string): void {
  const declaration = findMarkupDeclaration(body);
  if (declaration === undefined) return;
  throw new XmlError(
    'doctype',
    `<!${declaration.keyword} refused: erpbridge reads no DTD (it could expand entities or fetch files); the document must not declare one`,
    { source, line: declaration.line + lineOffset, column: declaration.column },
  );
}
