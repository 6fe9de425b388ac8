import type { Operation } from '../rest/http-errors.ts';
import type { Domain } from './rpc-config.ts';
import type { RpcStruct, RpcValue } from './rpc-values.ts';

/**
 * The narrow port the rpc connection reads and writes through: the handful of model methods the
 * OpenERP family shares, whatever the dialect (Tryton's sessions and tagged values, Odoo's
 * execute_kw with the password on every call) and whatever the protocol. Every method throws
 * ErpError; every call is bounded by the connector's timeout.
 */

/** What a call is for, so its errors name the operation, the entity and the record. */
export interface CallPurpose {
  operation: Operation;
  entity?: string;
  key?: string;
  signal?: AbortSignal | undefined;
}

/** One page of `search_read`. */
export interface SearchPage {
  offset: number;
  /** Null: no limit. */
  limit: number | null;
  /** `[field, 'ASC' | 'DESC']` in order of precedence. */
  order: readonly [string, 'ASC' | 'DESC'][];
}

/** The concurrency token a write carries, compared by the ERP inside its transaction. */
export interface WriteGuard {
  /** Context key: `_timestamp` (Tryton), `__last_update` (Odoo). */
  contextKey: string;
  /** `model,id` → the version value as read. */
  values: Record<string, string>;
}

export interface ModelRpc {
  readonly dialect: 'tryton' | 'odoo';
  /** `search_read(domain, offset, limit, order, fields)`; records come back with their tagged values decoded. */
  searchRead(
    model: string,
    domain: Domain,
    page: SearchPage,
    fields: readonly string[],
    purpose: CallPurpose,
  ): Promise<RpcStruct[]>;
  /** `search_count(domain)`. */
  searchCount(model: string, domain: Domain, purpose: CallPurpose): Promise<number>;
  /** `write(ids, values)`, with the guard's versions in the context when given. */
  write(
    model: string,
    ids: readonly number[],
    values: RpcStruct,
    guard: WriteGuard | undefined,
    purpose: CallPurpose,
  ): Promise<void>;
  /** Any other model method, e.g. a workflow button: `method(ids)`. */
  execute(model: string, method: string, args: readonly RpcValue[], purpose: CallPurpose): Promise<RpcValue>;
  /** Logs in (or checks the credentials) and says which server answered, e.g. `Tryton 6.0.29`. */
  describeServer(signal?: AbortSignal): Promise<string>;
  /** Values that must never appear in a message: the password, session keys. Changes as sessions are issued. */
  readonly secrets: readonly string[];
  close(): Promise<void>;
}
