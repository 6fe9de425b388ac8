import { type CheckXmlOptions, refuseMarkupDeclarations, refuseOversized } from './check-xml.ts';
import { BARE_AMPERSAND, decodeXmlReferences } from './entity-decoder.ts';
import { MAX_XML_DEPTH } from './parse-xml.ts';
import { positionAt } from './text-position.ts';
import { XmlError } from './xml-error.ts';

/**
 * Reading a document from outside in one pass, as events, with the same guarantees as `checkXml`:
 * the size bound first, any DTD markup refused (naming its line) by the same scan before anything
 * else reads it, and a well-formed document — tags balanced, one root element, names, attributes
 * and references as XML allows them — or an XmlError `malformed` with line and column. Only the
 * five predefined entities and numeric references are expanded (`decodeXmlReferences`).
 *
 * It exists for large answers read once: `parseXml` checks a document with fast-xml-parser's
 * validator and then parses it again into a tree; this reader checks while it reads and builds
 * nothing itself, so a caller that builds its own shape (the SOAP client's answer reader) reads a
 * 1.5 MB answer in a few milliseconds instead of a few hundred.
 */

/** Options of {@link readXml}. */
export interface ReadXmlOptions extends CheckXmlOptions {
  /**
   * `decode` (default): text and attribute values with the predefined entities and numeric
   * references expanded (`decodeXmlReferences`; an unknown `&name;` stays as written). `raw`: as
   * written, for a caller with rules of its own (the sandbox refuses any other entity). Either
   * way every `&` must start a reference.
   */
  references?: 'decode' | 'raw';
}

/** What the reader reports, in document order. */
export interface XmlEventHandler {
  /**
   * A start tag: its name as written (`n0:PO_NUMBER`), and its attributes by name as written,
   * values decoded — null when it has none (most elements: nothing is allocated for them).
   */
  open(name: string, attributes: Readonly<Record<string, string>> | null): void;
  /** An end tag; an empty-element tag (`<a/>`) is an `open` and a `close`. */
  close(name: string): void;
  /** Character data, references decoded; layout whitespace between tags included. */
  text(text: string): void;
  /** A CDATA section's content as written; default: reported as `text`. */
  cdata?(text: string): void;
}

/** XML 1.0 Name (fifth edition), as fast-xml-parser's validator checks it. */
const NAME =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: XML's NameChar lists combining marks (U+0300–U+036F) on their own.
  /^[:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD][:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD.\d\u00B7\u0300-\u036F\u203F-\u2040-]*$/;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d;
}

/** An ASCII character that may start an XML name: a letter, `_` or `:`. */
function isAsciiNameStart(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || code === 0x5f || code === 0x3a;
}

/** An ASCII character that may continue an XML name: also digits, `-` and `.`. */
function isAsciiNameChar(code: number): boolean {
  return isAsciiNameStart(code) || (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2e;
}

/**
 * Reads `text`, calling `handler` for each tag and text. The XML declaration, processing
 * instructions and comments are skipped. A byte order mark and whitespace before the first `<`
 * are tolerated and counted in line numbers.
 *
 * @throws XmlError `too-large` before reading, `doctype` for any DTD markup, `malformed` for a
 *   document that is not well-formed or nests deeper than {@link MAX_XML_DEPTH}; each names the
 *   source and the line. An error the handler throws passes through.
 * @example
 *   readXml(answer, { open: (name) => names.push(name), close() {}, text() {} }, { source: 'the answer' });
 */
export function readXml(text: string, handler: XmlEventHandler, options: ReadXmlOptions = {}): void {
  refuseOversized(text, options);
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let start = 0;
  while (start < withoutBom.length && isSpace(withoutBom.charCodeAt(start))) start++;
  const body = start === 0 ? withoutBom : withoutBom.slice(start);
  const lineOffset = start === 0 ? 0 : withoutBom.slice(0, start).split('\n').length - 1;
  refuseMarkupDeclarations(body, lineOffset, options.source);
  const decode = options.references === 'raw' ? (raw: string) => raw : decodeXmlReferences;
  new Reader(body, lineOffset, handler, options.source, decode).read();
}

class Reader {
  readonly #text: string;
  readonly #lineOffset: number;
  readonly #handler: XmlEventHandler;
  readonly #source: string | undefined;
  readonly #decode: (raw: string) => string;
  /** Names already checked against {@link NAME}: a document repeats a few names many times. */
  readonly #names = new Set<string>();
  readonly #open: string[] = [];
  #rootSeen = false;

  constructor(
    text: string,
    lineOffset: number,
    handler: XmlEventHandler,
    source: string | undefined,
    decode: (raw: string) => string,
  ) {
    this.#text = text;
    this.#lineOffset = lineOffset;
    this.#handler = handler;
    this.#source = source;
    this.#decode = decode;
  }

  read(): void {
    const text = this.#text;
    const length = text.length;
    let index = 0;
    while (index < length) {
      const tag = text.indexOf('<', index);
      const end = tag === -1 ? length : tag;
      if (end > index) this.#characters(index, end);
      if (tag === -1) break;
      const next = text.charCodeAt(tag + 1);
      if (next === 0x2f /* / */) index = this.#endTag(tag);
      else if (next === 0x3f /* ? */) index = this.#instruction(tag);
      else if (next === 0x21 /* ! */) index = this.#commentOrCdata(tag);
      else index = this.#startTag(tag);
    }
    const unclosed = this.#open.at(-1);
    if (unclosed !== undefined) throw this.#malformed(length, `unclosed element <${unclosed}>`);
    if (!this.#rootSeen) throw this.#malformed(length, 'no root element: the document is empty or not XML');
  }

  #characters(from: number, to: number): void {
    const raw = this.#text.slice(from, to);
    if (this.#open.length === 0) {
      if (raw.trim() !== '') throw this.#malformed(from, 'text outside the root element');
      return;
    }
    if (raw.includes('&')) {
      const bare = BARE_AMPERSAND.exec(raw);
      if (bare !== null) throw this.#malformed(from + bare.index, "'&' that starts no reference");
      this.#handler.text(this.#decode(raw));
    } else {
      this.#handler.text(raw);
    }
  }

  #startTag(at: number): number {
    const text = this.#text;
    let index = at + 1;
    // Most names are ASCII: checked while they are scanned; any other goes to the full rule.
    let ascii = isAsciiNameStart(text.charCodeAt(index));
    while (index < text.length) {
      const code = text.charCodeAt(index);
      if (isSpace(code) || code === 0x3e /* > */ || code === 0x2f /* / */) break;
      if (ascii && !isAsciiNameChar(code)) ascii = false;
      index++;
    }
    const name = ascii ? text.slice(at + 1, index) : this.#name(text.slice(at + 1, index), at);
    if (this.#open.length === 0 && this.#rootSeen)
      throw this.#malformed(at, `a second root element <${name}>`);
    let attributes: Record<string, string> | undefined;
    for (;;) {
      const spaced = index;
      while (isSpace(text.charCodeAt(index))) index++;
      const code = text.charCodeAt(index);
      if (code === 0x3e /* > */ || code === 0x2f /* / */) {
        const selfClosing = code === 0x2f;
        if (selfClosing && text.charCodeAt(index + 1) !== 0x3e)
          throw this.#malformed(index, `'/' not followed by '>' in <${name}>`);
        this.#rootSeen = true;
        this.#handler.open(name, attributes ?? null);
        if (selfClosing) {
          this.#handler.close(name);
          return index + 2;
        }
        this.#open.push(name);
        if (this.#open.length > MAX_XML_DEPTH)
          throw this.#malformed(at, `nested deeper than ${MAX_XML_DEPTH} elements`);
        return index + 1;
      }
      if (Number.isNaN(code)) throw this.#malformed(at, `unterminated start tag <${name}`);
      if (index === spaced) throw this.#malformed(index, `no space before an attribute of <${name}>`);
      const equals = text.indexOf('=', index);
      const closing = text.indexOf('>', index);
      if (equals === -1 || (closing !== -1 && closing < equals))
        throw this.#malformed(index, `an attribute without a value in <${name}>`);
      let nameEnd = equals;
      while (isSpace(text.charCodeAt(nameEnd - 1))) nameEnd--;
      const attribute = this.#name(text.slice(index, nameEnd), index);
      let quote = equals + 1;
      while (isSpace(text.charCodeAt(quote))) quote++;
      const mark = text.charCodeAt(quote);
      if (mark !== 0x22 /* " */ && mark !== 0x27 /* ' */)
        throw this.#malformed(quote, `the value of ${attribute} in <${name}> is not quoted`);
      const valueEnd = text.indexOf(mark === 0x22 ? '"' : "'", quote + 1);
      if (valueEnd === -1) throw this.#malformed(quote, `the value of ${attribute} in <${name}> never ends`);
      const raw = text.slice(quote + 1, valueEnd);
      if (raw.includes('<')) throw this.#malformed(quote, `'<' in the value of ${attribute} in <${name}>`);
      const bare = raw.includes('&') ? BARE_AMPERSAND.exec(raw) : null;
      if (bare !== null) throw this.#malformed(quote + 1 + bare.index, "'&' that starts no reference");
      attributes ??= {};
      if (Object.hasOwn(attributes, attribute))
        throw this.#malformed(index, `attribute ${attribute} twice in <${name}>`);
      attributes[attribute] = raw.includes('&') ? this.#decode(raw) : raw;
      index = valueEnd + 1;
    }
  }

  #endTag(at: number): number {
    const text = this.#text;
    const open = this.#open.pop();
    // The usual case checked in place, without cutting the name out: `</` + the open name + `>`.
    if (open !== undefined && text.startsWith(open, at + 2)) {
      let index = at + 2 + open.length;
      while (isSpace(text.charCodeAt(index))) index++;
      if (text.charCodeAt(index) === 0x3e /* > */) {
        this.#handler.close(open);
        return index + 1;
      }
    }
    const close = text.indexOf('>', at + 2);
    if (close === -1) throw this.#malformed(at, 'unterminated end tag');
    let nameEnd = close;
    while (isSpace(text.charCodeAt(nameEnd - 1))) nameEnd--;
    const name = text.slice(at + 2, nameEnd);
    if (open === undefined) throw this.#malformed(at, `end tag </${name}> without a start tag`);
    throw this.#malformed(at, `end tag </${name}> where </${open}> was expected`);
  }

  #instruction(at: number): number {
    const close = this.#text.indexOf('?>', at + 2);
    if (close === -1) throw this.#malformed(at, 'unterminated processing instruction');
    const target = /^[^\s?]*/.exec(this.#text.slice(at + 2, at + 40))?.[0] ?? '';
    if (target.toLowerCase() === 'xml' && at !== 0)
      throw this.#malformed(at, 'an XML declaration anywhere but at the start');
    return close + 2;
  }

  #commentOrCdata(at: number): number {
    const text = this.#text;
    if (text.startsWith('<!--', at)) {
      const close = text.indexOf('-->', at + 4);
      if (close === -1) throw this.#malformed(at, 'unterminated comment');
      return close + 3;
    }
    if (text.startsWith('<![CDATA[', at)) {
      const close = text.indexOf(']]>', at + 9);
      if (close === -1) throw this.#malformed(at, 'unterminated CDATA section');
      if (this.#open.length === 0) throw this.#malformed(at, 'a CDATA section outside the root element');
      const content = text.slice(at + 9, close);
      if (this.#handler.cdata) this.#handler.cdata(content);
      else this.#handler.text(content);
      return close + 3;
    }
    // Markup declarations were refused before reading; what is left is not XML.
    throw this.#malformed(at, "'<!' that starts no comment or CDATA section");
  }

  #name(name: string, at: number): string {
    if (this.#names.has(name)) return name;
    if (!NAME.test(name)) throw this.#malformed(at, `"${name.slice(0, 40)}" is not a valid XML name`);
    this.#names.add(name);
    return name;
  }

  #malformed(offset: number, what: string): XmlError {
    const { line, column } = positionAt(this.#text, offset);
    return new XmlError('malformed', `not well-formed XML: ${what}`, {
      source: this.#source,
      line: line + this.#lineOffset,
      column,
    });
  }
}
