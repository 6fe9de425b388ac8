/**
 * Reading XML that arrives from outside: a namespace-resolved element tree over erpbridge's
 * one-pass reader (`readXml`: well-formedness, no DTD), hardened the way a SOAP endpoint must be.
 * A document type declaration is refused before anything reads it (no DTD processing, so no
 * external entities and no entity expansion), and only XML's five predefined entities and
 * character references are decoded — by this module, from the text as written, so nothing an
 * attacker declares is ever expanded and any other entity reference is refused.
 */
import { readXml, XmlError } from '../../src/xml/index.ts';

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
/** Requests are bounded by the routes' body limit; this only keeps the reader's own bound out of the way. */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

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

/** An element being read: its parts so far, and the namespace scope its children see. */
interface OpenElement {
  name: string;
  scope: ReadonlyMap<string, string>;
  attributes: Array<{ name: string; value: string }>;
  children: XmlElement[];
  text: string;
}

/**
 * Parses a whole document and returns its root element. Throws an {@link XmlRefusal} for a
 * DOCTYPE (or an ENTITY declaration anywhere), a malformed document, an undeclared prefix, an
 * entity reference other than the predefined five, or nesting deeper than {@link MAX_XML_DEPTH}.
 * The caller bounds the size (the sandbox's body limit).
 */
export function parseXmlDocument(text: string): XmlElement {
  const stack: OpenElement[] = [];
  let root: XmlElement | null = null;
  const current = () => stack.at(-1);
  try {
    readXml(
      text,
      {
        open(name, attributes) {
          const parentScope: ReadonlyMap<string, string> = current()?.scope ?? new Map();
          let own: Map<string, string> | undefined;
          const declared: Array<{ name: string; value: string }> = [];
          for (const [attribute, raw] of Object.entries(attributes ?? {})) {
            const value = decodeXmlText(raw);
            if (attribute === 'xmlns' || attribute.startsWith('xmlns:')) {
              own ??= new Map(parentScope);
              own.set(attribute === 'xmlns' ? '' : attribute.slice('xmlns:'.length), value);
            } else {
              declared.push({ name: attribute, value });
            }
          }
          stack.push({ name, scope: own ?? parentScope, attributes: declared, children: [], text: '' });
          if (stack.length > MAX_XML_DEPTH) {
            throw new XmlRefusal('malformed', `elements nested deeper than ${MAX_XML_DEPTH}`);
          }
        },
        close() {
          const open = stack.pop();
          if (open === undefined) return;
          const { prefix, local } = splitName(open.name);
          const element: XmlElement = {
            namespace: resolvePrefix(prefix, open.scope, open.name),
            local,
            attributes: open.attributes.map(({ name, value }): XmlAttribute => {
              const split = splitName(name);
              // Unprefixed attributes are in no namespace, whatever the default namespace is.
              const namespace = split.prefix === '' ? '' : resolvePrefix(split.prefix, open.scope, open.name);
              return { namespace, local: split.local, value };
            }),
            children: open.children,
            text: open.text,
          };
          const parent = current();
          if (parent === undefined) root = element;
          else parent.children.push(element);
        },
        text(raw) {
          const open = current();
          if (open !== undefined) open.text += decodeXmlText(raw);
        },
        cdata(raw) {
          // CDATA is literal: its text is taken as written, never decoded.
          const open = current();
          if (open !== undefined) open.text += raw;
        },
      },
      { references: 'raw', maxBytes: MAX_DOCUMENT_BYTES },
    );
  } catch (error) {
    if (!(error instanceof XmlError)) throw error;
    if (error.problem === 'doctype') {
      throw new XmlRefusal('doctype', 'document type declarations (DTDs) are not allowed');
    }
    throw new XmlRefusal('malformed', error.message);
  }
  if (root === null) throw new XmlRefusal('malformed', 'a document must have exactly one root element');
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
