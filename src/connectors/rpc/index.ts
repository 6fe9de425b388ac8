/**
 * The `rpc` connector (Tryton, Odoo). Profiles and tests import the value classes from here; the
 * codec and the dialects stay inside.
 */
export type { Domain, FilterRule, RpcConfig, RpcEntity, RpcEntityInput } from './rpc-config.ts';
export { RpcConfigSchema } from './rpc-config.ts';
export { rpcConnector } from './rpc-connector.ts';
export {
  asRpcValue,
  isRpcStruct,
  RpcBinary,
  RpcDate,
  RpcDateTime,
  RpcDecimal,
  type RpcStruct,
  RpcTime,
  RpcTimeDelta,
  type RpcValue,
} from './rpc-values.ts';
