import type { FaultLabel } from './fault-injector.ts';

/** One request to `/api/*` or a SOAP endpoint, as the sandbox recorded it — every attempt, faulted ones too. */
export interface RequestLogEntry {
  /** Increasing from 1; never reused, not even after {@link RequestLog.clear}. */
  id: number;
  /** When the request arrived (ISO). */
  at: string;
  method: string;
  /** The path without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  /** The status the client received; 0 when it received none (a hang or a reset socket). */
  status: number;
  durationMs: number;
  idempotencyKey: string | null;
  /**
   * True only for a PATCH that changed data (not for a replay, a no-op or a rejected write) —
   * including one whose answer a fault then lost: the write is committed all the same.
   */
  applied: boolean;
  poNumber: string | null;
  /** The fault the sandbox injected into this request, or null (see {@link FaultLabel}). */
  fault: FaultLabel | null;
  /**
   * SOAP calls only (sandbox/soap): the operation called, such as `BAPI_PO_CHANGE`; null when the
   * call never named a known one (refused credentials, a malformed envelope). Absent for `/api`.
   */
  operation?: string | null;
}

/** Filters of {@link RequestLog.list}. */
export interface RequestLogFilter {
  /** Only entries with an id greater than this. */
  since?: number;
  /** Only this HTTP method (case-insensitive). */
  method?: string;
}

/** An in-memory log of the most recent requests, for tests and benchmarks to inspect. */
export interface RequestLog {
  record(entry: Omit<RequestLogEntry, 'id'>): RequestLogEntry;
  list(filter?: RequestLogFilter): RequestLogEntry[];
  clear(): void;
  readonly size: number;
}

/** The default capacity: the most recent 500,000 requests are kept. */
export const REQUEST_LOG_CAPACITY = 500_000;

/**
 * Creates a request log: a ring buffer of `capacity` entries where the oldest entry gives way to
 * the newest. Ids are consecutive, so `since` finds its starting point without a scan.
 */
export function createRequestLog(capacity = REQUEST_LOG_CAPACITY): RequestLog {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`request log capacity must be a positive integer, got ${capacity}`);
  }
  const entries: (RequestLogEntry | undefined)[] = new Array(capacity);
  let start = 0;
  let size = 0;
  let nextId = 1;
  return {
    record(entry) {
      const logged: RequestLogEntry = { id: nextId++, ...entry };
      if (size < capacity) {
        entries[(start + size) % capacity] = logged;
        size++;
      } else {
        entries[start] = logged;
        start = (start + 1) % capacity;
      }
      return logged;
    },
    list(filter = {}) {
      const firstId = nextId - size;
      const skip = filter.since === undefined ? 0 : Math.max(0, Math.min(size, filter.since + 1 - firstId));
      const method = filter.method?.toUpperCase();
      const found: RequestLogEntry[] = [];
      for (let index = skip; index < size; index++) {
        const entry = entries[(start + index) % capacity];
        if (entry && (method === undefined || entry.method === method)) found.push(entry);
      }
      return found;
    },
    clear() {
      entries.fill(undefined);
      start = 0;
      size = 0;
    },
    get size() {
      return size;
    },
  };
}
