/**
 * Reading XML that arrives from outside: a namespace-resolved element tree over fast-xml-parser,
 * hardened the way a SOAP endpoint must be. A document type declaration is refused before the
 * parser sees it (no DTD processing, so no external entities and no entity expansion), and only
 * XML's five predefined entities and character references are decoded — by this module, not by
 * the parser, so nothing an attacker declares is ever expanded.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** An element with its namespace resolved; `text` is its character data (CDATA included). */
export interface XmlElement {
  /** The namespace URI; `''` for none. */
  namespace: string;
  local: string;
  attributes: readonly XmlAttribute[];
  children: readonly XmlElement[];
  /** The element's own character data, untrimmed; whitespace between child elements included. */
  text: string;
}

/** An attribute with its namespace resolved (unprefixed attributes have none: `''`). */
export interface XmlAttribute {
  namespace: string;
  local: string;
  value: string;
}

/** Why a document was refused; each is a client's mistake (or attack), never the server's. */
export type XmlRefusalReason = 'doctype' | 'entity' | 'malformed' | 'namespace';

/** A document the sandbox will not read. */
export class XmlRefusal extends Error {
  readonly reason: XmlRefusalReason;
  constructor(reason: XmlRefusalReason, message: string) {
    super(message);
    this.name = 'XmlRefusal';
    this.reason = reason;
  }
}

/** The deepest element nesting accepted; SOAP messages here are a handful of levels deep. */
export const MAX_XML_DEPTH = 64;

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const ATTRIBUTE_PREFIX = '@_';
const ATTRIBUTES_KEY = ':@';
const TEXT_KEY = '#text';
const CDATA_KEY = '#cdata';

// The parser builds the raw ordered tree; every decision about entities and namespaces is ours.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: CDATA_KEY,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_XML_DEPTH,
});

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

/**
 * Decodes XML's predefined entities and character references; any other entity reference is a
 * refusal, since without a DTD it can only be an attempt to have one expanded.
 */
export function decodeXmlText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new XmlRefusal('malformed', 'a bare "&" in character data');
    if (name.startsWith('#x') || name.startsWith('#X')) return codePoint(name.slice(2), 16, whole);
    if (name.startsWith('#')) return codePoint(name.slice(1), 10, whole);
    const value = PREDEFINED_ENTITIES[name];
    if (value === undefined) {
      throw new XmlRefusal('entity', `entity reference ${whole} is not allowed (no DTD, no entities)`);
    }
    return value;
  });
}

function codePoint(digits: string, radix: 10 | 16, reference: string): string {
  const valid = radix === 16 ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/;
  const value = valid.test(digits) ? Number.parseInt(digits, radix) : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    throw new XmlRefusal('malformed', `character reference ${reference} names no character`);
  }
  return String.fromCodePoint(value);
}

type RawNode = Record<string, unknown>;

function isRawNode(value: unknown): value is RawNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rawChildren(value: unknown): RawNode[] {
  return Array.isArray(value) ? value.filter(isRawNode) : [];
}

function splitName(qualified: string): { prefix: string; local: string } {
  const colon = qualified.indexOf(':');
  return colon === -1
    ? { prefix: '', local: qualified }
    : { prefix: qualified.slice(0, colon), local: qualified.slice(colon + 1) };
}

function resolvePrefix(prefix: string, scope: ReadonlyMap<string, string>, name: string): string {
  if (prefix === 'xml') return XML_NAMESPACE;
  const namespace = scope.get(prefix);
  if (namespace === undefined) {
    if (prefix === '') return '';
    throw new XmlRefusal('namespace', `prefix "${prefix}" of <${name}> is not declared`);
  }
  return namespace;
}

function textOf(node: RawNode): string | null {
  if (TEXT_KEY in node) {
    const value = node[TEXT_KEY];
    return decodeXmlText(typeof value === 'string' ? value : String(value ?? ''));
  }
  if (CDATA_KEY in node) {
    // CDATA is literal: its text is taken as written, never decoded.
    return rawChildren(node[CDATA_KEY])
      .map((part) => {
        const value = part[TEXT_KEY];
        return typeof value === 'string' ? value : '';
      })
      .join('');
  }
  return null;
}

function toElement(node: RawNode, parentScope: ReadonlyMap<string, string>): XmlElement | null {
  const tag = Object.keys(node).find((key) => key !== ATTRIBUTES_KEY);
  if (tag === undefined || tag === TEXT_KEY || tag === CDATA_KEY || tag.startsWith('?')) return null;
  const rawAttributes = isRawNode(node[ATTRIBUTES_KEY]) ? node[ATTRIBUTES_KEY] : {};
  const scope = new Map(parentScope);
  const declared: Array<{ name: string; value: string }> = [];
  for (const [key, value] of Object.entries(rawAttributes)) {
    const name = key.startsWith(ATTRIBUTE_PREFIX) ? key.slice(ATTRIBUTE_PREFIX.length) : key;
    const text = decodeXmlText(typeof value === 'string' ? value : String(value));
    if (name === 'xmlns') scope.set('', text);
    else if (name.startsWith('xmlns:')) scope.set(name.slice('xmlns:'.length), text);
    else declared.push({ name, value: text });
  }
  const { prefix, local } = splitName(tag);
  const attributes = declared.map(({ name, value }): XmlAttribute => {
    const split = splitName(name);
    // Unprefixed attributes are in no namespace, whatever the default namespace is.
    const namespace = split.prefix === '' ? '' : resolvePrefix(split.prefix, scope, tag);
    return { namespace, local: split.local, value };
  });
  const children: XmlElement[] = [];
  let text = '';
  for (const child of rawChildren(node[tag])) {
    const childText = textOf(child);
    if (childText !== null) {
      text += childText;
      continue;
    }
    const element = toElement(child, scope);
    if (element) children.push(element);
  }
  return { namespace: resolvePrefix(prefix, scope, tag), local, attributes, children, text };
}

/**
 * Parses a whole document and returns its root element. Throws an {@link XmlRefusal} for a
 * DOCTYPE (or an ENTITY declaration anywhere), a malformed document, an undeclared prefix, an
 * entity reference other than the predefined five, or nesting deeper than {@link MAX_XML_DEPTH}.
 * The caller bounds the size (the sandbox's body limit).
 */
export function parseXmlDocument(text: string): XmlElement {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new XmlRefusal('doctype', 'document type declarations (DTDs) are not allowed');
  }
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new XmlRefusal('malformed', `not well-formed XML at line ${line}, column ${col}: ${msg}`);
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (error) {
    throw new XmlRefusal(
      'malformed',
      `not well-formed XML: ${error instanceof Error ? error.message : error}`,
    );
  }
  const roots = rawChildren(parsed)
    .map((node) => toElement(node, new Map()))
    .filter((element): element is XmlElement => element !== null);
  const [root] = roots;
  if (root === undefined || roots.length > 1) {
    throw new XmlRefusal('malformed', 'a document must have exactly one root element');
  }
  return root;
}

/** The child elements named `local` (in `namespace`, when given). */
export function childrenNamed(element: XmlElement, local: string, namespace?: string): XmlElement[] {
  return element.children.filter(
    (child) => child.local === local && (namespace === undefined || child.namespace === namespace),
  );
}

/** The first child element named `local` (in `namespace`, when given), or null. */
export function childNamed(element: XmlElement, local: string, namespace?: string): XmlElement | null {
  return (
    element.children.find(
      (child) => child.local === local && (namespace === undefined || child.namespace === namespace),
    ) ?? null
  );
}

/** The trimmed text of the child named `local`, or null when there is no such child. */
export function childText(element: XmlElement, local: string, namespace?: string): string | null {
  const child = childNamed(element, local, namespace);
  return child === null ? null : child.text.trim();
}

/** An attribute's value, or null. */
export function attributeValue(element: XmlElement, local: string, namespace = ''): string | null {
  return (
    element.attributes.find((item) => item.local === local && item.namespace === namespace)?.value ?? null
  );
}

/** The XML Schema instance namespace, for `xsi:nil`. */
export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

/** Whether an element says `xsi:nil="true"`. */
export function isNil(element: XmlElement): boolean {
  const nil = attributeValue(element, 'nil', XSI_NAMESPACE);
  return nil === 'true' || nil === '1';
}
