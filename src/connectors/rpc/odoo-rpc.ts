import { ErpError } from '../../errors/index.ts';
import type { CallPurpose, ModelRpc } from './model-rpc.ts';
import { errorForOdooFault, errorForOdooStatus, type OdooCallContext } from './odoo-errors.ts';
import { fromOdooWire, toOdooWire } from './odoo-wire.ts';
import type { RpcConfig } from './rpc-config.ts';
import { decodeResult } from './rpc-errors.ts';
import { createRpcTransport, type RpcExchange, type RpcReply } from './rpc-transport.ts';
import { isRpcStruct, type RpcStruct, type RpcValue } from './rpc-values.ts';
import { sharedLogin } from './shared-login.ts';

/**
 * Odoo's external API (XML-RPC at `/xmlrpc/2/common` and `/xmlrpc/2/object`):
 * `common.login(db, login, password)` answers the user id (or `false`), and every model call is
 * `object.execute_kw(db, uid, password, model, method, args, kwargs)` with the context in
 * `kwargs.context`. There is no session to expire: the password (or an API key) goes with every
 * call. If Odoo stops accepting it mid-run (AccessDenied), the user id is looked up once more, in
 * case the account was re-created; a password that changed is an `auth` error.
 */
export function createOdooRpc(config: RpcConfig, connector: string): ModelRpc {
  const { username, password } = config.auth;
  const secrets = (): string[] => [password];
  const transport = createRpcTransport({
    connector,
    baseUrl: config.baseUrl,
    protocol: 'xml-rpc',
    timeoutMs: config.timeoutMs,
    concurrency: config.concurrency,
    secrets,
  });
  const where = (exchange: RpcExchange): OdooCallContext => transport.contextOf(exchange);

  const settle = (exchange: RpcExchange, reply: RpcReply): RpcValue => {
    switch (reply.kind) {
      case 'result':
        return decodeResult('Odoo', fromOdooWire, reply.value, where(exchange));
      case 'xml-fault':
        throw errorForOdooFault(reply.code, reply.message, where(exchange), username);
      case 'json-error':
        throw new ErpError(
          'permanent',
          'Odoo answered with a JSON-RPC error to an XML-RPC call',
          where(exchange),
        );
      case 'http-status':
        throw errorForOdooStatus(reply, where(exchange), secrets());
    }
  };

  const login = async (purpose: CallPurpose): Promise<number> => {
    const exchange: RpcExchange = {
      operation: purpose.operation,
      method: 'common.login',
      path: '/xmlrpc/2/common',
      wireMethod: 'login',
      params: [config.database, username, password],
    };
    const value = settle(exchange, await transport.send(exchange));
    if (value === false) {
      throw new ErpError(
        'auth',
        `Odoo refused the login of "${username}" on database "${config.database}": wrong login or password`,
        {
          ...where(exchange),
          status: 200,
          hint: `check connectors.${connector}.auth.username and connectors.${connector}.auth.password (an API key works as the password)`,
        },
      );
    }
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new ErpError('permanent', 'Odoo answered common.login with something other than a user id', {
        ...where(exchange),
        hint: `is ${config.baseUrl} an Odoo server? check connectors.${connector}.dialect`,
      });
    }
    return value;
  };

  /** The user id, looked up once for all callers; a refused login is remembered (see sharedLogin). */
  const uid = sharedLogin(login);

  const call = async (
    model: string,
    method: string,
    args: readonly RpcValue[],
    kwargs: RpcStruct,
    purpose: CallPurpose,
  ): Promise<RpcValue> => {
    const context = { ...config.context, ...(isRpcStruct(kwargs.context) ? kwargs.context : {}) };
    const exchangeWith = (user: number): RpcExchange => ({
      ...purpose,
      method: `object.execute_kw ${model}.${method}`,
      path: '/xmlrpc/2/object',
      wireMethod: 'execute_kw',
      params: [
        config.database,
        user,
        password,
        model,
        method,
        toOdooWire([...args]),
        toOdooWire({ ...kwargs, context }),
      ],
    });
    const first = await uid.current(purpose);
    const exchange = exchangeWith(first);
    const reply = await transport.send(exchange);
    if (reply.kind !== 'xml-fault' || Number(reply.code) !== 3) return settle(exchange, reply);
    // AccessDenied is raised before the method runs: look the user up again, then send it once more.
    uid.forget(first);
    const again = exchangeWith(await uid.current(purpose));
    return settle(again, await transport.send(again));
  };

  const unexpected = (method: string, what: string, purpose: CallPurpose): ErpError =>
    new ErpError(
      'permanent',
      `Odoo answered ${method} with ${what}`,
      transport.contextOf({ ...purpose, method, path: '/xmlrpc/2/object' }),
    );

  return {
    dialect: 'odoo',

    async searchRead(model, domain, page, fields, purpose) {
      const order = page.order.map(([field, direction]) => `${field} ${direction.toLowerCase()}`).join(', ');
      const kwargs: RpcStruct = { fields: [...fields], offset: page.offset, order };
      // Odoo reads "no limit" from a missing or false limit; None cannot cross its XML-RPC.
      if (page.limit !== null) kwargs.limit = page.limit;
      const result = await call(model, 'search_read', [domain], kwargs, purpose);
      if (!Array.isArray(result) || !result.every(isRpcStruct)) {
        throw unexpected(`${model}.search_read`, 'something other than a list of records', purpose);
      }
      return result;
    },

    async searchCount(model, domain, purpose) {
      const result = await call(model, 'search_count', [domain], {}, purpose);
      if (typeof result !== 'number')
        throw unexpected(`${model}.search_count`, 'something other than a number', purpose);
      return result;
    },

    async write(model, ids, values, guard, purpose) {
      const kwargs: RpcStruct =
        guard === undefined ? {} : { context: { [guard.contextKey]: { ...guard.values } } };
      await call(model, 'write', [[...ids], values], kwargs, purpose);
    },

    execute: (model, method, args, purpose) => call(model, method, args, {}, purpose),

    async describeServer(signal) {
      const exchange: RpcExchange = {
        operation: 'test',
        method: 'common.version',
        path: '/xmlrpc/2/common',
        wireMethod: 'version',
        params: [],
        signal,
      };
      const version = settle(exchange, await transport.send(exchange));
      const release = isRpcStruct(version) ? version.server_version : undefined;
      const user = await uid.current({ operation: 'test' });
      return `Odoo ${typeof release === 'string' ? release : '(unknown version)'} at ${config.baseUrl}, database ${config.database}, logged in as ${username} (uid ${user})`;
    },

    get secrets() {
      return secrets();
    },

    close: () => transport.close(),
  };
}
