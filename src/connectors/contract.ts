import type { z } from 'zod';
import type { ErpError } from '../errors/index.ts';

/**
 * The connector contract: a configured link to one surface of an ERP. Small on purpose — a
 * connector is data plus functions (`defineConnector`), and `test()` shares `connect()` with the
 * runtime so the connection code exists once.
 */

/** One record as the ERP holds it: its key as the ERP spells it, its concurrency token, its fields. */
export interface VendorRecord {
  key: string;
  /** ETag or change timestamp; null where the ERP offers none. */
  version: string | null;
  data: Record<string, unknown>;
}

/** What to read: a vendor entity, with equality filters the ERP understands. */
export interface ReadQuery {
  entity: string;
  filter?: Record<string, string | number | boolean>;
  /** Records per page asked of the ERP; the connector's config has the default. */
  pageSize?: number;
  /**
   * A `cursor` from a page an earlier read of the same query yielded: the read continues with the
   * page after that one. How a read survives a failure in its middle without starting over.
   */
  resumeFrom?: string;
  /**
   * Incremental extraction: only records changed after this watermark (a value of the entity's
   * last-changed column, as a previous read's `RecordPage.watermark` gave it). Connectors that
   * cannot filter by change ignore it and declare `capabilities.incremental: false`.
   */
  changedSince?: string;
  signal?: AbortSignal;
}

/** A record the connector could not even key (no key field, not an object): kept, with why. */
export interface RecordReject {
  /** Position of the record on its page, from 0. */
  index: number;
  /** The item as the ERP sent it. */
  data: unknown;
  /** A `validation` error naming the entity, page and field. */
  error: ErpError;
}

/** One page of a read, with the total when the ERP tells it. */
export interface RecordPage {
  records: VendorRecord[];
  total: number | null;
  /** Records left out of `records` because they could not be keyed; the read goes on. */
  rejects?: RecordReject[];
  /**
   * Opaque: pass it as `resumeFrom` to continue after this page. Null on the last page; absent
   * when the connector cannot resume a read.
   */
  cursor?: string | null;
  /**
   * For incremental reads: the highest last-changed value among the records read so far in this
   * read. The engine stores the last page's as the next run's `changedSince`, once the run commits.
   */
  watermark?: string | null;
}

export type WriteMethod = 'PATCH' | 'PUT' | 'POST';

export interface WriteRequest {
  entity: string;
  key: string;
  /** The vendor fields to set. */
  fields: Record<string, unknown>;
  /** Write only if the record is still at this version (If-Match); a mismatch is a `conflict`. */
  ifVersion?: string | null;
  /** Sent to ERPs that deduplicate writes (Idempotency-Key header). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface WriteResult {
  /** The record as the ERP answered, when it answered with one. */
  record: VendorRecord | null;
}

/** What a connector can do; a missing capability is declared, never discovered at run time. */
export interface Capabilities {
  read: boolean;
  get: boolean;
  write: boolean;
  /** How concurrent edits are detected: If-Match on an ETag, a version field, or not at all. */
  concurrency: 'etag' | 'version-field' | 'none';
  /** Whether `read` honours `ReadQuery.changedSince` and reports `RecordPage.watermark`. Default false. */
  incremental?: boolean;
}

export interface TestResult {
  ok: boolean;
  message: string;
}

/** A live connection. Every call has a time bound (the connector's timeout) and throws ErpError. */
export interface Connection {
  read(query: ReadQuery): AsyncIterable<RecordPage>;
  get(entity: string, key: string, signal?: AbortSignal): Promise<VendorRecord | null>;
  write(request: WriteRequest): Promise<WriteResult>;
  test(): Promise<TestResult>;
  close(): Promise<void>;
  /**
   * The request(s) `write` would send for this change, as text on the wire (an HTTP request, a SOAP
   * envelope), without sending anything: `erpbridge plan <run> --wire`. Secrets are redacted.
   */
  describeWrite?(request: WriteRequest): string;
}

/** Runtime services a connector may use; nothing global. */
export interface ConnectorContext {
  /** The connector's name in erpbridge.yaml, for error messages. */
  name: string;
  /** Environment to resolve `${ENV}` secret references against. */
  env: NodeJS.ProcessEnv;
  /** The config file's folder: relative paths in the connector's options (a WSDL, a key) resolve here. */
  baseDir?: string;
}

export interface ConnectorDefinition<Schema extends z.ZodType = z.ZodType> {
  kind: string;
  configSchema: Schema;
  capabilities: Capabilities;
  connect(config: z.infer<Schema>, context: ConnectorContext): Promise<Connection>;
}

/** Declares a connector kind; the identity function that keeps its config type inferred from its schema. */
export function defineConnector<Schema extends z.ZodType>(
  definition: ConnectorDefinition<Schema>,
): ConnectorDefinition<Schema> {
  return definition;
}
