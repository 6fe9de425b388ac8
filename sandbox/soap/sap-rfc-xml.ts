/**
 * Function-module parameters in and out of RFC-SOAP XML: `<n0:BAPI_XResponse>` with every
 * EXPORTING and TABLES parameter, structures as their fields in dictionary order, tables as
 * `<item>` rows — the way SAP's runtime writes them (parameter elements unqualified).
 */
import { type AbapStructure, abapValue } from './sap-abap-types.ts';
import { isStructure, type RfcFunction } from './sap-functions.ts';
import { childNamed, childrenNamed, type XmlElement } from './xml-document.ts';
import { element, fragment, leafElements, leafRows, type Markup } from './xml-writer.ts';

/** The namespace of RFC function modules exposed over SOAP. */
export const RFC_NAMESPACE = 'urn:sap-com:document:sap:rfc:functions';

/** A structure's values by field name; a missing field is written with its initial value. */
export type StructureValues = Readonly<Partial<Record<string, string>>>;

/** A structure's fields as elements, every field in order. */
export function structureMarkup(structure: AbapStructure, values: StructureValues): Markup {
  return leafElements(structure.fields.map(([name, type]) => [name, abapValue(type, values[name])] as const));
}

/** The row writer of each structure, made once (see `leafRows`). */
const ROW_WRITERS = new WeakMap<AbapStructure, (rows: Iterable<StructureValues>) => Markup>();

/** A table's rows as `<item>` elements, every field of each in order. */
export function tableMarkup(structure: AbapStructure, rows: readonly StructureValues[]): Markup {
  let write = ROW_WRITERS.get(structure);
  if (write === undefined) {
    const names = structure.fields.map(([name]) => name);
    const types = structure.fields.map(([, type]) => type);
    write = leafRows<StructureValues>('item', names, (row, index) => {
      const type = types[index];
      return type === undefined ? '' : abapValue(type, row[names[index] ?? '']);
    });
    ROW_WRITERS.set(structure, write);
  }
  return write(rows);
}

/** The values of a structure parameter as sent: field name → trimmed text (absent fields absent). */
export function readStructure(parameter: XmlElement | null): Map<string, string> {
  const values = new Map<string, string>();
  for (const field of parameter?.children ?? []) values.set(field.local, field.text.trim());
  return values;
}

/** The rows of a table parameter as sent. */
export function readTable(parameter: XmlElement | null): Map<string, string>[] {
  return parameter === null ? [] : childrenNamed(parameter, 'item').map((item) => readStructure(item));
}

/** A scalar IMPORTING parameter, trimmed; `''` when absent (ABAP's initial value). */
export function readScalar(call: XmlElement, name: string): string {
  return childNamed(call, name)?.text.trim() ?? '';
}

/** What a function module returns: EXPORTING values and TABLES rows by parameter name. */
export interface FunctionOutput {
  exporting?: Readonly<Record<string, StructureValues | string>>;
  tables?: Readonly<Record<string, readonly StructureValues[]>>;
}

/**
 * The response element of a function module: every EXPORTING and TABLES parameter in the order
 * the function declares them, empty ones included (SAP writes `<POACCOUNT/>` for an empty table).
 */
export function functionResponse(fn: RfcFunction, output: FunctionOutput): Markup {
  const parts: Markup[] = [];
  for (const parameter of fn.parameters) {
    if (parameter.direction === 'import') continue;
    const { type } = parameter;
    if (parameter.direction === 'table' && isStructure(type)) {
      parts.push(element(parameter.name, tableMarkup(type, output.tables?.[parameter.name] ?? [])));
      continue;
    }
    const value = output.exporting?.[parameter.name];
    if (isStructure(type)) {
      const values = typeof value === 'object' ? value : {};
      parts.push(element(parameter.name, structureMarkup(type, values)));
    } else {
      parts.push(element(parameter.name, abapValue(type, typeof value === 'string' ? value : undefined)));
    }
  }
  return element(`n0:${fn.name}Response`, fragment(parts), { 'xmlns:n0': RFC_NAMESPACE });
}
