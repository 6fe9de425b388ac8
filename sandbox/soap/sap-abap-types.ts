/**
 * ABAP dictionary types as SAP's RFC-SOAP runtime writes them (its asXML serialisation): CHAR
 * trimmed on the right, NUMC zero-padded, DATS as `YYYY-MM-DD` (initial `0000-00-00`), TIMS as
 * `hh:mm:ss`, packed numbers (DEC, QUAN, CURR) with a decimal point and exactly their declared
 * decimals, INT4 as an integer. One table per structure drives both the WSDL (sap-wsdl.ts) and
 * the values written, so the two cannot disagree. Lengths and decimals are the real dictionary's
 * (shared/fixtures/fieldlists/sap_bapi_po_fields.yaml).
 */

/** An ABAP dictionary type. */
export type AbapType =
  | { kind: 'char'; length: number }
  | { kind: 'numc'; length: number }
  | { kind: 'dats' }
  | { kind: 'tims' }
  | { kind: 'dec'; length: number; decimals: number }
  | { kind: 'quan'; length: number; decimals: number }
  | { kind: 'cuky' }
  | { kind: 'unit' }
  | { kind: 'lang' }
  | { kind: 'int4' };

export const char = (length: number): AbapType => ({ kind: 'char', length });
export const numc = (length: number): AbapType => ({ kind: 'numc', length });
export const dats: AbapType = { kind: 'dats' };
export const dec = (length: number, decimals: number): AbapType => ({ kind: 'dec', length, decimals });
export const quan = (length: number, decimals: number): AbapType => ({ kind: 'quan', length, decimals });
export const cuky: AbapType = { kind: 'cuky' };
export const unit: AbapType = { kind: 'unit' };
export const lang: AbapType = { kind: 'lang' };
export const int4: AbapType = { kind: 'int4' };

/** A flat structure (or a table's line type): its dictionary name and its fields in order. */
export interface AbapStructure {
  name: string;
  fields: ReadonlyArray<readonly [string, AbapType]>;
}

/** The XSD simple type name SAP's WSDL generator gives an ABAP type: `char10`, `date10`, `decimal23.4`. */
export function xsdTypeName(type: AbapType): string {
  switch (type.kind) {
    case 'char':
      return `char${type.length}`;
    case 'numc':
      return `numeric${type.length}`;
    case 'dats':
      return 'date10';
    case 'tims':
      return 'time';
    case 'dec':
      return `decimal${type.length}.${type.decimals}`;
    case 'quan':
      return `quantum${type.length}.${type.decimals}`;
    case 'cuky':
      return 'cuky5';
    case 'unit':
      return 'unit3';
    case 'lang':
      return 'lang';
    case 'int4':
      return 'int';
  }
}

/** The initial value of a type, as written for a field nobody filled. */
export function initialValue(type: AbapType): string {
  switch (type.kind) {
    case 'numc':
      return '0'.repeat(type.length);
    case 'dats':
      return '0000-00-00';
    case 'tims':
      return '00:00:00';
    case 'dec':
    case 'quan':
      return type.decimals === 0 ? '0' : `0.${'0'.repeat(type.decimals)}`;
    case 'int4':
      return '0';
    default:
      return '';
  }
}

/**
 * Writes a value the way the type is serialised. The callers pass values already in the type's
 * canonical form (dates as `YYYY-MM-DD`, decimals with their declared decimals); this pads NUMC
 * and trims and cuts CHAR to its length, the way the ABAP field would hold it.
 */
export function abapValue(type: AbapType, value: string | undefined): string {
  if (value === undefined || value === '') return initialValue(type);
  switch (type.kind) {
    case 'char':
      return value.trimEnd().slice(0, type.length);
    case 'numc':
      return value.padStart(type.length, '0').slice(-type.length);
    case 'cuky':
      return value.trim().slice(0, 5);
    case 'unit':
      return value.trim().slice(0, 3);
    case 'lang':
      return value.trim().slice(0, 1);
    default:
      return value;
  }
}

/** The widest text a field of this type accepts on input (for the WSDL's `maxLength`). */
export function maxLengthOf(type: AbapType): number | null {
  switch (type.kind) {
    case 'char':
    case 'numc':
      return type.length;
    case 'dats':
      return 10;
    case 'tims':
      return 8;
    case 'cuky':
      return 5;
    case 'unit':
      return 3;
    case 'lang':
      return 1;
    default:
      return null;
  }
}
