import { defineConnector } from '../contract.ts';
import { RpcConfigSchema } from './rpc-config.ts';
import { connectRpc } from './rpc-connection.ts';

/**
 * The `rpc` connector: ERPs of the OpenERP lineage over JSON-RPC or XML-RPC — Tryton (sessions,
 * tagged decimals and dates, `_timestamp` concurrency) and Odoo (`execute_kw`). Reads are
 * `search_read` pages on the fields the configuration names, gets look a record up by key, writes
 * are `write` on ids guarded by the record's version.
 *
 * An entity without `write` is read-only, and writing to it is a `permanent` ErpError.
 */
export const rpcConnector = defineConnector({
  kind: 'rpc',
  configSchema: RpcConfigSchema,
  capabilities: { read: true, get: true, write: true, concurrency: 'version-field' },
  connect: async (config, context) => connectRpc(config, context),
});
