/**
 * The WSDL of the sap-ecc personality, generated the way SAP's `/sap/bc/soap/wsdl11?services=...`
 * does from the function modules' interfaces: one port type, binding and service per function
 * module; named simple types (`char10`, `numeric5`, `date10`, `decimal23.4`, `quantum13.3`, ...);
 * a complex type per structure and a `TABLE_OF_<structure>` of `<item>` rows per table; parameter
 * elements unqualified.
 */
import { type AbapStructure, type AbapType, maxLengthOf, xsdTypeName } from './sap-abap-types.ts';
import { isStructure, type RfcFunction, type RfcParameter } from './sap-functions.ts';
import { RFC_NAMESPACE } from './sap-rfc-xml.ts';
import {
  wsdlDocument,
  xsdDecimalType,
  xsdElement,
  xsdSchema,
  xsdSequenceElement,
  xsdSequenceType,
  xsdStringType,
} from './wsdl-builder.ts';
import type { Markup } from './xml-writer.ts';

/** Parameters a caller must pass; every other IMPORTING and TABLES parameter is optional. */
const REQUIRED_PARAMETERS = new Set(['BAPI_PO_GETDETAIL1.PURCHASEORDER', 'BAPI_PO_CHANGE.PURCHASEORDER']);

function simpleType(type: AbapType): Markup | null {
  const name = xsdTypeName(type);
  switch (type.kind) {
    case 'int4':
      return null;
    case 'dec':
    case 'quan':
      return xsdDecimalType(name, type.length, type.decimals);
    case 'numc':
      return xsdStringType(name, type.length, '\\d*');
    case 'dats':
      return xsdStringType(name, 10, '\\d\\d\\d\\d-\\d\\d-\\d\\d');
    case 'tims':
      return xsdStringType(name, 8, '\\d\\d:\\d\\d:\\d\\d');
    default:
      return xsdStringType(name, maxLengthOf(type));
  }
}

function typeReference(type: AbapType): string {
  return type.kind === 'int4' ? 'xsd:int' : `tns:${xsdTypeName(type)}`;
}

function parameterTypeReference(parameter: RfcParameter): string {
  const { type } = parameter;
  if (!isStructure(type)) return typeReference(type);
  return parameter.direction === 'table' ? `tns:TABLE_OF_${type.name}` : `tns:${type.name}`;
}

/** The WSDL for these function modules, with their endpoint at `location`. */
export function sapWsdl(functions: readonly RfcFunction[], location: string): string {
  const simpleTypes = new Map<string, Markup>();
  const structures = new Map<string, AbapStructure>();
  const tables = new Set<string>();
  const noteType = (type: AbapType) => {
    const markup = simpleType(type);
    if (markup !== null) simpleTypes.set(xsdTypeName(type), markup);
  };
  for (const fn of functions) {
    for (const parameter of fn.parameters) {
      const { type } = parameter;
      if (!isStructure(type)) {
        noteType(type);
        continue;
      }
      structures.set(type.name, type);
      if (parameter.direction === 'table') tables.add(type.name);
      for (const [, fieldType] of type.fields) noteType(fieldType);
    }
  }
  const complexTypes = [...structures.values()].map((structure) =>
    xsdSequenceType(
      structure.name,
      structure.fields.map(([name, type]) => xsdElement(name, typeReference(type), { min: 0 })),
    ),
  );
  const tableTypes = [...tables].map((name) =>
    xsdSequenceType(`TABLE_OF_${name}`, [xsdElement('item', `tns:${name}`, { min: 0, max: 'unbounded' })]),
  );
  const elements = functions.flatMap((fn) => [
    xsdSequenceElement(
      fn.name,
      fn.parameters
        .filter((parameter) => parameter.direction !== 'export')
        .map((parameter) =>
          xsdElement(parameter.name, parameterTypeReference(parameter), {
            min: REQUIRED_PARAMETERS.has(`${fn.name}.${parameter.name}`) ? undefined : 0,
          }),
        ),
    ),
    xsdSequenceElement(
      `${fn.name}Response`,
      fn.parameters
        .filter((parameter) => parameter.direction !== 'import')
        .map((parameter) => xsdElement(parameter.name, parameterTypeReference(parameter))),
    ),
  ]);
  return wsdlDocument({
    name: 'RfcFunctions',
    targetNamespace: RFC_NAMESPACE,
    namespaces: {},
    schemas: [
      xsdSchema(RFC_NAMESPACE, [...simpleTypes.values(), ...complexTypes, ...tableTypes, ...elements], {
        qualified: false,
        namespaces: { tns: RFC_NAMESPACE },
      }),
    ],
    interfaces: functions.map((fn) => ({
      portType: fn.name,
      binding: `${fn.name}Binding`,
      service: `${fn.name}Service`,
      port: `${fn.name}Binding`,
      location,
      operations: [
        {
          name: fn.name,
          soapAction: `${RFC_NAMESPACE}:${fn.name}`,
          input: `tns:${fn.name}`,
          output: `tns:${fn.name}Response`,
        },
      ],
    })),
  });
}
