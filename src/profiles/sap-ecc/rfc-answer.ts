import { MAX_XML_DEPTH, readXml, refuseOversized, type XmlEventHandler } from '../../xml/index.ts';
import { scanRfcAnswer } from './rfc-answer-scan.ts';

/**
 * Reading an RFC-SOAP answer (`/sap/bc/soap/rfc`) straight into rows, in place of node-soap's
 * schema-driven result. SAP's answers are large and regular — a page of BAPI_PO_GETITEMS is ~0.8 MB
 * of `<item>` rows with every field of BAPIEKKOL and BAPIEKPOC written — and node-soap's reading
 * (a schema lookup and an object per element) cost more than everything else a page does. This
 * reader is one pass of `readXml` (size bound, no DTD, only predefined and numeric references,
 * well-formed, nesting bounded) that keeps what the binding reads:
 *
 * ```
 * <soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">
 *   <soap-env:Header/>?  <soap-env:Body>
 *     <n0:BAPI_PO_GETITEMSResponse xmlns:n0="urn:sap-com:document:sap:rfc:functions">
 *       <PO_HEADERS><item><PO_NUMBER>0045000001</PO_NUMBER><DELETE_IND/>…</item>…</PO_HEADERS>
 *       <RETURN/>
 * ```
 *
 * becomes `{ PO_HEADERS: [{ PO_NUMBER: '0045000001', DELETE_IND: '', … }, …], RETURN: '' }`:
 *
 * - a parameter or field with text only is that text, as written (references decoded), `''` when empty;
 * - an element whose children are `<item>`s (a table; ABAP field names are upper case, so a field
 *   cannot be named `item`) is the list of their values, whatever their number;
 * - an element with other children (a structure) is an object of them by local name;
 * - whitespace between elements is layout and dropped; text beside elements, a field twice, or
 *   `<item>` beside fields is not an RFC answer.
 *
 * Answers laid out as SAP writes them are read by a scan that builds the values directly
 * (`rfc-answer-scan.ts`); anything it does not take — comments, CDATA, attributes on fields, a
 * DTD, a malformed document — is read by `readXml` with an event handler, to the same values or
 * the same refusal.
 * (`fastPath: false` skips the scan, for tests that hold the two against each other.)
 *
 * The profile's readers (`rfcTable`, `rfcRows`, `rfcStructure`, `bapiReturnErrors`) take these
 * values as they take node-soap's. A Fault in the Body, or a Body holding anything but the
 * function's response, throws {@link RfcAnswerError}: the SOAP client then reads the answer again
 * to say what it is (a fault's text, "not a SOAP envelope").
 */

/** A value of an RFC answer: text, a structure, or a table's rows. */
export type RfcValue = string | RfcStructureValue | RfcValue[];
/** A structure (or a table row): field → value. */
export interface RfcStructureValue {
  [field: string]: RfcValue;
}

/** The namespace of RFC function modules exposed over SOAP. */
export const RFC_NAMESPACE = 'urn:sap-com:document:sap:rfc:functions';
const SOAP_ENVELOPES = new Set([
  'http://schemas.xmlsoap.org/soap/envelope/',
  'http://www.w3.org/2003/05/soap-envelope',
]);

/** An answer that is well-formed XML but not the function module's RFC-SOAP response. */
export class RfcAnswerError extends Error {
  override readonly name = 'RfcAnswerError';
}

/**
 * The parameters of `functionModule`'s answer, read from `text` (see the module comment).
 *
 * @throws XmlError for a document `readXml` refuses (too large, a DTD, not well-formed);
 *   RfcAnswerError for a fault or anything that is not the function module's response.
 * @example
 *   readRfcAnswer(answer, 'BAPI_PO_GETITEMS').PO_HEADERS // → [{ PO_NUMBER: '0045000001', … }, …]
 */
export function readRfcAnswer(
  text: string,
  functionModule: string,
  options: RfcAnswerOptions = {},
): RfcStructureValue {
  const checks = {
    source: `the answer of ${functionModule}`,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  };
  refuseOversized(text, checks);
  const kept = keptFields(options.fields);
  if (options.fastPath !== false) {
    const scanned = scanRfcAnswer(text, functionModule, {
      rfc: RFC_NAMESPACE,
      envelopes: SOAP_ENVELOPES,
      kept,
    });
    if (scanned !== undefined) return scanned;
  }
  const builder = new RfcAnswerBuilder(functionModule, kept);
  readXml(text, builder, checks);
  return builder.finish();
}

/** Options of {@link readRfcAnswer}. */
export interface RfcAnswerOptions {
  /** Largest answer read, in UTF-8 bytes; default `src/xml`'s (10 MB). */
  maxBytes?: number;
  /**
   * Per parameter, the only fields kept of it (a structure) or of each of its rows (a table); the
   * others are read and checked like the rest, then left out. Parameters not named are kept whole.
   * For large listings of which a caller reads a few fields: BAPI_PO_GETITEMS writes 20 per item.
   */
  fields?: Readonly<Record<string, readonly string[]>>;
  /** False: read with `readXml` only (tests hold the scan against it). Default true. */
  fastPath?: boolean;
}

/** The kept fields by parameter, as sets; undefined when every field is kept. */
export type KeptFields = ReadonlyMap<string, ReadonlySet<string>> | undefined;

function keptFields(fields: RfcAnswerOptions['fields']): KeptFields {
  if (fields === undefined) return undefined;
  return new Map(Object.entries(fields).map(([parameter, names]) => [parameter, new Set(names)]));
}

/** Where the reader is in the envelope. */
const Place = {
  /** Before the Envelope. */
  outside: 0,
  /** In the Envelope, outside Header and Body. */
  envelope: 1,
  /** In the Header (its content is not read). */
  header: 2,
  /** In the Body, before the response. */
  body: 3,
  /** In the response: parameters and their values. */
  response: 4,
  /** In the Body after the response. */
  afterResponse: 5,
} as const;
type Place = (typeof Place)[keyof typeof Place];

/** An open element below the response: its name, and its value so far. */
interface Frame {
  name: string;
  /** Its children's values once it has one: a list for `<item>`s, else an object. */
  children: RfcValue[] | RfcStructureValue | undefined;
  text: string;
}

/** readXml's events into RFC values. Frames are reused per depth: one per level, not per element. */
class RfcAnswerBuilder implements XmlEventHandler {
  readonly #functionModule: string;
  readonly #kept: KeptFields;
  readonly #namespaces = new Map<string, string>();
  #place: Place = Place.outside;
  /** Depth inside the Header, while skipping it. */
  #headerDepth = 0;
  /** Frames below the response, the response's own first; `#depth` of them are open. */
  readonly #frames: Frame[] = [];
  #depth = 0;
  #result: RfcStructureValue | undefined;

  constructor(functionModule: string, kept: KeptFields) {
    this.#functionModule = functionModule;
    this.#kept = kept;
  }

  open(qualified: string, attributes: Readonly<Record<string, string>> | null): void {
    if (attributes !== null) this.#declare(attributes);
    if (this.#place === Place.response) {
      this.#openValue(qualified);
      return;
    }
    switch (this.#place) {
      case Place.outside:
        this.#expect(qualified, 'Envelope', 'the answer is not a SOAP envelope');
        this.#place = Place.envelope;
        return;
      case Place.envelope:
        if (this.#isEnvelope(qualified, 'Header')) {
          this.#place = Place.header;
          this.#headerDepth = 1;
          return;
        }
        this.#expect(qualified, 'Body', 'the SOAP envelope has no Body');
        this.#place = Place.body;
        return;
      case Place.header:
        this.#headerDepth += 1;
        return;
      case Place.body: {
        if (this.#isEnvelope(qualified, 'Fault')) throw new RfcAnswerError('the answer is a SOAP fault');
        const expected = `${this.#functionModule}Response`;
        if (localOf(qualified) !== expected || this.#namespaceOf(qualified) !== RFC_NAMESPACE) {
          throw new RfcAnswerError(
            `the answer's Body holds <${qualified}>, not ${expected} in ${RFC_NAMESPACE}`,
          );
        }
        this.#place = Place.response;
        this.#openValue(expected);
        return;
      }
      default:
        throw new RfcAnswerError(`the answer's Body holds <${qualified}> after the response`);
    }
  }

  close(): void {
    if (this.#place === Place.response) {
      this.#closeValue();
      return;
    }
    if (this.#place === Place.header) {
      this.#headerDepth -= 1;
      if (this.#headerDepth === 0) this.#place = Place.envelope;
      return;
    }
    if (this.#place === Place.body || this.#place === Place.afterResponse) this.#place = Place.envelope;
  }

  text(text: string): void {
    if (this.#place !== Place.response) return;
    const frame = this.#frames[this.#depth - 1];
    if (frame === undefined) return;
    if (frame.children === undefined) frame.text = frame.text === '' ? text : frame.text + text;
    else if (!isLayout(text)) throw new RfcAnswerError(`<${frame.name}> mixes text and elements`);
  }

  /** The response's parameters; throws when the document had none. */
  finish(): RfcStructureValue {
    if (this.#result === undefined) throw new RfcAnswerError('the answer has no response in a SOAP Body');
    return this.#result;
  }

  /** Local names by qualified name: an answer repeats a few dozen names many thousand times. */
  readonly #names = new Map<string, string>();

  #openValue(qualified: string): void {
    let name = this.#names.get(qualified);
    if (name === undefined) {
      name = localOf(qualified);
      if (this.#names.size < 10_000) this.#names.set(qualified, name);
    }
    const parent = this.#frames[this.#depth - 1];
    if (parent !== undefined && parent.children === undefined) {
      if (!isLayout(parent.text)) throw new RfcAnswerError(`<${parent.name}> mixes text and elements`);
      parent.children = name === 'item' ? [] : {};
    }
    let frame = this.#frames[this.#depth];
    if (frame === undefined) {
      frame = { name, children: undefined, text: '' };
      this.#frames.push(frame);
    } else {
      frame.name = name;
      frame.children = undefined;
      frame.text = '';
    }
    this.#depth += 1;
    // readXml bounds the whole document's nesting; this bounds what the builder keeps.
    if (this.#depth > MAX_XML_DEPTH) throw new RfcAnswerError(`nested deeper than ${MAX_XML_DEPTH} elements`);
  }

  #closeValue(): void {
    this.#depth -= 1;
    const frame = this.#frames[this.#depth];
    if (frame === undefined) return;
    const value: RfcValue = frame.children ?? frame.text;
    if (this.#depth === 0) {
      this.#result = isStructure(value) ? value : {};
      this.#place = Place.afterResponse;
      return;
    }
    const parent = this.#frames[this.#depth - 1];
    const siblings = parent?.children;
    if (Array.isArray(siblings)) {
      if (frame.name !== 'item')
        throw new RfcAnswerError(`<${parent?.name}> mixes table rows and <${frame.name}>`);
      siblings.push(value);
    } else if (siblings !== undefined) {
      const name = frame.name;
      if (name === 'item') throw new RfcAnswerError(`<${parent?.name}> mixes fields and table rows`);
      // Not a field SAP could name (they are upper case), and not one to assign.
      if (name === '__proto__') throw new RfcAnswerError(`<${parent?.name}> has a field <${name}>`);
      if (Object.hasOwn(siblings, name)) throw new RfcAnswerError(`<${parent?.name}> has <${name}> twice`);
      if (this.#keeps(name)) siblings[name] = value;
    }
  }

  /**
   * Whether a field closing at `#depth` is kept: a field of a parameter (frame 1) that is a
   * structure, or of a row (frame 2, an `<item>`) of a parameter that is a table, is kept when the
   * parameter's kept fields name it; any other value is kept.
   */
  #keeps(name: string): boolean {
    if (this.#kept === undefined) return true;
    const parameter = this.#frames[1];
    if (parameter === undefined) return true;
    const structure = this.#depth === 2;
    const row = this.#depth === 3 && this.#frames[2]?.name === 'item' && Array.isArray(parameter.children);
    if (!structure && !row) return true;
    const kept = this.#kept.get(parameter.name);
    return kept === undefined || kept.has(name);
  }

  #declare(attributes: Readonly<Record<string, string>>): void {
    for (const attribute in attributes) {
      if (attribute === 'xmlns') this.#namespaces.set('', attributes[attribute] ?? '');
      else if (attribute.startsWith('xmlns:'))
        this.#namespaces.set(attribute.slice(6), attributes[attribute] ?? '');
    }
  }

  #namespaceOf(qualified: string): string | undefined {
    const colon = qualified.indexOf(':');
    return this.#namespaces.get(colon === -1 ? '' : qualified.slice(0, colon));
  }

  #isEnvelope(qualified: string, local: string): boolean {
    return localOf(qualified) === local && SOAP_ENVELOPES.has(this.#namespaceOf(qualified) ?? '');
  }

  #expect(qualified: string, local: string, problem: string): void {
    if (!this.#isEnvelope(qualified, local)) throw new RfcAnswerError(`${problem} (found <${qualified}>)`);
  }
}

function localOf(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/** Whitespace only: the layout between elements. */
function isLayout(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== 0x20 && code !== 0x0a && code !== 0x09 && code !== 0x0d) return false;
  }
  return true;
}

function isStructure(value: RfcValue): value is RfcStructureValue {
  return typeof value === 'object' && !Array.isArray(value);
}
