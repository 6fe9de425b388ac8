import type { Client } from 'soap';
import type { SoapVersion, WsdlScan } from './wsdl-scan.ts';

/**
 * What a WSDL offers, in erpbridge's own small shape: services → ports → operations, each with the
 * shape of its input and output, plus the port types no service binds (Oracle SOA JCA adapter WSDLs
 * are nothing else). Built from node-soap's descriptions, normalised: repetition, type, enumeration
 * and restriction facets become fields instead of node-soap's `name[]` keys and `Type|base|facets`
 * strings, and recursion is marked instead of looping.
 *
 * node-soap's own `describe()` is not used as it is: it loses every type written without a prefix
 * (Oracle's generated XSDs declare `type="PoHeadersAll"` under a default namespace and come out as the
 * bare string "PoHeadersAll"), and it knows only bound ports. Elements are described here with their
 * schema's namespace declarations, which fixes the first; port types are read directly for the second.
 */
export interface SoapDescription {
  /** The WSDL as configured (path or URL). */
  wsdl: string;
  /** Every document read, the WSDL first. */
  documents: string[];
  services: SoapServiceDescription[];
  /** Port types no service port binds with SOAP: described, not callable. */
  abstractPortTypes: SoapPortTypeDescription[];
  /** The JCA adapter file of an Oracle SOA `<?binding.jca?>` WSDL. */
  jcaBinding: string | undefined;
}

export interface SoapServiceDescription {
  name: string;
  ports: SoapPortDescription[];
}

export interface SoapPortDescription {
  name: string;
  binding: string;
  soapVersion: SoapVersion;
  /** The soap:address of the WSDL (what `endpoint` overrides). */
  address: string | undefined;
  operations: SoapOperationDescription[];
}

export interface SoapPortTypeDescription {
  name: string;
  operations: SoapOperationDescription[];
}

export interface SoapOperationDescription {
  name: string;
  /** The SOAPAction of the binding; undefined for an abstract operation. */
  soapAction: string | undefined;
  /** `document` or `rpc`; undefined for an abstract operation. */
  style: string | undefined;
  input: SoapMessageDescription | null;
  /** null for a one-way operation. */
  output: SoapMessageDescription | null;
}

/** A message: its top element (document style) or wrapper (rpc style), and its fields. */
export interface SoapMessageDescription {
  element: string;
  namespace: string | undefined;
  /** The type, when the top element is itself a simple value. */
  type: string | undefined;
  fields: SoapField[];
}

export type SoapField = SoapSimpleField | SoapComplexField | SoapUntypedField;

interface FieldBase {
  name: string;
  /** maxOccurs above 1: a list. */
  repeated: boolean;
}

/** A value: `xs:string`, or a named simple type with its base, enumeration and facets. */
export interface SoapSimpleField extends FieldBase {
  kind: 'simple';
  /** The type as written (`xs:decimal`) or the simple type's name (`AxdExtType_PurchId`). */
  type: string;
  /** For a restriction: the type it restricts. */
  base: string | undefined;
  /** Allowed values, when the type enumerates them. */
  enumeration: string[];
  /** Restriction facets present (`maxLength`, `pattern`…); node-soap keeps their names, not values. */
  facets: string[];
}

export interface SoapComplexField extends FieldBase {
  kind: 'complex';
  namespace: string | undefined;
  fields: SoapField[];
  attributes: SoapAttribute[];
  /** True when this type contains itself further up: its fields are listed there. */
  recursive: boolean;
}

/** An element node-soap could give no shape for: an `xs:union`, `xs:any`, or an empty type. */
export interface SoapUntypedField extends FieldBase {
  kind: 'untyped';
}

export interface SoapAttribute {
  name: string;
  type: string | undefined;
  required: boolean;
}

/** What the description needs from erpbridge's own scan of the documents. */
export interface DescriptionInput {
  wsdl: string;
  documents: string[];
  scans: readonly WsdlScan[];
}

type Definitions = Client['wsdl']['definitions'];

/** Describes the WSDL node-soap loaded into `client`. Reads (and, for unbound port types, post-processes) node-soap's model. */
export function describeWsdl(client: Client, input: DescriptionInput): SoapDescription {
  const definitions = client.wsdl.definitions;
  const bindings = new Map(
    input.scans.flatMap((scan) => scan.bindings).map((binding) => [binding.name, binding]),
  );
  const ports = input.scans.flatMap((scan) => scan.ports);
  const services: SoapServiceDescription[] = [];
  const boundPortTypes = new Set<string>();
  for (const [serviceName, service] of Object.entries(definitions.services)) {
    const described: SoapPortDescription[] = [];
    for (const [portName, port] of Object.entries(service.ports)) {
      const scanned = ports.find(
        (candidate) => candidate.service === serviceName && candidate.port === portName,
      );
      const binding = scanned === undefined ? undefined : bindings.get(scanned.binding);
      if (binding?.soapVersion === undefined) continue;
      boundPortTypes.add(binding.portType);
      described.push({
        name: portName,
        binding: binding.name,
        soapVersion: binding.soapVersion,
        address: scanned?.address ?? stringOr(port.location),
        operations: Object.entries(port.binding.methods).map(([name, method]) =>
          operationOf(definitions, name, method),
        ),
      });
    }
    if (described.length > 0) services.push({ name: serviceName, ports: described });
  }
  const abstractPortTypes: SoapPortTypeDescription[] = [];
  for (const [name, portType] of Object.entries(definitions.portTypes)) {
    if (boundPortTypes.has(name)) continue;
    // node-soap resolves a port type's messages only when a binding refers to it.
    portType.postProcess(definitions);
    abstractPortTypes.push({
      name,
      operations: Object.entries(portType.methods).map(([operation, method]) =>
        operationOf(definitions, operation, method),
      ),
    });
  }
  return {
    wsdl: input.wsdl,
    documents: input.documents,
    services,
    abstractPortTypes,
    jcaBinding: input.scans[0]?.jcaBinding,
  };
}

function operationOf(definitions: Definitions, name: string, method: object): SoapOperationDescription {
  return {
    name,
    soapAction: stringOr(Reflect.get(method, 'soapAction')) || undefined,
    style: stringOr(Reflect.get(method, 'style')) || undefined,
    input: messageOf(definitions, Reflect.get(method, 'input')),
    output: messageOf(definitions, Reflect.get(method, 'output')),
  };
}

interface Describable {
  description(definitions: Definitions, xmlns?: unknown): unknown;
}

function isDescribable(value: unknown): value is Describable {
  return (
    typeof value === 'object' && value !== null && typeof Reflect.get(value, 'description') === 'function'
  );
}

/** The xmlns declarations of the schema for `namespace`: what resolves unprefixed type names in it. */
function schemaXmlns(definitions: Definitions, namespace: unknown): unknown {
  return typeof namespace === 'string' ? definitions.schemas[namespace]?.xmlns : undefined;
}

function messageOf(definitions: Definitions, part: unknown): SoapMessageDescription | null {
  if (typeof part !== 'object' || part === null) return null;
  const name = stringOr(Reflect.get(part, '$name')) ?? '';
  const parts: unknown = Reflect.get(part, 'parts');
  if (typeof parts === 'object' && parts !== null) {
    // rpc style: a message of typed parts.
    return {
      element: name,
      namespace: undefined,
      type: undefined,
      fields: Object.entries(parts).map(([partName, type]) =>
        isDescribable(type)
          ? fieldOf(
              partName,
              type.description(definitions, schemaXmlns(definitions, Reflect.get(type, 'xmlns'))),
              [],
            )
          : fieldOf(partName, type, []),
      ),
    };
  }
  if (!isDescribable(part)) return null;
  const namespace = stringOr(Reflect.get(part, 'targetNamespace'));
  const described = part.description(definitions, schemaXmlns(definitions, namespace));
  // An element described by name wraps its shape in one key; a `ref` element is the shape itself.
  const shape = isRecord(described) ? (described[name] ?? described[`${name}[]`] ?? described) : described;
  if (typeof shape === 'string') return { element: name, namespace, type: shape, fields: [] };
  return { element: name, namespace, type: undefined, fields: fieldsOf(shape, []) };
}

const BOOKKEEPING = new Set(['targetNSAlias', 'targetNamespace']);

function fieldsOf(shape: unknown, ancestors: readonly object[]): SoapField[] {
  if (!isRecord(shape)) return [];
  return Object.entries(shape)
    .filter(([key, value]) => !BOOKKEEPING.has(key) && typeof value !== 'function')
    .map(([key, value]) => fieldOf(key, value, [...ancestors, shape]));
}

function fieldOf(key: string, value: unknown, ancestors: readonly object[]): SoapField {
  const repeated = key.endsWith('[]');
  const name = repeated ? key.slice(0, -2) : key;
  if (typeof value === 'string') return { kind: 'simple', name, repeated, ...parseSimpleType(value) };
  if (!isRecord(value)) return { kind: 'untyped', name, repeated };
  const namespace = stringOr(value.targetNamespace);
  if (ancestors.includes(value)) {
    return { kind: 'complex', name, repeated, namespace, fields: [], attributes: [], recursive: true };
  }
  const fields = fieldsOf(value, ancestors);
  const attributes = attributesOf(value);
  if (fields.length === 0 && attributes.length === 0) return { kind: 'untyped', name, repeated };
  return { kind: 'complex', name, repeated, namespace, fields, attributes, recursive: false };
}

/** node-soap keeps attributes under a symbol named `$attributes`: `{ name: { type, required } }`. */
function attributesOf(shape: Record<string, unknown>): SoapAttribute[] {
  const symbol = Object.getOwnPropertySymbols(shape).find(
    (candidate) => candidate.description === '$attributes',
  );
  const attributes: unknown = symbol === undefined ? undefined : Reflect.get(shape, symbol);
  if (!isRecord(attributes)) return [];
  return Object.entries(attributes).map(([name, attribute]) => ({
    name,
    type: isRecord(attribute) ? stringOr(attribute.type) : undefined,
    required: isRecord(attribute) && attribute.required === true,
  }));
}

/** XSD restriction facets: node-soap lists them by name beside enumeration values. */
const FACETS = new Set([
  'length',
  'minLength',
  'maxLength',
  'pattern',
  'whiteSpace',
  'minInclusive',
  'maxInclusive',
  'minExclusive',
  'maxExclusive',
  'totalDigits',
  'fractionDigits',
  'assertion',
]);

/** XSD built-in type names, for telling `Name|base` from `base|values` when neither has a prefix. */
const BUILT_INS = new Set([
  'string',
  'boolean',
  'decimal',
  'float',
  'double',
  'duration',
  'dateTime',
  'time',
  'date',
  'hexBinary',
  'base64Binary',
  'anyURI',
  'QName',
  'normalizedString',
  'token',
  'language',
  'integer',
  'long',
  'int',
  'short',
  'byte',
  'nonNegativeInteger',
  'positiveInteger',
  'nonPositiveInteger',
  'negativeInteger',
  'unsignedLong',
  'unsignedInt',
  'unsignedShort',
  'unsignedByte',
  'anyType',
  'anySimpleType',
]);

/**
 * Reads node-soap's simple type strings. Pure. Its forms:
 * `xs:string`; `xs:string|maxLength` (an anonymous restriction and its facets or values);
 * `AxdEnum_boolean|xs:string|false,true` (a named type, its base, its facets or values);
 * `AxdType_Decimal|xs:decimal` (a named type without facets).
 */
export function parseSimpleType(
  text: string,
): Pick<SoapSimpleField, 'type' | 'base' | 'enumeration' | 'facets'> {
  const [first = '', second, third] = text.split('|');
  if (second === undefined) return { type: first, base: undefined, enumeration: [], facets: [] };
  const named =
    third !== undefined || second.includes(':') || (!first.includes(':') && BUILT_INS.has(second));
  const list = named ? (third ?? '') : second;
  const items = list === '' ? [] : list.split(',');
  return {
    type: first,
    base: named ? second : undefined,
    enumeration: items.filter((item) => !FACETS.has(item)),
    facets: items.filter((item) => FACETS.has(item)),
  };
}

function stringOr(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
