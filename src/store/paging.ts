import { ErpError } from '../errors/index.ts';

/**
 * Checks `limit` (a positive integer) and `offset` (a non-negative integer) before any query runs;
 * a value out of range is an error, never silently clamped.
 */
export function checkPaging(operation: string, options: { limit?: number; offset?: number }): void {
  const { limit, offset } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new ErpError('validation', `${operation}: limit must be a positive integer, got ${limit}`, {
      field: 'limit',
    });
  }
  if (offset !== undefined && !(Number.isInteger(offset) && offset >= 0)) {
    throw new ErpError('validation', `${operation}: offset must be a non-negative integer, got ${offset}`, {
      field: 'offset',
    });
  }
}
