import { ErpError } from '../errors/index.ts';
import { FormatError } from './legacy-formats.ts';

/**
 * Reads one vendor field with a converter, turning a format problem into a validation error that
 * names the entity, the record and the field — what a person needs to find the bad record.
 */
export function readField<T>(
  record: { key: string; data: Record<string, unknown> },
  entity: string,
  field: string,
  convert: (value: unknown) => T,
): T {
  try {
    return convert(record.data[field]);
  } catch (error) {
    if (error instanceof FormatError) {
      throw new ErpError('validation', `cannot read ${field}: ${error.message}`, {
        entity,
        key: record.key,
        field,
        cause: error,
      });
    }
    throw error;
  }
}
