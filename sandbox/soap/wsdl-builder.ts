/**
 * WSDL 1.1 documents for document/literal SOAP 1.1 services, generated at run time from each
 * personality's own description (the sandbox ships no WSDL files). One builder for all three keeps
 * the plumbing — messages, port types, bindings, services — identical and valid, while each
 * personality writes its own schemas, names and namespaces.
 */
import { element, fragment, type Markup } from './xml-writer.ts';

export const WSDL_NAMESPACE = 'http://schemas.xmlsoap.org/wsdl/';
export const WSDL_SOAP_NAMESPACE = 'http://schemas.xmlsoap.org/wsdl/soap/';
export const XSD_NAMESPACE = 'http://www.w3.org/2001/XMLSchema';
const SOAP_HTTP_TRANSPORT = 'http://schemas.xmlsoap.org/soap/http';

/** A message part: a global element, written as `prefix:Name` with a prefix the document declares. */
export interface WsdlOperation {
  name: string;
  soapAction: string;
  input: string;
  output: string;
  /** A SOAP header element the input carries, if any. */
  inputHeader?: string;
  /** A SOAP header element the output carries, if any. */
  outputHeader?: string;
  /** The element of the operation's declared fault (`detail`), if any. */
  fault?: { name: string; element: string };
}

/** One port type with its binding, published as one port of one service. */
export interface WsdlInterface {
  portType: string;
  binding: string;
  service: string;
  port: string;
  location: string;
  operations: readonly WsdlOperation[];
}

/** A whole WSDL document. */
export interface WsdlDocument {
  name: string;
  targetNamespace: string;
  /** Prefix → namespace; `tns` is the target namespace, `wsdl`, `soap` and `xsd` are added. */
  namespaces: Readonly<Record<string, string>>;
  /** `<xsd:schema>` elements, in order. */
  schemas: readonly Markup[];
  interfaces: readonly WsdlInterface[];
}

function messageName(portType: string, operation: string, role: string): string {
  return `${portType}_${operation}_${role}`;
}

function messages(face: WsdlInterface): Markup[] {
  const result: Markup[] = [];
  const message = (name: string, part: string, elementName: string) =>
    element('wsdl:message', element('wsdl:part', null, { name: part, element: elementName }), { name });
  for (const operation of face.operations) {
    result.push(message(messageName(face.portType, operation.name, 'Input'), 'parameters', operation.input));
    result.push(
      message(messageName(face.portType, operation.name, 'Output'), 'parameters', operation.output),
    );
    if (operation.inputHeader !== undefined)
      result.push(
        message(messageName(face.portType, operation.name, 'InputHeader'), 'header', operation.inputHeader),
      );
    if (operation.outputHeader !== undefined)
      result.push(
        message(messageName(face.portType, operation.name, 'OutputHeader'), 'header', operation.outputHeader),
      );
    if (operation.fault !== undefined)
      result.push(
        message(messageName(face.portType, operation.name, 'Fault'), 'detail', operation.fault.element),
      );
  }
  return result;
}

function portType(face: WsdlInterface): Markup {
  const operations = face.operations.map((operation) =>
    element(
      'wsdl:operation',
      fragment([
        element('wsdl:input', null, {
          message: `tns:${messageName(face.portType, operation.name, 'Input')}`,
        }),
        element('wsdl:output', null, {
          message: `tns:${messageName(face.portType, operation.name, 'Output')}`,
        }),
        ...(operation.fault === undefined
          ? []
          : [
              element('wsdl:fault', null, {
                name: operation.fault.name,
                message: `tns:${messageName(face.portType, operation.name, 'Fault')}`,
              }),
            ]),
      ]),
      { name: operation.name },
    ),
  );
  return element('wsdl:portType', operations, { name: face.portType });
}

function binding(face: WsdlInterface): Markup {
  const header = (operation: string, role: 'InputHeader' | 'OutputHeader') =>
    element('soap:header', null, {
      message: `tns:${messageName(face.portType, operation, role)}`,
      part: 'header',
      use: 'literal',
    });
  const operations = face.operations.map((operation) =>
    element(
      'wsdl:operation',
      fragment([
        element('soap:operation', null, { soapAction: operation.soapAction, style: 'document' }),
        element(
          'wsdl:input',
          fragment([
            ...(operation.inputHeader === undefined ? [] : [header(operation.name, 'InputHeader')]),
            element('soap:body', null, { use: 'literal' }),
          ]),
        ),
        element(
          'wsdl:output',
          fragment([
            ...(operation.outputHeader === undefined ? [] : [header(operation.name, 'OutputHeader')]),
            element('soap:body', null, { use: 'literal' }),
          ]),
        ),
        ...(operation.fault === undefined
          ? []
          : [
              element(
                'wsdl:fault',
                element('soap:fault', null, { name: operation.fault.name, use: 'literal' }),
                {
                  name: operation.fault.name,
                },
              ),
            ]),
      ]),
      { name: operation.name },
    ),
  );
  return element(
    'wsdl:binding',
    fragment([
      element('soap:binding', null, { style: 'document', transport: SOAP_HTTP_TRANSPORT }),
      ...operations,
    ]),
    { name: face.binding, type: `tns:${face.portType}` },
  );
}

/** Writes the WSDL document. */
export function wsdlDocument(document: WsdlDocument): string {
  const namespaceAttributes: Record<string, string> = {
    'xmlns:wsdl': WSDL_NAMESPACE,
    'xmlns:soap': WSDL_SOAP_NAMESPACE,
    'xmlns:xsd': XSD_NAMESPACE,
    'xmlns:tns': document.targetNamespace,
  };
  for (const [prefix, namespace] of Object.entries(document.namespaces))
    namespaceAttributes[`xmlns:${prefix}`] = namespace;
  const services = new Map<string, Markup[]>();
  for (const face of document.interfaces) {
    const ports = services.get(face.service) ?? [];
    ports.push(
      element('wsdl:port', element('soap:address', null, { location: face.location }), {
        name: face.port,
        binding: `tns:${face.binding}`,
      }),
    );
    services.set(face.service, ports);
  }
  const body = fragment([
    element('wsdl:types', fragment(document.schemas)),
    ...document.interfaces.flatMap(messages),
    ...document.interfaces.map(portType),
    ...document.interfaces.map(binding),
    ...[...services].map(([name, ports]) => element('wsdl:service', ports, { name })),
  ]);
  return `<?xml version="1.0" encoding="utf-8"?>${
    element('wsdl:definitions', body, {
      name: document.name,
      targetNamespace: document.targetNamespace,
      ...namespaceAttributes,
    }).xml
  }`;
}

/** `<xsd:element name=... type=... minOccurs=... maxOccurs=... nillable=.../>`. */
export function xsdElement(
  name: string,
  type: string,
  occurs: { min?: number; max?: number | 'unbounded'; nillable?: boolean } = {},
): Markup {
  return element('xsd:element', null, {
    name,
    type,
    minOccurs: occurs.min === undefined ? undefined : String(occurs.min),
    maxOccurs: occurs.max === undefined ? undefined : String(occurs.max),
    nillable: occurs.nillable ? 'true' : undefined,
  });
}

/** `<xsd:complexType name=...><xsd:sequence>...</xsd:sequence></xsd:complexType>` (anonymous without a name). */
export function xsdSequenceType(
  name: string | null,
  elements: readonly Markup[],
  attributes: readonly Markup[] = [],
) {
  return element('xsd:complexType', fragment([element('xsd:sequence', elements), ...attributes]), {
    name: name ?? undefined,
  });
}

/** A global element with an anonymous sequence type. */
export function xsdSequenceElement(name: string, elements: readonly Markup[]): Markup {
  return element('xsd:element', xsdSequenceType(null, elements), { name });
}

/** A string simple type restricted by `maxLength` (and a `pattern`, when given). */
export function xsdStringType(name: string, maxLength: number | null, pattern?: string): Markup {
  const facets = [
    ...(maxLength === null ? [] : [element('xsd:maxLength', null, { value: String(maxLength) })]),
    ...(pattern === undefined ? [] : [element('xsd:pattern', null, { value: pattern })]),
  ];
  return element('xsd:simpleType', element('xsd:restriction', facets, { base: 'xsd:string' }), { name });
}

/** A decimal simple type with `totalDigits` and `fractionDigits`. */
export function xsdDecimalType(name: string, totalDigits: number, fractionDigits: number): Markup {
  return element(
    'xsd:simpleType',
    element(
      'xsd:restriction',
      [
        element('xsd:totalDigits', null, { value: String(totalDigits) }),
        element('xsd:fractionDigits', null, { value: String(fractionDigits) }),
      ],
      { base: 'xsd:decimal' },
    ),
    { name },
  );
}

/** An `<xsd:schema>` for `targetNamespace` with qualified or unqualified local elements. */
export function xsdSchema(
  targetNamespace: string,
  content: readonly Markup[],
  options: { qualified: boolean; namespaces?: Readonly<Record<string, string>>; imports?: readonly string[] },
): Markup {
  const attributes: Record<string, string | undefined> = {
    targetNamespace,
    elementFormDefault: options.qualified ? 'qualified' : 'unqualified',
  };
  for (const [prefix, namespace] of Object.entries(options.namespaces ?? {}))
    attributes[`xmlns:${prefix}`] = namespace;
  const imports = (options.imports ?? []).map((namespace) => element('xsd:import', null, { namespace }));
  return element('xsd:schema', fragment([...imports, ...content]), attributes);
}
