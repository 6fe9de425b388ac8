import { ErpError, type ErrorKind } from '../../errors/index.ts';

/**
 * SAP BAPI return tables. A BAPI called over RFC-SOAP answers normally even when it refused the
 * request: the refusal is in its `RETURN` parameter, a structure or table of BAPIRET2 lines. TYPE
 * says what each line is: `S` success, `I` information, `W` warning — and `E` error or `A` abort,
 * which mean nothing was done (and, for a write, that BAPI_TRANSACTION_COMMIT must not follow).
 *
 * node-soap hands the table over as `{ item: [ … ] }` (or `{ item: { … } }` when the WSDL does not
 * say it repeats), a structure as one object; all shapes are accepted.
 */

/** One BAPIRET2 line, the fields erpbridge reads (SAP's names in the comments). */
export interface BapiMessage {
  /** TYPE: S, I, W, E or A. */
  type: string;
  /** ID: the message class, e.g. `06` (purchasing) or `ME`. */
  id: string;
  /** NUMBER: the message number in that class, e.g. `019`. */
  number: string;
  /** MESSAGE: the text, in the logon language. */
  message: string;
  /** PARAMETER, ROW and FIELD: where the problem is, when SAP says. */
  parameter: string | undefined;
  row: string | undefined;
  field: string | undefined;
}

/** Message types that mean the BAPI did nothing. */
const ERROR_TYPES = new Set(['E', 'A']);

/** Every line of a RETURN parameter, whatever its shape; `[]` for an empty or absent one. Pure. */
export function bapiReturnMessages(returnTable: unknown): BapiMessage[] {
  return linesOf(returnTable).flatMap((line) => {
    const message = messageOf(line);
    return message === undefined ? [] : [message];
  });
}

/**
 * The lines of a RETURN parameter with TYPE E (error) or A (abort); W, I and S are not errors.
 * Pure.
 *
 * @example
 *   bapiReturnErrors(result.RETURN) // → [{ type: 'E', id: '06', number: '019', message: '…', … }]
 */
export function bapiReturnErrors(returnTable: unknown): BapiMessage[] {
  return bapiReturnMessages(returnTable).filter((line) => ERROR_TYPES.has(line.type));
}

/** The ErpError of a BAPI that refused: its return lines are kept for profiles that look closer. */
export class BapiError extends ErpError {
  /** The BAPI or RFC-SOAP operation. */
  readonly operation: string;
  /** The E and A lines, in SAP's order. */
  readonly messages: readonly BapiMessage[];

  constructor(
    operation: string,
    messages: readonly BapiMessage[],
    context: { connector?: string; url?: string } = {},
  ) {
    const aborted = messages.some((line) => line.type === 'A');
    const kind: ErrorKind = aborted ? 'permanent' : 'validation';
    const first = messages[0];
    const text = messages.map((line) => `${line.type} ${line.id}/${line.number}: ${line.message}`).join('; ');
    const where = first === undefined ? '' : `SE91 shows message class ${first.id}, number ${first.number}`;
    super(kind, `${operation} returned ${text}`, {
      ...context,
      ...(first?.field === undefined ? {} : { field: first.field }),
      hint: aborted
        ? `SAP aborted ${operation}; nothing was changed. ${where}`
        : `SAP refused the data; the message says what to fix (${where})`,
    });
    this.operation = operation;
    this.messages = messages;
  }
}

/**
 * Throws a {@link BapiError} when the `RETURN` of `result` (a BAPI's answer as `call` returns it)
 * holds an E or A line; does nothing otherwise. Kind `validation` for E, `permanent` when any
 * line is A. The message carries each line's TYPE, ID, NUMBER and MESSAGE:
 * `BAPI_PO_CHANGE returned E 06/019: Purchase order 4500000099 does not exist`.
 *
 * @param result the call's result object; its `RETURN` (any case) is read.
 * @param operation the BAPI, for the message.
 */
export function assertBapiSuccess(
  result: unknown,
  operation: string,
  context: { connector?: string; url?: string } = {},
): void {
  const errors = bapiReturnErrors(returnOf(result));
  if (errors.length > 0) throw new BapiError(operation, errors, context);
}

function returnOf(result: unknown): unknown {
  if (!isRecord(result)) return undefined;
  if (Object.hasOwn(result, 'RETURN')) return result.RETURN;
  const key = Object.keys(result).find((name) => name.toUpperCase() === 'RETURN');
  return key === undefined ? undefined : result[key];
}

/** A table (`{ item: […] }`, `{ item: {…} }`, `[…]`) or structure (`{ TYPE, … }`) as lines. */
function linesOf(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return value;
  if (!isRecord(value)) return [];
  if (fieldOf(value, 'TYPE') !== undefined || fieldOf(value, 'MESSAGE') !== undefined) return [value];
  const item = fieldOf(value, 'item');
  if (item === undefined) return [];
  return Array.isArray(item) ? item : [item];
}

function messageOf(line: unknown): BapiMessage | undefined {
  if (!isRecord(line)) return undefined;
  const type = text(fieldOf(line, 'TYPE')).trim().toUpperCase();
  const message = text(fieldOf(line, 'MESSAGE'));
  if (type === '' && message === '') return undefined;
  return {
    type,
    id: text(fieldOf(line, 'ID')).trim(),
    number: text(fieldOf(line, 'NUMBER')).trim(),
    message: message.trim(),
    parameter: optional(fieldOf(line, 'PARAMETER')),
    row: optional(fieldOf(line, 'ROW')),
    field: optional(fieldOf(line, 'FIELD')),
  };
}

/** A field by SAP's upper-case name, or in any case (some SOAP stacks lower-case them). */
function fieldOf(record: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(record, name)) return record[name];
  const key = Object.keys(record).find((candidate) => candidate.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : record[key];
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

function optional(value: unknown): string | undefined {
  const written = text(value).trim();
  return written === '' || written === '0' ? undefined : written;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
