import { BARE_AMPERSAND, decodeXmlReferences, MAX_XML_DEPTH } from '../../xml/index.ts';
import type { KeptFields, RfcStructureValue, RfcValue } from './rfc-answer.ts';

/**
 * The fast path of `readRfcAnswer`: one scan over an RFC-SOAP answer written the way SAP's runtime
 * writes it — no layout, no comments, no attributes but namespace declarations, names in ASCII,
 * text without references — building the same values as the general reader without an event per
 * element. It accepts a strict subset of XML and nothing else: at the first thing outside it (a
 * comment, CDATA, a bare `&`, an attribute, whitespace inside a tag, an unexpected
 * element, a tag that does not close, …) it gives up and returns undefined, and the caller reads
 * the answer with `readXml`, which refuses what is wrong with a line and column, or reads what is
 * merely unusual. So what it accepts is always well-formed XML that the general reader reads to
 * the same values; `rfc-answer.test.ts` holds the two against each other on real answers and on
 * broken ones.
 *
 * Table rows repeat their fields in the same order, so each field name is first looked for where
 * the table's first row had it: names are compared in place instead of being cut out of the text,
 * and every row's fields are stored under the same strings.
 */

const LESS_THAN = 0x3c;
const GREATER_THAN = 0x3e;
const SLASH = 0x2f;
const QUESTION = 0x3f;
/** Deepest value nesting below the response the fast path reads (the general reader bounds the rest). */
const MAX_VALUE_DEPTH = MAX_XML_DEPTH - 4;

/** The response's parameters, or undefined when the answer is not in the subset read here. */
export function scanRfcAnswer(
  text: string,
  functionModule: string,
  options: { rfc: string; envelopes: ReadonlySet<string>; kept: KeptFields },
): RfcStructureValue | undefined {
  return new Scan(text, options.kept).answer(`${functionModule}Response`, options);
}

class Scan {
  readonly #text: string;
  readonly #kept: KeptFields;
  #at = 0;

  constructor(text: string, kept: KeptFields) {
    this.#text = text;
    this.#kept = kept;
  }

  answer(
    response: string,
    namespaces: { rfc: string; envelopes: ReadonlySet<string> },
  ): RfcStructureValue | undefined {
    const text = this.#text;
    if (text.startsWith('<?xml')) {
      const close = text.indexOf('?>', 5);
      const space = text.charCodeAt(5);
      if (close === -1 || (space !== 0x20 && space !== QUESTION) || text.lastIndexOf('<', close) !== 0)
        return undefined;
      this.#at = close + 2;
      if (!this.#layout()) return undefined;
    }
    const declared = new Map<string, string>();
    const envelope = this.#startTag(declared);
    if (envelope === undefined || envelope.empty) return undefined;
    const prefix = prefixOf(envelope.name);
    const envelopeNamespace = declared.get(prefix);
    if (
      envelope.name.slice(prefix === '' ? 0 : prefix.length + 1) !== 'Envelope' ||
      envelopeNamespace === undefined ||
      !namespaces.envelopes.has(envelopeNamespace)
    )
      return undefined;
    const tag = (local: string) => (prefix === '' ? local : `${prefix}:${local}`);
    if (!this.#layout()) return undefined;
    if (this.#literal(`<${tag('Header')}/>`) && !this.#layout()) return undefined;
    if (!this.#literal(`<${tag('Body')}>`) || !this.#layout()) return undefined;
    const opened = this.#startTag(declared);
    if (opened === undefined) return undefined;
    const responsePrefix = prefixOf(opened.name);
    if (
      opened.name.slice(responsePrefix === '' ? 0 : responsePrefix.length + 1) !== response ||
      declared.get(responsePrefix) !== namespaces.rfc
    )
      return undefined;
    const value = opened.empty ? '' : this.#content(opened.name, 0, undefined, undefined);
    if (value === undefined || !this.#layout()) return undefined;
    if (!this.#literal(`</${tag('Body')}>`) || !this.#layout()) return undefined;
    if (!this.#literal(`</${tag('Envelope')}>`) || !this.#layout()) return undefined;
    if (this.#at !== text.length) return undefined;
    return typeof value === 'object' && !Array.isArray(value) ? value : {};
  }

  /**
   * A start tag at `#at` with namespace declarations only (recorded in `declared`): its name, and
   * whether it is empty (`/>`); `#at` after it.
   */
  #startTag(declared: Map<string, string>): { name: string; empty: boolean } | undefined {
    const text = this.#text;
    if (text.charCodeAt(this.#at) !== LESS_THAN) return undefined;
    const end = nameEnd(text, this.#at + 1);
    if (end === -1) return undefined;
    const name = text.slice(this.#at + 1, end);
    let at = end;
    const seen = new Set<string>();
    for (;;) {
      const code = text.charCodeAt(at);
      if (code === GREATER_THAN) {
        this.#at = at + 1;
        return { name, empty: false };
      }
      if (code === SLASH) {
        if (text.charCodeAt(at + 1) !== GREATER_THAN) return undefined;
        this.#at = at + 2;
        return { name, empty: true };
      }
      if (code !== 0x20) return undefined;
      const attribute = at + 1;
      const equals = nameEnd(text, attribute);
      if (equals === -1 || text.charCodeAt(equals) !== 0x3d /* = */) return undefined;
      const attributeName = text.slice(attribute, equals);
      const quote = text.charCodeAt(equals + 1);
      if (quote !== 0x22 && quote !== 0x27) return undefined;
      const close = text.indexOf(quote === 0x22 ? '"' : "'", equals + 2);
      if (close === -1) return undefined;
      const value = text.slice(equals + 2, close);
      if (value.includes('<') || value.includes('&') || seen.has(attributeName)) return undefined;
      seen.add(attributeName);
      if (attributeName === 'xmlns') declared.set('', value);
      else if (attributeName.startsWith('xmlns:') && attributeName.length > 6)
        declared.set(attributeName.slice(6), value);
      else return undefined;
      at = close + 1;
    }
  }

  /**
   * The value of the element `name` whose start tag ends just before `#at`; `#at` after its end
   * tag. `shape` is the field names its children had in the table's first row (filled while that
   * row is read); `kept`, the only fields of it to keep (a parameter's, or a row's of a table
   * parameter: what `readRfcAnswer`'s `fields` name).
   */
  #content(
    name: string,
    depth: number,
    shape: string[] | undefined,
    kept: ReadonlySet<string> | undefined,
    dropped = false,
  ): RfcValue | undefined {
    const text = this.#text;
    const start = this.#at;
    const next = text.indexOf('<', start);
    if (next === -1) return undefined;
    if (text.charCodeAt(next + 1) === SLASH) {
      // A field: its text, references expanded as readXml expands them, then its end tag. A
      // field left out is checked the same, without being cut out of the text.
      if (!this.#endTag(name, next)) return undefined;
      if (next === start) return '';
      if (!hasAmpersand(text, start, next)) return dropped ? '' : text.slice(start, next);
      const value = text.slice(start, next);
      if (BARE_AMPERSAND.test(value)) return undefined;
      return dropped ? '' : decodeXmlReferences(value);
    }
    if (depth >= MAX_VALUE_DEPTH || !isLayout(text, start, next)) return undefined;
    this.#at = next;
    let rows: RfcValue[] | undefined;
    let fields: RfcStructureValue | undefined;
    let rowShape: string[] | undefined;
    // A row whose names all stand where the first row had them cannot repeat one (the first row
    // was checked); once one does not, every name is checked.
    const learning = shape !== undefined && shape.length === 0;
    let predictedSoFar = !learning && shape !== undefined;
    for (let index = 0; ; index++) {
      const at = this.#at;
      if (text.charCodeAt(at + 1) === SLASH) {
        if (!this.#endTag(name, at)) return undefined;
        return rows ?? fields ?? '';
      }
      // A child: its name where the first row had it, else read from the text.
      let qualified: string;
      let local: string;
      const predicted = shape?.[index];
      const after = predicted === undefined ? -1 : at + 1 + predicted.length;
      const mark = text.charCodeAt(after);
      if (
        predicted !== undefined &&
        (mark === GREATER_THAN || mark === SLASH) &&
        text.startsWith(predicted, at + 1)
      ) {
        qualified = predicted;
        local = predicted;
      } else {
        predictedSoFar = false;
        const end = nameEnd(text, at + 1);
        if (end === -1) return undefined;
        qualified = text.slice(at + 1, end);
        const colon = qualified.indexOf(':');
        local = colon === -1 ? qualified : qualified.slice(colon + 1);
        if (local === '' || local === '__proto__') return undefined;
        if (learning && shape.length === index && local === qualified) shape.push(local);
      }
      const tagEnd = at + 1 + qualified.length;
      let value: RfcValue | undefined;
      const code = text.charCodeAt(tagEnd);
      if (code === SLASH) {
        if (text.charCodeAt(tagEnd + 1) !== GREATER_THAN) return undefined;
        this.#at = tagEnd + 2;
        value = '';
      } else if (code === GREATER_THAN) {
        this.#at = tagEnd + 1;
        if (index === 0 && local === 'item') rowShape = [];
        // A parameter's kept fields apply to it, and to its rows when it is a table.
        const childKept =
          depth === 0 ? this.#kept?.get(local) : depth === 1 && local === 'item' ? kept : undefined;
        value = this.#content(
          qualified,
          depth + 1,
          local === 'item' ? rowShape : undefined,
          childKept,
          kept !== undefined && !kept.has(local),
        );
        if (value === undefined) return undefined;
      } else {
        return undefined;
      }
      if (index === 0) {
        if (local === 'item') rows = [];
        else fields = {};
      }
      if (rows !== undefined) {
        if (local !== 'item') return undefined;
        rows.push(value);
      } else if (fields !== undefined) {
        if (local === 'item' || (!predictedSoFar && fields[local] !== undefined)) return undefined;
        if (kept === undefined || kept.has(local)) fields[local] = value;
      }
      const following = text.indexOf('<', this.#at);
      if (following === -1 || (following !== this.#at && !isLayout(text, this.#at, following)))
        return undefined;
      this.#at = following;
    }
  }

  /** Whether `</name>` stands at `at`; `#at` after it when it does. */
  #endTag(name: string, at: number): boolean {
    const text = this.#text;
    if (!text.startsWith(name, at + 2) || text.charCodeAt(at + 2 + name.length) !== GREATER_THAN)
      return false;
    this.#at = at + 3 + name.length;
    return true;
  }

  /** Whether `literal` stands at `#at`; `#at` after it when it does. */
  #literal(literal: string): boolean {
    if (!this.#text.startsWith(literal, this.#at)) return false;
    this.#at += literal.length;
    return true;
  }

  /** Skips whitespace; false when something else than a tag (or the end) follows it. */
  #layout(): boolean {
    const text = this.#text;
    let at = this.#at;
    while (at < text.length) {
      const code = text.charCodeAt(at);
      if (code !== 0x20 && code !== 0x0a && code !== 0x09 && code !== 0x0d) break;
      at++;
    }
    this.#at = at;
    return at === text.length || text.charCodeAt(at) === LESS_THAN;
  }
}

/**
 * Where an ASCII XML name starting at `from` ends: the index of the first character after it, or
 * -1 when there is no name there or it does not end in `>`, `/`, `=` or a space.
 */
function nameEnd(text: string, from: number): number {
  const first = text.charCodeAt(from);
  const startsName =
    (first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a) || first === 0x5f || first === 0x3a;
  if (!startsName) return -1;
  let at = from + 1;
  for (;;) {
    const code = text.charCodeAt(at);
    if (
      (code >= 0x41 && code <= 0x5a) ||
      (code >= 0x61 && code <= 0x7a) ||
      (code >= 0x30 && code <= 0x39) ||
      code === 0x5f ||
      code === 0x3a ||
      code === 0x2d ||
      code === 0x2e
    ) {
      at++;
      continue;
    }
    return code === GREATER_THAN || code === SLASH || code === 0x3d || code === 0x20 ? at : -1;
  }
}

function prefixOf(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? '' : qualified.slice(0, colon);
}

/** Whether `text` from `from` to `to` has an `&` (a search bounded to the field, unlike indexOf). */
function hasAmpersand(text: string, from: number, to: number): boolean {
  for (let at = from; at < to; at++) if (text.charCodeAt(at) === 0x26) return true;
  return false;
}

/** Whether `text` from `from` to `to` is whitespace only. */
function isLayout(text: string, from: number, to: number): boolean {
  for (let at = from; at < to; at++) {
    const code = text.charCodeAt(at);
    if (code !== 0x20 && code !== 0x0a && code !== 0x09 && code !== 0x0d) return false;
  }
  return true;
}
