import { Buffer } from 'node:buffer';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  isRpcStruct,
  RpcBinary,
  RpcDate,
  RpcDateTime,
  RpcDecimal,
  type RpcStruct,
  RpcTime,
  RpcTimeDelta,
  type RpcValue,
  setMember,
} from './rpc-values.ts';

/**
 * XML-RPC (http://xmlrpc.com/spec.md) with the extensions Python's `xmlrpc.client` speaks, which is
 * what Tryton and Odoo run: `<nil/>`, `<i8>` and `<biginteger>`. Built on fast-xml-parser, with
 * what an answer from outside may not do switched off: no DTD (a document declaring one is refused
 * before parsing, so no entity can expand or fetch anything), no entity but the five XML predefines
 * and numeric character references, values kept as text until their XML-RPC type says otherwise
 * (`<string>0045</string>` stays `"0045"`, `<double>0.10</double>` is parsed by us, not guessed).
 *
 * Types map to {@link RpcValue}: int/i4/i8/biginteger and double → number (an integer beyond 2^53
 * stays a string of its digits rather than lose them), boolean, string (and untyped text), nil →
 * null, dateTime.iso8601 → RpcDateTime, base64 → RpcBinary, array, struct. Tryton's tagged structs
 * (`__class__`) are the dialect's business, not the codec's.
 *
 * Pure functions; XmlRpcCodecError says what is wrong and where in the document.
 */

/** A document that is not XML-RPC, or a value XML-RPC cannot carry. */
export class XmlRpcCodecError extends Error {
  override readonly name = 'XmlRpcCodecError';
}

/** An answer: the one result value, or a fault with its code and string. */
export type XmlRpcResponse =
  | { kind: 'result'; value: RpcValue }
  | { kind: 'fault'; code: number | string; message: string };

/** Longest document, in characters, {@link decodeXmlRpcResponse} reads; a page of records is far smaller. */
export const MAX_XML_RPC_LENGTH = 32 * 1024 * 1024;

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * A `<methodCall>` document. Values must already be in XML-RPC's types: an RpcDecimal, RpcDate,
 * RpcTime or RpcTimeDelta has no XML-RPC type, so the dialect converts it first (Tryton: a tagged
 * struct; Odoo: a double or a string).
 *
 * @throws XmlRpcCodecError for a value XML-RPC cannot carry, naming its path.
 */
export function encodeXmlRpcCall(method: string, params: readonly RpcValue[]): string {
  if (!/^[A-Za-z0-9_.:/]+$/.test(method))
    throw new XmlRpcCodecError(`"${method}" is not an XML-RPC method name`);
  const encoded = params.map((param, index) => `<param>${encodeValue(param, `params[${index}]`)}</param>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<methodCall><methodName>${method}</methodName><params>${encoded.join('')}</params></methodCall>`;
}

/** A `<methodResponse>` with one result (test servers answer with it). */
export function encodeXmlRpcResult(value: RpcValue): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse><params><param>${encodeValue(value, 'result')}</param></params></methodResponse>`;
}

/** A `<methodResponse>` with a fault (test servers answer with it). */
export function encodeXmlRpcFault(code: number | string, message: string): string {
  const fault: RpcStruct = { faultCode: code, faultString: message };
  return `<?xml version="1.0" encoding="UTF-8"?>\n<methodResponse><fault>${encodeValue(fault, 'fault')}</fault></methodResponse>`;
}

function encodeValue(value: RpcValue, path: string): string {
  if (value === null) return '<value><nil/></value>';
  if (typeof value === 'string') return `<value><string>${escapeText(value, path)}</string></value>`;
  if (typeof value === 'boolean') return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (typeof value === 'number') return encodeNumber(value, path);
  if (Array.isArray(value)) {
    const items = value.map((item, index) => encodeValue(item, `${path}[${index}]`));
    return `<value><array><data>${items.join('')}</data></array></value>`;
  }
  if (value instanceof RpcDateTime) {
    const { year, month, day, hour, minute, second } = value.parts();
    const date = `${String(year).padStart(4, '0')}${two(month)}${two(day)}`;
    return `<value><dateTime.iso8601>${date}T${two(hour)}:${two(minute)}:${two(second)}</dateTime.iso8601></value>`;
  }
  if (value instanceof RpcBinary) {
    return `<value><base64>${Buffer.from(value.bytes).toString('base64')}</base64></value>`;
  }
  if (
    value instanceof RpcDecimal ||
    value instanceof RpcDate ||
    value instanceof RpcTime ||
    value instanceof RpcTimeDelta
  ) {
    throw new XmlRpcCodecError(
      `${path}: ${value.constructor.name} has no XML-RPC type; the dialect must convert it before encoding`,
    );
  }
  if (!isRpcStruct(value)) throw new XmlRpcCodecError(`${path}: not a value XML-RPC can carry`);
  const members = Object.entries(value).map(
    ([name, member]) =>
      `<member><name>${escapeText(name, path)}</name>${encodeValue(member, `${path}.${name}`)}</member>`,
  );
  return `<value><struct>${members.join('')}</struct></value>`;
}

function encodeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new XmlRpcCodecError(`${path}: ${value} cannot be sent over XML-RPC`);
  if (Number.isInteger(value)) {
    if (value >= INT32_MIN && value <= INT32_MAX) return `<value><int>${value}</int></value>`;
    if (Number.isSafeInteger(value)) return `<value><i8>${value}</i8></value>`;
  }
  // JavaScript prints the shortest text that reads back as the same double, as Python's repr does.
  return `<value><double>${String(value)}</double></value>`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const NOT_XML_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/u;

function escapeText(text: string, path: string): string {
  const bad = NOT_XML_CHARACTER.exec(text);
  if (bad !== null) {
    const code = bad[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0');
    throw new XmlRpcCodecError(
      `${path}: character U+${code} cannot be sent in XML; remove it from the value`,
    );
  }
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('\r', '&#13;');
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------------
// Reading

/** A node as fast-xml-parser gives it with `preserveOrder`: one element, a text or a CDATA section. */
type OrderedNode = Record<string, unknown>;

interface Element {
  name: string;
  children: OrderedNode[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  // Entities are decoded by `decodeReferences`, which knows no DTD-declared names.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/**
 * Reads a `<methodResponse>`.
 *
 * @throws XmlRpcCodecError for a document that is too large, declares a DTD, is not well-formed or
 *   is not an XML-RPC answer.
 */
export function decodeXmlRpcResponse(xml: string): XmlRpcResponse {
  const root = parseDocument(xml, 'methodResponse');
  const [body] = elements(root.children, 'methodResponse');
  if (body === undefined) throw new XmlRpcCodecError('methodResponse is empty');
  if (body.name === 'fault') {
    const fault = decodeValue(onlyChild(body, 'value'), 'fault');
    if (!isRpcStruct(fault))
      throw new XmlRpcCodecError('fault: expected a struct with faultCode and faultString');
    const code = fault.faultCode;
    const message = fault.faultString;
    return {
      kind: 'fault',
      code: typeof code === 'number' || typeof code === 'string' ? code : String(code),
      message: typeof message === 'string' ? message : JSON.stringify(message),
    };
  }
  if (body.name !== 'params') {
    throw new XmlRpcCodecError(`methodResponse: expected <params> or <fault>, found <${body.name}>`);
  }
  const params = elements(body.children, 'params');
  if (params.length !== 1) throw new XmlRpcCodecError(`params: expected one <param>, found ${params.length}`);
  const [param] = params;
  if (param?.name !== 'param') throw new XmlRpcCodecError('params: expected <param>');
  return { kind: 'result', value: decodeValue(onlyChild(param, 'value'), 'result') };
}

/** Reads a `<methodCall>` (test servers read requests with it). */
export function decodeXmlRpcCall(xml: string): { method: string; params: RpcValue[] } {
  const root = parseDocument(xml, 'methodCall');
  const children = elements(root.children, 'methodCall');
  const name = children.find((child) => child.name === 'methodName');
  if (name === undefined) throw new XmlRpcCodecError('methodCall has no methodName');
  const params = children.find((child) => child.name === 'params');
  const values = (params === undefined ? [] : elements(params.children, 'params')).map((param, index) => {
    if (param.name !== 'param') throw new XmlRpcCodecError(`params: expected <param>, found <${param.name}>`);
    return decodeValue(onlyChild(param, 'value'), `params[${index}]`);
  });
  return { method: textOf(name.children, 'methodName').trim(), params: values };
}

function parseDocument(xml: string, rootName: string): Element {
  if (xml.length > MAX_XML_RPC_LENGTH) {
    throw new XmlRpcCodecError(
      `the document is longer than ${MAX_XML_RPC_LENGTH} characters; refused before parsing`,
    );
  }
  const declaration = markupDeclaration(xml);
  if (declaration !== undefined) {
    throw new XmlRpcCodecError(
      `<!${declaration} refused: XML-RPC needs no DTD, and one could expand entities or fetch files`,
    );
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new XmlRpcCodecError(`not well-formed XML at line ${line}, column ${col}: ${msg}`);
  }
  const nodes: unknown = parser.parse(xml);
  const roots = Array.isArray(nodes) ? elements(nodes.filter(isNode), 'the document') : [];
  const [root] = roots;
  if (root === undefined || root.name !== rootName) {
    throw new XmlRpcCodecError(`expected <${rootName}>, found ${root ? `<${root.name}>` : 'no element'}`);
  }
  return root;
}

/** The keyword of the first `<!…` that is neither a comment nor a CDATA section, if any. */
function markupDeclaration(xml: string): string | undefined {
  let at = xml.indexOf('<!');
  while (at !== -1) {
    if (xml.startsWith('<!--', at)) {
      const end = xml.indexOf('-->', at + 4);
      if (end === -1) return undefined;
      at = xml.indexOf('<!', end + 3);
    } else if (xml.startsWith('<![CDATA[', at)) {
      const end = xml.indexOf(']]>', at + 9);
      if (end === -1) return undefined;
      at = xml.indexOf('<!', end + 3);
    } else {
      return /^[A-Za-z]*/.exec(xml.slice(at + 2))?.[0] || 'markup';
    }
  }
  return undefined;
}

function decodeValue(value: Element, path: string): RpcValue {
  const typed = elements(value.children, path, true);
  if (typed.length === 0) return textOf(value.children, path);
  if (typed.length > 1)
    throw new XmlRpcCodecError(`${path}: a <value> holds one type, found ${typed.length}`);
  const [type] = typed;
  if (type === undefined) throw new XmlRpcCodecError(`${path}: empty value`);
  switch (type.name) {
    case 'string':
      return textOf(type.children, path);
    case 'int':
    case 'i4':
    case 'i8':
    case 'i1':
    case 'i2':
    case 'biginteger':
      return decodeInteger(textOf(type.children, path).trim(), path);
    case 'double': {
      const text = textOf(type.children, path).trim();
      const number = Number(text);
      if (text === '' || !Number.isFinite(number))
        throw new XmlRpcCodecError(`${path}: "${text}" is not a double`);
      return number;
    }
    case 'boolean': {
      const text = textOf(type.children, path).trim();
      if (text === '1' || text === 'true') return true;
      if (text === '0' || text === 'false') return false;
      throw new XmlRpcCodecError(`${path}: "${text}" is not a boolean (0 or 1)`);
    }
    case 'nil':
      return null;
    case 'dateTime.iso8601':
      return decodeDateTime(textOf(type.children, path).trim(), path);
    case 'base64':
      return new RpcBinary(new Uint8Array(Buffer.from(textOf(type.children, path), 'base64')));
    case 'array': {
      const data = onlyChild(type, 'data', `${path} <array>`);
      return elements(data.children, path).map((item, index) => {
        if (item.name !== 'value') throw new XmlRpcCodecError(`${path}[${index}]: expected <value>`);
        return decodeValue(item, `${path}[${index}]`);
      });
    }
    case 'struct': {
      const struct: RpcStruct = {};
      for (const member of elements(type.children, path)) {
        if (member.name !== 'member') throw new XmlRpcCodecError(`${path}: expected <member>`);
        const parts = elements(member.children, path);
        const name = parts.find((part) => part.name === 'name');
        const inner = parts.find((part) => part.name === 'value');
        if (name === undefined || inner === undefined) {
          throw new XmlRpcCodecError(`${path}: a <member> needs a <name> and a <value>`);
        }
        const key = textOf(name.children, `${path} member name`);
        setMember(struct, key, decodeValue(inner, `${path}.${key}`));
      }
      return struct;
    }
    default:
      throw new XmlRpcCodecError(`${path}: unknown XML-RPC type <${type.name}>`);
  }
}

function decodeInteger(text: string, path: string): number | string {
  if (!/^[+-]?\d+$/.test(text)) throw new XmlRpcCodecError(`${path}: "${text}" is not an integer`);
  const number = Number(text);
  // Beyond 2^53 a number would silently change: keep the digits.
  return Number.isSafeInteger(number) ? number : text.replace(/^\+/, '');
}

/**
 * `20261204T19:57:37` (Python's form), `2026-12-04T19:57:37`, optionally with a fraction and a zone;
 * a zone is converted to UTC, since the ERPs keep naive UTC datetimes.
 */
function decodeDateTime(text: string, path: string): RpcDateTime {
  const match =
    /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:[.,](\d{1,6})\d*)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      text,
    );
  if (match === null) throw new XmlRpcCodecError(`${path}: "${text}" is not a dateTime.iso8601`);
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  try {
    const local = RpcDateTime.of({
      year: Number(year),
      month: Number(month),
      day: Number(day),
      hour: Number(hour),
      minute: Number(minute),
      second: Number(second),
      microsecond: fraction === undefined ? 0 : Number(fraction.padEnd(6, '0')),
    });
    if (zone === undefined || zone === 'Z') return local;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    const utc = new Date(Date.parse(`${local.iso.slice(0, 19)}Z`) - offsetMinutes * 60_000);
    return RpcDateTime.of({
      year: utc.getUTCFullYear(),
      month: utc.getUTCMonth() + 1,
      day: utc.getUTCDate(),
      hour: utc.getUTCHours(),
      minute: utc.getUTCMinutes(),
      second: utc.getUTCSeconds(),
      microsecond: local.parts().microsecond,
    });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new XmlRpcCodecError(`${path}: ${error.message}`);
  }
}

function isNode(node: unknown): node is OrderedNode {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

function childrenOf(node: OrderedNode, name: string): OrderedNode[] {
  const children = node[name];
  return Array.isArray(children) ? children.filter(isNode) : [];
}

/**
 * The child elements of a node. Text between them must be whitespace, except inside a `<value>`
 * (`textAllowed`), whose bare text is a string and is read by `textOf` instead.
 */
function elements(children: readonly OrderedNode[], path: string, textAllowed = false): Element[] {
  const found: Element[] = [];
  let text = false;
  for (const child of children) {
    const [name] = Object.keys(child);
    if (name === undefined) continue;
    if (name === '#text' || name === '#cdata') {
      const content = name === '#text' ? String(child[name]) : 'cdata';
      if (content.trim() !== '') text = true;
      continue;
    }
    found.push({ name, children: childrenOf(child, name) });
  }
  if (text && found.length > 0) throw new XmlRpcCodecError(`${path}: text mixed with elements`);
  if (text && !textAllowed) throw new XmlRpcCodecError(`${path}: unexpected text`);
  return found;
}

function onlyChild(parent: Element, name: string, path = `<${parent.name}>`): Element {
  const [child, extra] = elements(parent.children, path);
  if (child?.name !== name || extra !== undefined) {
    throw new XmlRpcCodecError(`${path}: expected exactly one <${name}>`);
  }
  return child;
}

/** The text content of a leaf: its texts with references decoded, CDATA sections verbatim. */
function textOf(children: readonly OrderedNode[], path: string): string {
  let text = '';
  for (const child of children) {
    if ('#text' in child) text += decodeReferences(String(child['#text']), path);
    else if ('#cdata' in child) {
      for (const part of childrenOf(child, '#cdata')) text += String(part['#text'] ?? '');
    } else {
      throw new XmlRpcCodecError(`${path}: expected text, found <${Object.keys(child)[0] ?? '?'}>`);
    }
  }
  return text;
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five predefined entities and numeric character references; any other `&name;` is an error. */
function decodeReferences(text: string, path: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    /&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9._-]*);|&/g,
    (match, body?: string) => {
      if (body === undefined) throw new XmlRpcCodecError(`${path}: a bare "&" is not well-formed XML`);
      if (body.startsWith('#')) {
        const code = body[1] === 'x' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
        if (!isXmlCharacter(code)) throw new XmlRpcCodecError(`${path}: ${match} is not an XML character`);
        return String.fromCodePoint(code);
      }
      const predefined = PREDEFINED[body];
      if (predefined === undefined) {
        throw new XmlRpcCodecError(
          `${path}: entity ${match} is not one of XML's five; no DTD entities are read`,
        );
      }
      return predefined;
    },
  );
}

function isXmlCharacter(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
