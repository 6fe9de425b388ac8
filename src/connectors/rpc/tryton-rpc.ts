import { Buffer } from 'node:buffer';
import { ErpError } from '../../errors/index.ts';
import type { CallPurpose, ModelRpc, SearchPage, WriteGuard } from './model-rpc.ts';
import type { Domain, RpcConfig } from './rpc-config.ts';
import { decodeResult } from './rpc-errors.ts';
import { createRpcTransport, type RpcExchange, type RpcReply } from './rpc-transport.ts';
import type { RpcStruct, RpcValue } from './rpc-values.ts';
import { isRpcStruct } from './rpc-values.ts';
import { sharedLogin } from './shared-login.ts';
import {
  errorForTrytonFault,
  errorForTrytonStatus,
  type TrytonCallContext,
  type TrytonPhase,
  trytonFaultFromJson,
  trytonFaultFromXml,
} from './tryton-errors.ts';
import { fromTrytonWire, toTrytonWire } from './tryton-wire.ts';

/**
 * Tryton's RPC conventions (trytond/protocols/dispatcher.py): everything is a POST to
 * `/<database>/`; `common.db.login(username, {password}, language)` answers `[user id, session
 * key]`, and later calls carry `Authorization: Session base64(username:user id:key)`; a model
 * method is `model.<model>.<method>` with the context as its last parameter (`_timestamp` in it
 * asks `write` to check that nobody changed the records since they were read).
 *
 * A session Tryton no longer knows (expired after `[session] max_age`, logged out, or the server
 * restarted on another database copy) is answered with 401 before the call runs, so the call is
 * sent again once after a new login — writes too. Concurrent calls share one login.
 */

interface Session {
  userId: number;
  key: string;
  header: string;
}

/** The Tryton side of an rpc connection. Does no I/O until the first call. */
export function createTrytonRpc(config: RpcConfig, connector: string): ModelRpc {
  const { username, password } = config.auth;
  const databasePath = `/${encodeURIComponent(config.database)}/`;
  const secrets = (): string[] => {
    const known = [password];
    const current = session.value;
    if (current !== undefined) known.push(current.key, current.header.slice('Session '.length));
    return known;
  };
  const transport = createRpcTransport({
    connector,
    baseUrl: config.baseUrl,
    protocol: config.protocol,
    timeoutMs: config.timeoutMs,
    concurrency: config.concurrency,
    secrets,
  });

  const where = (exchange: RpcExchange): TrytonCallContext => transport.contextOf(exchange);

  const login = async (purpose: CallPurpose): Promise<Session> => {
    const exchange: RpcExchange = {
      operation: purpose.operation,
      method: 'common.db.login',
      path: databasePath,
      wireMethod: 'common.db.login',
      params: [username, { password }, config.language],
    };
    const phase: TrytonPhase = { kind: 'login', username, database: config.database };
    const value = await settle(exchange, await transport.send(exchange), phase);
    if (
      !Array.isArray(value) ||
      typeof value[0] !== 'number' ||
      !Number.isInteger(value[0]) ||
      typeof value[1] !== 'string'
    ) {
      throw new ErpError(
        'permanent',
        'Tryton answered the login with something other than [user id, session key]',
        {
          ...where(exchange),
          hint: `is ${config.baseUrl} a Tryton server? check connectors.${connector}.dialect`,
        },
      );
    }
    const [userId, key] = value;
    const token = Buffer.from(`${username}:${userId}:${key}`, 'utf8').toString('base64');
    return { userId, key, header: `Session ${token}` };
  };

  /** The current session, logging in once for all callers that need one at the same time. */
  const session = sharedLogin(login);

  /** A result, or the ErpError for a fault or a status. */
  const settle = async (exchange: RpcExchange, reply: RpcReply, phase: TrytonPhase): Promise<RpcValue> => {
    switch (reply.kind) {
      case 'result':
        return decodeResult('Tryton', fromTrytonWire, reply.value, where(exchange));
      case 'json-error':
        throw errorForTrytonFault(trytonFaultFromJson(reply.error), where(exchange));
      case 'xml-fault':
        throw errorForTrytonFault(trytonFaultFromXml(reply.code, reply.message), where(exchange));
      case 'http-status':
        throw errorForTrytonStatus(reply, phase, where(exchange), secrets());
    }
  };

  /** Calls `model.<model>.<method>(...args, context)`, logging in again once if the session expired. */
  const call = async (
    model: string,
    method: string,
    args: readonly RpcValue[],
    context: RpcStruct,
    purpose: CallPurpose,
  ): Promise<RpcValue> => {
    const wireMethod = `model.${model}.${method}`;
    // The language makes Tryton's messages readable for the person reading erpbridge's errors.
    const params = [...args, { language: config.language, ...config.context, ...context }].map((value) =>
      toTrytonWire(value, config.protocol),
    );
    const exchangeWith = (current: Session): RpcExchange => ({
      ...purpose,
      method: wireMethod,
      path: databasePath,
      wireMethod,
      params,
      headers: { authorization: current.header },
    });
    const first = await session.current(purpose);
    const exchange = exchangeWith(first);
    const reply = await transport.send(exchange);
    if (reply.kind !== 'http-status' || reply.status !== 401) {
      return settle(exchange, reply, { kind: 'call', username, fresh: false });
    }
    // 401 comes from the session check, before the method runs: nothing was done, so send it again.
    session.forget(first);
    const fresh = await session.current(purpose).catch((error: unknown) => {
      throw afterExpiry(error);
    });
    const again = exchangeWith(fresh);
    return settle(again, await transport.send(again), { kind: 'call', username, fresh: true });
  };

  /** A failed login after Tryton dropped the session, said as such: the run was fine until then. */
  const afterExpiry = (error: unknown): unknown => {
    if (!(error instanceof ErpError)) return error;
    return new ErpError(
      error.kind,
      `Tryton no longer accepts the session of "${username}" (expired or logged out), and logging in again failed: ${error.message}`,
      {
        ...error.context,
        cause: error,
        ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      },
    );
  };

  const unexpected = (method: string, what: string, purpose: CallPurpose): ErpError =>
    new ErpError(
      'permanent',
      `Tryton answered ${method} with ${what}`,
      transport.contextOf({ ...purpose, method, path: databasePath }),
    );

  return {
    dialect: 'tryton',

    async searchRead(model, domain: Domain, page: SearchPage, fields, purpose) {
      const order = page.order.map(([field, direction]) => [field, direction]);
      const result = await call(
        model,
        'search_read',
        [domain, page.offset, page.limit, order, [...fields]],
        {},
        purpose,
      );
      if (!Array.isArray(result) || !result.every(isRpcStruct)) {
        throw unexpected(`model.${model}.search_read`, 'something other than a list of records', purpose);
      }
      return result;
    },

    async searchCount(model, domain, purpose) {
      const result = await call(model, 'search_count', [domain], {}, purpose);
      if (typeof result !== 'number') {
        throw unexpected(`model.${model}.search_count`, 'something other than a number', purpose);
      }
      return result;
    },

    async write(model, ids, values, guard: WriteGuard | undefined, purpose) {
      const context: RpcStruct = guard === undefined ? {} : { [guard.contextKey]: { ...guard.values } };
      await call(model, 'write', [[...ids], values], context, purpose);
    },

    execute: (model, method, args, purpose) => call(model, method, args, {}, purpose),

    async describeServer(signal) {
      const exchange: RpcExchange = {
        operation: 'test',
        method: 'common.server.version',
        path: '/',
        wireMethod: 'common.server.version',
        params: [],
        signal,
      };
      const version = await settle(exchange, await transport.send(exchange), {
        kind: 'call',
        username,
        fresh: false,
      });
      const current = await session.current({ operation: 'test' });
      return `Tryton ${String(version)} at ${transport.urlOf(databasePath)}, logged in as ${username} (user ${current.userId})`;
    },

    get secrets() {
      return secrets();
    },

    close: () => transport.close(),
  };
}
