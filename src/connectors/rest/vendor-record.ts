import type { VendorRecord } from '../contract.ts';
import type { RestEntity } from './rest-config.ts';

/**
 * Turning a JSON object from the ERP into a VendorRecord: its key and its version as the entity's
 * configuration says.
 */

/**
 * The record's key as a string, or undefined when `keyField` holds no usable key (absent, null,
 * empty, or not a string or number).
 */
export function keyOf(data: Record<string, unknown>, keyField: string): string | undefined {
  const value = data[keyField];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The version of a listed record: `"<value of versionField>"` (ETag-style), or null. */
export function versionOf(data: Record<string, unknown>, versionField: string | undefined): string | null {
  if (versionField === undefined) return null;
  const value = data[versionField];
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return `"${value}"`;
  return null;
}

/**
 * The VendorRecord for a JSON object. An ETag (from a GET or a write's answer) wins over the
 * version field; `fallbackKey` is used when the object does not repeat its key.
 */
export function toVendorRecord(
  data: Record<string, unknown>,
  entity: RestEntity,
  options: { etag?: string | undefined; fallbackKey?: string } = {},
): VendorRecord | undefined {
  const key = keyOf(data, entity.keyField) ?? options.fallbackKey;
  if (key === undefined) return undefined;
  return { key, version: options.etag ?? versionOf(data, entity.versionField), data };
}

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
