import type { Connection } from '../connectors/contract.ts';
import type { CanonicalRecord } from '../engine/workflow.ts';
import { describeError, isErpError } from '../errors/index.ts';
import type { EntityMapping } from '../profiles/contract.ts';
import { type CurrentRecord, fieldValue } from './judgement.ts';

/**
 * How the current values are read: `get` asks for each record by key (a few at a time), `scan`
 * reads the whole entity page by page and keeps the records asked for; `auto` gets up to
 * {@link SCAN_ABOVE} records and scans beyond, where a few pages cost less than one request each.
 */
export const READ_STRATEGIES = ['auto', 'get', 'scan'] as const;
export type ReadStrategy = (typeof READ_STRATEGIES)[number];

/** Above this many records, `auto` scans the entity instead of getting each. */
export const SCAN_ABOVE = 200;

export interface CurrentValues {
  /** By canonical record id: the field and version now, or null when the ERP no longer has it. */
  records: Map<string, CurrentRecord>;
  /** Records the mapping could not read, with why (they count as not yet decided). */
  unreadable: Map<string, string>;
  strategy: 'get' | 'scan';
}

/**
 * Reads the named records' current `field` through the workflow's connection and mapping — the
 * same path the engine reads them, so the profile's conversions apply. Batched: `get` keeps
 * `concurrency` requests in flight; `scan` reads `pageSize` records a page.
 */
export async function readCurrentValues(
  connection: Connection,
  mapping: EntityMapping<CanonicalRecord>,
  recordIds: readonly string[],
  field: string,
  options: { strategy?: ReadStrategy; concurrency?: number; pageSize?: number; signal?: AbortSignal } = {},
): Promise<CurrentValues> {
  const wanted = new Set(recordIds);
  const strategy =
    (options.strategy ?? 'auto') === 'auto'
      ? wanted.size > SCAN_ABOVE
        ? 'scan'
        : 'get'
      : options.strategy === 'scan'
        ? 'scan'
        : 'get';
  const records = new Map<string, CurrentRecord>();
  const unreadable = new Map<string, string>();
  const keep = (id: string, record: CanonicalRecord) => {
    records.set(id, { value: fieldValue(record, field) ?? null, version: record.version });
  };
  if (strategy === 'get') {
    const ids = [...wanted];
    const concurrency = options.concurrency ?? 8;
    for (let start = 0; start < ids.length; start += concurrency) {
      const slice = ids.slice(start, start + concurrency);
      const found = await Promise.all(
        slice.map((id) => connection.get(mapping.vendorEntity, mapping.toVendorKey(id), options.signal)),
      );
      slice.forEach((id, index) => {
        const vendor = found[index];
        if (!vendor) {
          records.set(id, null);
          return;
        }
        try {
          keep(id, mapping.toCanonical(vendor));
        } catch (error) {
          if (!isErpError(error, 'validation')) throw error;
          unreadable.set(id, describeError(error));
        }
      });
    }
    return { records, unreadable, strategy };
  }
  const vendorKeys = new Map([...wanted].map((id) => [mapping.toVendorKey(id), id]));
  for await (const page of connection.read({
    entity: mapping.vendorEntity,
    pageSize: options.pageSize ?? 500,
    ...(options.signal ? { signal: options.signal } : {}),
  })) {
    for (const vendor of page.records) {
      let record: CanonicalRecord;
      try {
        record = mapping.toCanonical(vendor);
      } catch (error) {
        if (!isErpError(error, 'validation')) throw error;
        const id = vendorKeys.get(vendor.key);
        if (id !== undefined) unreadable.set(id, describeError(error));
        continue;
      }
      if (wanted.has(record.id)) keep(record.id, record);
    }
  }
  for (const id of wanted) {
    if (!records.has(id) && !unreadable.has(id)) records.set(id, null);
  }
  return { records, unreadable, strategy };
}
