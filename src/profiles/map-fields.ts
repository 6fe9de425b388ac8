import type { z } from 'zod';
import { ErpError } from '../errors/index.ts';
import { FormatError } from './legacy-formats.ts';

/**
 * Reads one record's vendor fields and remembers which field it is on, so that a format problem
 * becomes a validation error naming the entity, the record and the field — what a person needs to
 * find the bad record. One try/catch per record instead of one per field: this runs for every
 * field of every record read.
 *
 * @example
 * const reader = new FieldReader('purchase_orders', record.key);
 * try { const id = reader.read(record.data, 'po_number', stripLeadingZeros); }
 * catch (error) { throw reader.failure(error); }
 */
export class FieldReader {
  #field = '';
  #line: number | null = null;

  constructor(
    readonly entity: string,
    readonly key: string,
  ) {}

  /** Converts `data[name]`; `line` places the field in the record's line list. */
  read<T>(data: object, name: string, convert: (value: unknown) => T, line: number | null = null): T {
    this.#field = name;
    this.#line = line;
    return convert(Reflect.get(data, name));
  }

  /** The field being read, e.g. `need_by` or `lines[2].quantity`. */
  get field(): string {
    return this.#line === null ? this.#field : `lines[${this.#line}].${this.#field}`;
  }

  /** Turns what a converter threw into a validation error for this record and field. */
  failure(error: unknown): unknown {
    if (!(error instanceof FormatError)) return error;
    return new ErpError('validation', `cannot read ${this.field}: ${error.message}`, {
      entity: this.entity,
      key: this.key,
      field: this.field,
      cause: error,
    });
  }
}

/**
 * Reads one record into a canonical entity, as every mapping's `toCanonical` does: `read` reads the
 * vendor fields through a {@link FieldReader} for this record, so that a FormatError becomes a
 * validation error naming the entity, the record and the field; what it returns is then checked
 * against the canonical schema ({@link validateCanonical}).
 *
 * @example
 * toCanonical: (record) =>
 *   readCanonical(Supplier, 'Supplier', 'suppliers', record, (reader) => ({
 *     id: reader.read(record.data, 'supplier_id', stripLeadingZeros),
 *     …
 *   })),
 */
export function readCanonical<Canonical>(
  schema: z.ZodType<Canonical>,
  name: string,
  entity: string,
  record: { key: string },
  read: (reader: FieldReader) => NoInfer<Canonical>,
): Canonical {
  const reader = new FieldReader(entity, record.key);
  let value: Canonical;
  try {
    value = read(reader);
  } catch (error) {
    throw reader.failure(error);
  }
  return validateCanonical(schema, name, value, { entity, key: record.key });
}

/**
 * Checks a mapped record against its canonical schema; the first problem becomes a validation
 * error naming the entity, the record and the canonical field.
 */
export function validateCanonical<Schema extends z.ZodType>(
  schema: Schema,
  name: string,
  value: unknown,
  where: { entity: string; key: string },
): z.infer<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  throw new ErpError('validation', `record does not fit ${name}: ${issue?.message ?? 'invalid'}`, {
    ...where,
    field: issue?.path.join('.') ?? '',
  });
}

/**
 * Refuses a write of fields the profile does not write: `others` is what is left of the fields once
 * the writable ones are taken out, and the first of them is named in a validation error.
 *
 * @example
 * const { priority, notes, ...others } = fields;
 * refuseOtherFields(others, 'sandbox', 'purchase_orders');
 */
export function refuseOtherFields(others: object, profile: string, entity: string): void {
  const [readOnly] = Object.keys(others);
  if (readOnly !== undefined) {
    throw new ErpError('validation', `field ${readOnly} is not writable in the ${profile} profile`, {
      entity,
      field: readOnly,
    });
  }
}

/**
 * The `lines` of a record whose line rows a connector gathered (the `sql` connector's `children`):
 * a list of row objects, or a validation error naming the record and `rowName` (e.g. `EKPO`).
 */
export function lineRows(
  record: { key: string; data: Record<string, unknown> },
  entity: string,
  rowName: string,
): Record<string, unknown>[] {
  const lines = record.data.lines ?? [];
  if (Array.isArray(lines) && lines.every((line) => typeof line === 'object' && line !== null)) return lines;
  throw new ErpError('validation', `lines is not a list of ${rowName} rows`, {
    entity,
    key: record.key,
    field: 'lines',
  });
}
