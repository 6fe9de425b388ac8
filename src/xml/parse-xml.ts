import { XMLParser } from 'fast-xml-parser';
import { type CheckXmlOptions, checkXml } from './check-xml.ts';
import { createEntityDecoder } from './entity-decoder.ts';
import { XmlError } from './xml-error.ts';
import { ATTRIBUTE_PREFIX, isXmlElement, TEXT_KEY, type XmlElement, type XmlValue } from './xml-node.ts';

/**
 * Reading XML that came from outside — an ERP's answer, a WSDL, a Visual Studio service map —
 * without letting it reach further than its own bytes. On top of fast-xml-parser:
 *
 * - the size is checked before anything is parsed (default 10 MB, see `check-xml.ts`);
 * - a DOCTYPE (or any DTD markup) is refused, naming its line: no external entity can read a file
 *   or fetch a URL, no entity can expand a billion times;
 * - only the five predefined entities and numeric character references are expanded;
 * - the document must be well-formed (fast-xml-parser's validator, with line and column);
 * - values stay strings, exactly as sent: `0045000123` is not a number, leading blanks are kept;
 * - element names that would reach Object.prototype (`__proto__`, `constructor`, `prototype`) are
 *   refused by fast-xml-parser; `toString`, `hasOwnProperty` and the like come out as `__toString`….
 */

/** Deepest element nesting accepted; deeper documents are refused as malformed. */
export const MAX_XML_DEPTH = 100;

export interface ParseXmlOptions extends CheckXmlOptions {
  /**
   * `strip` (default): element and attribute names without their prefixes (`soap:Envelope` →
   * `Envelope`) and no `xmlns` attributes — what reading an ERP message wants. `keep`: names as
   * written and `xmlns` attributes kept, for code that resolves namespaces itself.
   */
  namespaces?: 'strip' | 'keep';
  /** Element names (as they appear in the result) that are always arrays, even when they occur once. */
  arrays?: readonly string[];
}

/**
 * Parses `text` into plain objects (see `xml-node.ts` for the shape).
 *
 * Whitespace-only text between child elements is dropped; the text of an element without children
 * is kept exactly, blanks included. The XML declaration and processing instructions (`<?binding.jca
 * …?>`) are skipped. A byte order mark and whitespace before the first `<` are tolerated.
 *
 * @throws XmlError `too-large` before parsing, `doctype` for any DTD markup, `malformed` for a
 *   document that is not well-formed; each names the source and, where known, the line.
 * @example
 *   const doc = parseXml(answer, { source: 'the answer of GetOrder' });
 *   childAt(doc, 'Envelope', 'Body', 'GetOrderResponse');
 */
export function parseXml(text: string, options: ParseXmlOptions = {}): XmlElement {
  const { body } = checkXml(text, options);
  const source = options.source;
  const arrays = new Set(options.arrays ?? []);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    textNodeName: TEXT_KEY,
    removeNSPrefix: (options.namespaces ?? 'strip') === 'strip',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    allowBooleanAttributes: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: true,
    entityDecoder: createEntityDecoder(),
    maxNestedTags: MAX_XML_DEPTH,
    isArray: (name) => arrays.has(name),
  });
  let parsed: unknown;
  try {
    parsed = parser.parse(body);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new XmlError('malformed', `cannot be read: ${reason}`, { source }, cause);
  }
  return dropLayoutWhitespace(toXmlElement(parsed));
}

function toXmlElement(value: unknown): XmlElement {
  const converted = toXmlValue(value);
  return isXmlElement(converted) ? converted : {};
}

/** fast-xml-parser's output, checked into the XmlValue shape (it only produces these). */
function toXmlValue(value: unknown): XmlValue {
  if (Array.isArray(value)) return value.map(toXmlValue);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, toXmlValue(child)]));
  }
  return value === undefined || value === null ? '' : String(value);
}

/** Removes whitespace-only `#text` from elements that have child elements: it is layout, not data. */
function dropLayoutWhitespace(element: XmlElement): XmlElement {
  const keys = Object.keys(element);
  const hasChildren = keys.some((key) => key !== TEXT_KEY && !key.startsWith(ATTRIBUTE_PREFIX));
  for (const key of keys) {
    const value = element[key];
    if (key === TEXT_KEY) {
      if (hasChildren && typeof value === 'string' && value.trim() === '') delete element[key];
    } else if (value !== undefined) {
      cleanValue(value);
    }
  }
  return element;
}

function cleanValue(value: XmlValue): void {
  if (Array.isArray(value)) {
    for (const item of value) cleanValue(item);
  } else if (isXmlElement(value)) {
    dropLayoutWhitespace(value);
  }
}
