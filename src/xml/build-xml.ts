import { XMLBuilder } from 'fast-xml-parser';
import { XmlError } from './xml-error.ts';
import { ATTRIBUTE_PREFIX, TEXT_KEY } from './xml-node.ts';

/**
 * Writing XML from plain objects, the mirror of `parseXml`: child elements by name (arrays repeat
 * them), `@name` attributes, `#text`. Text and attribute values are always escaped. Names and
 * characters that cannot be written as well-formed XML are refused instead of being emitted: a
 * value taken from an ERP record must never be able to open an element of its own.
 */

/** A value to write: text (numbers and booleans as their string), an element, or repetitions. */
export type XmlBuildValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | XmlBuildElement
  | readonly XmlBuildValue[];

/** An element (or the document) to write. `undefined` children are left out; `null` is an empty element. */
export interface XmlBuildElement {
  readonly [name: string]: XmlBuildValue;
}

export interface BuildXmlOptions {
  /** Start with `<?xml version="1.0" encoding="UTF-8"?>`; default true. */
  declaration?: boolean;
  /** Spaces per nesting level; absent (default): no line breaks at all. */
  indent?: number;
}

/** An XML name, optionally with one prefix (`soap:Envelope`). */
const XML_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*(?::[\p{L}_][\p{L}\p{N}_.-]*)?$/u;
/**
 * Index of the first character XML 1.0 cannot carry, escaped or not (control characters other than
 * tab, line feed and carriage return; U+FFFE and U+FFFF; a surrogate without its pair), or -1.
 */
function firstNonXmlCharacter(text: string): { index: number; codePoint: number } | undefined {
  let index = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    const control = codePoint < 0x20 && codePoint !== 0x9 && codePoint !== 0xa && codePoint !== 0xd;
    const loneSurrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
    if (control || loneSurrogate || codePoint === 0xfffe || codePoint === 0xffff) return { index, codePoint };
    index += character.length;
  }
  return undefined;
}

/**
 * The document as XML text.
 *
 * @throws XmlError `invalid-name` for an element or attribute name that is not an XML name,
 *   `invalid-character` for text XML cannot represent (control characters, lone surrogates); both
 *   name the path of the offending value.
 * @example
 *   buildXml({ Order: { '@id': '45', Note: 'a < b & c' } }, { declaration: false })
 *   // → '<Order id="45"><Note>a &lt; b &amp; c</Note></Order>'
 */
export function buildXml(document: XmlBuildElement, options: BuildXmlOptions = {}): string {
  const prepared = prepareElement(document, '');
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    textNodeName: TEXT_KEY,
    format: options.indent !== undefined,
    indentBy: ' '.repeat(options.indent ?? 0),
    suppressEmptyNode: true,
    processEntities: true,
  });
  const body: unknown = builder.build(prepared);
  const xml = String(body);
  return options.declaration === false ? xml : `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
}

/**
 * `text` escaped for an element's content, for callers that write large, fixed-shape XML
 * themselves (a table of hundreds of keys) faster than `buildXml`'s tree: `&` and `<` and `>`
 * escaped, and the same refusal of characters XML cannot carry.
 *
 * @param path what the value is, for the error (`TEXT_LINES.item[3].TDNAME`).
 * @throws XmlError `invalid-character`.
 * @example
 *   `<TDNAME>${escapeXmlText(poNumber, 'TDNAME')}</TDNAME>`
 */
export function escapeXmlText(text: string, path: string): string {
  const checked = prepareText(text, path);
  return /[&<>]/.test(checked)
    ? checked.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
    : checked;
}

type Prepared = string | { [name: string]: Prepared } | Prepared[];

function prepareElement(element: XmlBuildElement, path: string): { [name: string]: Prepared } {
  const out: { [name: string]: Prepared } = {};
  for (const [key, value] of Object.entries(element)) {
    if (value === undefined) continue;
    const at = path === '' ? key : `${path}.${key}`;
    if (key === TEXT_KEY) {
      out[key] = prepareText(value, at);
    } else if (key.startsWith(ATTRIBUTE_PREFIX)) {
      checkName(key.slice(ATTRIBUTE_PREFIX.length), at, 'attribute');
      out[key] = prepareText(value, at);
    } else {
      checkName(key, at, 'element');
      out[key] = prepareValue(value, at);
    }
  }
  return out;
}

function prepareValue(value: XmlBuildValue, path: string): Prepared {
  if (isRepetition(value)) return value.map((item, index) => prepareValue(item, `${path}[${index}]`));
  if (typeof value === 'object' && value !== null) return prepareElement(value, path);
  return prepareText(value, path);
}

function isRepetition(value: XmlBuildValue): value is readonly XmlBuildValue[] {
  return Array.isArray(value);
}

function prepareText(value: XmlBuildValue, path: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    throw new XmlError('invalid-name', `${path}: an attribute or #text must be text, not an element`);
  }
  const text = String(value);
  const bad = firstNonXmlCharacter(text);
  if (bad !== undefined) {
    const code = bad.codePoint.toString(16).toUpperCase().padStart(4, '0');
    throw new XmlError(
      'invalid-character',
      `${path}: character U+${code} at position ${bad.index} cannot be written in XML; remove it from the value`,
    );
  }
  return text;
}

function checkName(name: string, path: string, what: 'element' | 'attribute'): void {
  if (!XML_NAME.test(name)) {
    throw new XmlError('invalid-name', `${path}: "${name}" is not a valid XML ${what} name`);
  }
}
