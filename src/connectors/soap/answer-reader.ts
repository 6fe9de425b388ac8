import type { WSDL } from 'soap';
import { readXml, type XmlEventHandler } from '../../xml/index.ts';

/**
 * Reading a SOAP answer into the objects node-soap hands its callers — the same objects, so the
 * profiles' readers (`rfcTable`, `rowsOf`, …) see no difference — in one hardened pass.
 *
 * node-soap reads answers with sax, which is slow (about 6 MB/s here: a 1.5 MB Oracle EBS page took
 * 230 ms in sax alone) and knows nothing of erpbridge's XML rules. This reader keeps node-soap's
 * rules for the shape of the result — the output message's schema decides which elements are
 * lists (`name[]`) and how leaf text is converted (`customDeserializer`, xs:int → number, …);
 * `xsi:nil` elements are left out; an element without content is null; attributes go under
 * `attributes` and the text beside them under `$value`; multiRef `href`/`id` are resolved — but
 * reads with `readXml`: DTDs refused, only predefined and numeric references expanded, nesting
 * bounded, the document well-formed. It is installed on each node-soap WSDL the client loads
 * (`installAnswerReader`), replacing `WSDL.xmlToObject` for that instance only.
 *
 * Where node-soap would return a fault or something that is no SOAP envelope, this reader throws
 * instead: the client then reads the answer once more with `parseXml` to say exactly what it was
 * (a fault's text, "not a SOAP envelope", "not well-formed"), which costs nothing on the normal path.
 */

const XSI_URI = 'http://www.w3.org/2001/XMLSchema-instance';
const ENV_URI = 'http://schemas.xmlsoap.org/soap/envelope/';

/** What the answer holds instead of a result; the client reads it again to say what. */
export class UnreadableAnswer extends Error {
  override readonly name = 'UnreadableAnswer';
}

/** node-soap's reading options that shape a result. */
interface ReaderOptions {
  attributesKey: string;
  valueKey: string;
  handleNilAsNull: boolean;
  preserveWhitespace: boolean;
  customDeserializer: Readonly<Record<string, (text: string, top: unknown) => unknown>> | undefined;
  maxBytes: number;
}

/** The parts of node-soap's WSDL object the reader uses. */
interface WsdlModel {
  options: unknown;
  definitions: unknown;
  findSchemaObject(namespace: string, name: string): unknown;
}

/** Replaces `wsdl.xmlToObject` with {@link readSoapAnswer}; `maxBytes` bounds each answer. */
export function installAnswerReader(wsdl: WSDL, maxBytes: number): void {
  const original = wsdl.xmlToObject.bind(wsdl);
  const model: WsdlModel = wsdl;
  wsdl.xmlToObject = (xml: unknown, callback?: unknown) => {
    // The callback form reads a stream, which erpbridge never asks node-soap for.
    if (typeof xml !== 'string' || callback !== undefined) return original(xml, callback);
    // An empty answer (a one-way call's 202) is an empty object to node-soap too.
    if (xml.trim() === '') return {};
    return readSoapAnswer(xml, model, maxBytes);
  };
}

/**
 * The answer as node-soap's `xmlToObject` returns it: the Envelope's content (`{ Header, Body }`).
 *
 * @throws XmlError for a document `readXml` refuses; UnreadableAnswer for a fault, a document that is
 *   not a SOAP envelope with a Body, or a Body element the WSDL does not describe.
 */
export function readSoapAnswer(text: string, wsdl: WsdlModel, maxBytes: number): unknown {
  const builder = new AnswerBuilder(wsdl, optionsOf(wsdl.options, maxBytes));
  readXml(text, builder, { maxBytes, source: 'the answer' });
  return builder.finish();
}

function optionsOf(options: unknown, maxBytes: number): ReaderOptions {
  const option = (name: string) => (isRecord(options) ? options[name] : undefined);
  const attributesKey = option('attributesKey');
  const valueKey = option('valueKey');
  const deserializer = option('customDeserializer');
  return {
    attributesKey: typeof attributesKey === 'string' ? attributesKey : 'attributes',
    valueKey: typeof valueKey === 'string' ? valueKey : '$value',
    handleNilAsNull: option('handleNilAsNull') === true,
    preserveWhitespace: option('preserveWhitespace') === true,
    customDeserializer: isDeserializers(deserializer) ? deserializer : undefined,
    maxBytes,
  };
}

function isDeserializers(
  value: unknown,
): value is Readonly<Record<string, (text: string, top: unknown) => unknown>> {
  return isRecord(value) && Object.values(value).every((entry) => typeof entry === 'function');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `tns:Order|xs:string` → `Order`; node-soap's `splitQName(...).name` for strings, the value itself otherwise. */
function localName(qualified: unknown): unknown {
  if (typeof qualified !== 'string') return qualified;
  const bar = qualified.indexOf('|');
  const top = bar === -1 ? qualified : qualified.slice(0, bar);
  return top.slice(top.indexOf(':') + 1);
}

function prefixOf(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? '' : qualified.slice(0, colon);
}

/** A schema description's entry for `key`, when the description is an object that has it. */
function schemaEntry(schema: unknown, key: string): unknown {
  return isRecord(schema) && Object.hasOwn(schema, key) ? schema[key] : undefined;
}

function describe(definitionElement: unknown, definitions: unknown): unknown {
  const description = isRecord(definitionElement) ? definitionElement.description : undefined;
  return typeof description === 'function' ? description.call(definitionElement, definitions) : undefined;
}

/** An element being read: its result object (or text), and what the schema says of it. */
interface Frame {
  name: string | null;
  /** The element's result so far: undefined until it gets an attribute, a child or text. */
  object: unknown;
  schema: unknown;
  /** The schema's type name (`string`, `decimal`, …) when the schema is a type name. */
  type: unknown;
  /** Whether the parent's schema makes this element a list (`name[]`). */
  listed: boolean;
  id: string | undefined;
  nil: boolean;
  text?: string | undefined;
  /** Its schema's child lookups, fetched at its first child (one lookup per parent, not per child). */
  children: Map<string, ChildSchema> | undefined;
}

/** node-soap's schema of the envelope itself. */
const ENVELOPE_SCHEMA = {
  Envelope: {
    Header: { Security: { UsernameToken: { Username: 'string', Password: 'string' } } },
    Body: { Fault: { faultcode: 'string', faultstring: 'string', detail: 'string' } },
  },
};

/** What a schema says of a child element: its schema, its type name, and whether it is a list. */
interface ChildSchema {
  schema: unknown;
  /** `typeName(schema)`, worked out once. */
  type: unknown;
  listed: boolean;
}

/** The child-element lookups of a schema description, by element name: a document repeats a few names. */
const CHILD_SCHEMAS = new WeakMap<object, Map<string, ChildSchema>>();
/** `tns:decimal|…` → `decimal`, per type name seen. */
const TYPE_NAMES = new Map<string, unknown>();

function typeName(schema: unknown): unknown {
  if (typeof schema !== 'string') return schema;
  let name = TYPE_NAMES.get(schema);
  if (name === undefined) {
    name = localName(schema);
    if (TYPE_NAMES.size < 10_000) TYPE_NAMES.set(schema, name);
  }
  return name;
}

const NO_CHILD: ChildSchema = { schema: undefined, type: undefined, listed: false };

/** The child lookups of a schema description (shared by every element it describes). */
function childSchemasOf(parent: unknown): Map<string, ChildSchema> | undefined {
  if (!isRecord(parent)) return undefined;
  let byName = CHILD_SCHEMAS.get(parent);
  if (byName === undefined) {
    byName = new Map();
    CHILD_SCHEMAS.set(parent, byName);
  }
  return byName;
}

/** node-soap's lookup of a child's schema in its parent's: `name`, `name[]`. */
function childSchema(parent: unknown, name: string): ChildSchema {
  return childIn(parent, childSchemasOf(parent), name);
}

function childIn(parent: unknown, byName: Map<string, ChildSchema> | undefined, name: string): ChildSchema {
  if (byName === undefined) return NO_CHILD;
  let found = byName.get(name);
  if (found === undefined) {
    const arrayName = `${name}[]`;
    const schema = schemaEntry(parent, name) ?? schemaEntry(parent, arrayName);
    found = { schema, type: typeName(schema), listed: schemaEntry(parent, arrayName) !== undefined };
    byName.set(name, found);
  }
  return found;
}

function isEmptyRecord(value: Record<string, unknown>): boolean {
  for (const _key in value) return false;
  return true;
}

/** node-soap's `xmlToObject` handlers, on `readXml`'s events (see the module comment). */
class AnswerBuilder implements XmlEventHandler {
  readonly #wsdl: WsdlModel;
  readonly #options: ReaderOptions;
  readonly #root: Record<string, unknown> = {};
  /** Open elements, root first; frames above `#depth` are kept for reuse (one per depth, not per element). */
  readonly #stack: Frame[];
  #depth = 1;
  /** Prefix → namespace, for the whole document (node-soap does not scope them). */
  readonly #xmlns = new Map<string, string>();
  readonly #xsiPrefixes = new Set<string>();
  readonly #refs = new Map<
    string,
    { hrefs: { parent: unknown; key: string; object: unknown }[]; object: unknown }
  >();
  /** Elements named like a message: that message's schema for them (node-soap's fallback). */
  readonly #messageSchemas = new Map<string, unknown>();
  #envelopePrefix = 'soap';
  /** Local names by qualified name, as the answer first wrote them. */
  readonly #names = new Map<string, string>();
  #bodyElement: string | null = null;

  constructor(wsdl: WsdlModel, options: ReaderOptions) {
    this.#wsdl = wsdl;
    this.#options = options;
    const schema = ENVELOPE_SCHEMA;
    this.#stack = [
      {
        name: null,
        object: this.#root,
        schema,
        type: schema,
        listed: false,
        id: undefined,
        nil: false,
        children: undefined,
      },
    ];
  }

  open(qualified: string, attributes: Readonly<Record<string, string>> | null): void {
    const top = this.#top();
    // One string per name for the whole answer: results are keyed by it thousands of times.
    let name = this.#names.get(qualified);
    if (name === undefined) {
      const colon = qualified.indexOf(':');
      name = colon === -1 ? qualified : qualified.slice(colon + 1);
      if (this.#names.size < 10_000) this.#names.set(qualified, name);
    }
    // Most elements are leaves whose result is their text: their object is made only when needed.
    let object: Record<string, unknown> | undefined;
    let id: string | undefined;
    let nil = false;
    let typeSchema: unknown;
    if (attributes !== null) {
      object = {};
      const own = this.#attributes(attributes, top, name, object);
      id = own.id;
      nil = own.nil;
      typeSchema = own.typeSchema;
    }
    // The Body's element is read with its output message's schema (what node-soap does).
    let lookup = top.schema;
    if (this.#bodyElement === null && top.name === 'Body' && this.#xmlns.has(this.#envelopePrefix)) {
      if (name === 'Fault') throw new UnreadableAnswer('the answer is a SOAP fault');
      lookup = describe(this.#message(name), this.#wsdl.definitions);
      this.#bodyElement = name;
    }
    // node-soap decides a list by the parent's own schema when the element closes.
    top.children ??= childSchemasOf(top.schema);
    const inParent = childIn(top.schema, top.children, name);
    const found = lookup === top.schema ? inParent : childSchema(lookup, name);
    const schema = typeSchema ?? found.schema ?? this.#fromMessage(name);
    let frame = this.#stack[this.#depth];
    if (frame === undefined) {
      frame = { name, object, schema, type: undefined, listed: false, id, nil, children: undefined };
      this.#stack.push(frame);
    }
    frame.name = name;
    frame.object = object;
    frame.schema = schema;
    frame.type = schema === found.schema ? found.type : typeName(schema);
    frame.children = undefined;
    frame.listed = inParent.listed;
    frame.id = id;
    frame.nil = nil;
    frame.text = undefined;
    this.#depth += 1;
  }

  /** An element's attributes: xmlns declarations noted, xsi:nil and xsi:type read, the rest kept. */
  #attributes(
    attributes: Readonly<Record<string, string>>,
    top: Frame,
    name: string,
    object: Record<string, unknown>,
  ): { id: string | undefined; nil: boolean; typeSchema: unknown } {
    const href = attributes.href;
    if (href !== undefined) this.#ref(href.slice(1)).hrefs.push({ parent: top.object, key: name, object });
    const id = attributes.id;
    if (id !== undefined) this.#ref(id);
    let kept: Record<string, string> | undefined;
    for (const attribute in attributes) {
      const value = attributes[attribute] ?? '';
      if (attribute === 'xmlns' || attribute.startsWith('xmlns:')) {
        const prefix = attribute.slice(attribute.indexOf(':') + 1);
        this.#xmlns.set(prefix, value);
        if (value === XSI_URI) this.#xsiPrefixes.add(prefix);
        if (value === ENV_URI) this.#envelopePrefix = prefix;
        continue;
      }
      kept ??= {};
      kept[attribute] = value;
    }
    if (kept === undefined) return { id, nil: false, typeSchema: undefined };
    let nil = false;
    for (const attribute in kept) {
      const value = kept[attribute] ?? '';
      const prefix = prefixOf(attribute);
      if (
        attribute.slice(prefix === '' ? 0 : prefix.length + 1) === 'nil' &&
        this.#xmlns.get(prefix === '' ? '__tns__' : prefix) === XSI_URI &&
        (value.toLowerCase() === 'true' || value === '1')
      ) {
        nil = true;
        break;
      }
    }
    object[this.#options.attributesKey] = kept;
    return { id, nil, typeSchema: this.#xsiTypeSchema(kept) };
  }

  close(): void {
    this.#depth -= 1;
    const current = this.#stack[this.#depth];
    const top = this.#top();
    if (current === undefined) return;
    let object = current.object;
    if (current.type === 'string' && (object === undefined || (isRecord(object) && isEmptyRecord(object)))) {
      object = this.#options.preserveWhitespace ? (current.text ?? '') : '';
      current.object = object;
    }
    if (current.nil) {
      if (!this.#options.handleNilAsNull) return;
      object = null;
    }
    if (object === undefined || (isPlainObject(object) && isEmptyRecord(object))) object = null;
    if (top.object === undefined) top.object = {};
    const parent = top.object;
    const name = current.name;
    if (!isRecord(parent) || name === null) return;
    if (current.listed) {
      const list = parent[name];
      if (Array.isArray(list)) list.push(object);
      else parent[name] = [object];
    } else if (Object.hasOwn(parent, name)) {
      const existing = parent[name];
      if (Array.isArray(existing)) existing.push(object);
      else parent[name] = [existing, object];
    } else {
      parent[name] = object;
    }
    if (current.id !== undefined) this.#ref(current.id).object = object;
  }

  text(raw: string): void {
    const top = this.#top();
    const trimmed = raw.trim();
    if (trimmed === '') {
      if (this.#options.preserveWhitespace) top.text = (top.text ?? '') + raw;
      return;
    }
    const type = top.type;
    const deserialize = typeof type === 'string' ? this.#options.customDeserializer?.[type] : undefined;
    let value: unknown;
    if (deserialize !== undefined) value = deserialize(trimmed, top);
    else if (type === 'int' || type === 'integer' || type === 'short' || type === 'long')
      value = Number.parseInt(trimmed, 10);
    else if (type === 'double' || type === 'float' || type === 'decimal') value = Number(trimmed);
    else if (type === 'bool' || type === 'boolean')
      value = trimmed.toLowerCase() === 'true' || trimmed === '1';
    else if (type === 'dateTime' || type === 'date') value = new Date(trimmed);
    else {
      const text = this.#options.preserveWhitespace ? raw : trimmed;
      value = typeof top.object === 'string' ? top.object + text : text;
    }
    if (isRecord(top.object) && top.object[this.#options.attributesKey] !== undefined) {
      top.object[this.#options.valueKey] = value;
    } else {
      top.object = value;
    }
  }

  cdata(raw: string): void {
    const trimmed = raw.trim();
    if (trimmed === '') return;
    if (/<\?xml[\s\S]+\?>/.test(trimmed)) {
      // node-soap reads an XML document carried in CDATA as a nested answer.
      const top = this.#top();
      const value = readSoapAnswer(trimmed, this.#wsdl, this.#options.maxBytes);
      if (isRecord(top.object) && top.object[this.#options.attributesKey] !== undefined) {
        top.object[this.#options.valueKey] = value;
      } else {
        top.object = value;
      }
      return;
    }
    this.text(raw);
  }

  /** The Envelope's content; throws for anything that is not an envelope with a Body. */
  finish(): unknown {
    for (const ref of this.#refs.values()) {
      for (const href of ref.hrefs) {
        if (isRecord(href.object) && isRecord(ref.object)) Object.assign(href.object, ref.object);
      }
    }
    const envelope = this.#root.Envelope;
    if (!isRecord(envelope) || envelope.Body === undefined)
      throw new UnreadableAnswer('the answer is not a SOAP envelope with a Body');
    return envelope;
  }

  #top(): Frame {
    const top = this.#stack[this.#depth - 1];
    if (top === undefined) throw new UnreadableAnswer('the answer closes more elements than it opens');
    return top;
  }

  #ref(id: string) {
    let ref = this.#refs.get(id);
    if (ref === undefined) {
      ref = { hrefs: [], object: null };
      this.#refs.set(id, ref);
    }
    return ref;
  }

  /** The output message a Body element answers, found as node-soap finds it. */
  #message(element: string): unknown {
    const definitions = this.#wsdl.definitions;
    const messages = schemaEntry(definitions, 'messages');
    const direct = schemaEntry(messages, element);
    if (direct !== undefined) return direct;
    let name = element;
    let isInput = false;
    if (/Response$/.test(name)) name = name.replace(/Response$/, '');
    else if (/Request$/.test(name)) {
      isInput = true;
      name = name.replace(/Request$/, '');
    } else if (/Solicit$/.test(name)) {
      isInput = true;
      name = name.replace(/Solicit$/, '');
    }
    const portTypes = schemaEntry(definitions, 'portTypes');
    for (const portType of isRecord(portTypes) ? Object.values(portTypes) : []) {
      const method = schemaEntry(schemaEntry(portType, 'methods'), name);
      if (method === undefined) continue;
      const messageName = schemaEntry(schemaEntry(method, isInput ? 'input' : 'output'), '$name');
      const message = typeof messageName === 'string' ? schemaEntry(messages, messageName) : undefined;
      if (message !== undefined) {
        // node-soap caches the alias the same way, for the next answer.
        if (isRecord(messages)) messages[element] = message;
        return message;
      }
    }
    throw new UnreadableAnswer(`the answer's body element ${element} is not an output message of the WSDL`);
  }

  /** An element named like a message: its schema from that message's description (node-soap's fallback). */
  #fromMessage(name: string): unknown {
    if (this.#messageSchemas.has(name)) return this.#messageSchemas.get(name);
    const message = schemaEntry(schemaEntry(this.#wsdl.definitions, 'messages'), name);
    const schema =
      message === undefined ? undefined : childSchema(describe(message, this.#wsdl.definitions), name).schema;
    this.#messageSchemas.set(name, schema);
    return schema;
  }

  #xsiTypeSchema(attributes: Readonly<Record<string, string>>): unknown {
    let xsiType: string | undefined;
    for (const prefix of this.#xsiPrefixes) {
      const value = attributes[`${prefix}:type`];
      if (value !== undefined) {
        xsiType = value;
        break;
      }
    }
    if (xsiType === undefined) return undefined;
    const prefix = prefixOf(xsiType);
    const namespace =
      prefix === '' ? (this.#xmlns.get('__tns__') ?? this.#xmlns.get('xmlns')) : this.#xmlns.get(prefix);
    if (namespace === undefined) return undefined;
    const type = this.#wsdl.findSchemaObject(namespace, xsiType.slice(xsiType.indexOf(':') + 1));
    return type === null || type === undefined ? undefined : describe(type, this.#wsdl.definitions);
  }
}

/** node-soap's `isPlainObject`: an object whose prototype is Object.prototype or null. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}
