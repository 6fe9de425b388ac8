import type { Connection, RecordPage } from '../connectors/contract.ts';
import { describeError, isErpError } from '../errors/index.ts';
import type { EntityMapping } from '../profiles/contract.ts';

/** One page of records mapped to canonical entities; records that could not be read, with why. */
export interface MappedPage<Canonical> {
  records: Canonical[];
  rejects: { recordId: string; error: string; kind: string }[];
  total: number | null;
  /** Incremental reads: the highest last-changed value read so far (see `RecordPage.watermark`). */
  watermark?: string | null;
}

/**
 * Reads an entity page by page and maps each record. A record the mapping cannot read becomes a
 * reject with the reason — the read goes on. The next page is fetched while the caller works on
 * this one, so extract overlaps with deciding.
 */
export async function* extractMapped<Canonical>(
  connection: Connection,
  mapping: EntityMapping<Canonical>,
  options: {
    filter?: Record<string, string | number | boolean>;
    pageSize: number;
    changedSince?: string;
    signal?: AbortSignal;
  },
): AsyncGenerator<MappedPage<Canonical>> {
  const pages = connection.read({
    entity: mapping.vendorEntity,
    pageSize: options.pageSize,
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.changedSince ? { changedSince: options.changedSince } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  let position = 0;
  for await (const page of prefetch(pages)) {
    yield mapPage(page, mapping, position);
    position += page.records.length + (page.rejects?.length ?? 0);
  }
}

/** `position` is how many records came before this page, so a keyless record still gets a stable name. */
function mapPage<Canonical>(
  page: RecordPage,
  mapping: EntityMapping<Canonical>,
  position: number,
): MappedPage<Canonical> {
  const records: Canonical[] = [];
  const rejects: MappedPage<Canonical>['rejects'] = [];
  for (const reject of page.rejects ?? []) {
    rejects.push({
      recordId: `(no key) record ${position + reject.index + 1}`,
      error: describeError(reject.error),
      kind: reject.error.kind,
    });
  }
  for (const record of page.records) {
    try {
      records.push(mapping.toCanonical(record));
    } catch (error) {
      if (!isErpError(error, 'validation')) throw error;
      rejects.push({ recordId: record.key || '(no key)', error: describeError(error), kind: error.kind });
    }
  }
  return {
    records,
    rejects,
    total: page.total,
    ...(page.watermark === undefined ? {} : { watermark: page.watermark }),
  };
}

/** Keeps one page in flight ahead of the consumer. Errors surface where the page would have been. */
async function* prefetch<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    while (true) {
      const result = await next;
      if (result.done) return;
      next = iterator.next();
      // The prefetched promise may reject while the consumer is busy; it is awaited next turn.
      next.catch(() => undefined);
      yield result.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/**
 * Reads the named records one by one (a replay of dead letters), in pages of `pageSize`, mapped like
 * `extractMapped`. A record the ERP no longer has becomes a reject saying so.
 */
export async function* extractByKeys<Canonical>(
  connection: Connection,
  mapping: EntityMapping<Canonical>,
  keys: readonly string[],
  pageSize: number,
): AsyncGenerator<MappedPage<Canonical>> {
  for (let start = 0; start < keys.length; start += pageSize) {
    const slice = keys.slice(start, start + pageSize);
    const found = await Promise.all(slice.map((key) => connection.get(mapping.vendorEntity, key)));
    const page = mapPage(
      { records: found.flatMap((record) => (record ? [record] : [])), total: keys.length },
      mapping,
      start,
    );
    slice.forEach((key, index) => {
      if (found[index] === null) {
        page.rejects.push({
          recordId: key,
          error: `${mapping.vendorEntity} ${key} no longer exists in the ERP`,
          kind: 'permanent',
        });
      }
    });
    yield page;
  }
}
