import { Pool } from 'undici';
import { redact } from '../../config/secrets.ts';
import { ErpError } from '../../errors/index.ts';
import { exchangeDeadline } from '../rest/exchange-deadline.ts';
import {
  bodyExcerpt,
  causeMessage,
  failureCode,
  kindForFailureCode,
  type Operation,
} from '../rest/http-errors.ts';
import { safeUrl } from '../rest/safe-url.ts';
import type { RpcValue } from './rpc-values.ts';
import { decodeXmlRpcResponse, encodeXmlRpcCall, XmlRpcCodecError } from './xml-rpc-codec.ts';

/**
 * One RPC exchange over HTTP: a method name and its parameters out, the answer back, as JSON-RPC
 * (`{"id", "method", "params"}` → `{"id", "result" | "error"}`) or XML-RPC (`<methodCall>` →
 * `<methodResponse>`). One keep-alive undici Pool per connection, every exchange bounded by
 * `timeoutMs` and cancellable by the caller's signal.
 *
 * The transport knows no ERP: it does not interpret faults or statuses, it hands them to the
 * dialect, which knows that Tryton's 401 means "log in again" and its fault 4 means a concurrent
 * edit. Network failures and timeouts are ErpErrors here already, since they mean the same
 * everywhere.
 */

/** What went to the ERP, for messages: the RPC method, the endpoint, the record concerned. */
export interface RpcCallDescription {
  operation: Operation;
  /** The RPC method, e.g. `model.purchase.purchase.search_read` or `object.execute_kw purchase.order.write`. */
  method: string;
  entity?: string;
  key?: string;
}

/** One exchange to send. `params` are in wire form already (the dialect converted them). */
export interface RpcExchange extends RpcCallDescription {
  /** Path on the server, e.g. `/erp/` (Tryton) or `/xmlrpc/2/object` (Odoo). */
  path: string;
  /** The method name as sent on the wire. */
  wireMethod: string;
  params: RpcValue[];
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

/** The ERP's answer, not yet interpreted. */
export type RpcReply =
  /**
   * A result: parsed JSON (untyped, tagged values not decoded yet) or a decoded XML-RPC value; the
   * dialect turns either into RpcValues.
   */
  | { kind: 'result'; value: unknown }
  /** JSON-RPC's `error` member, as sent. */
  | { kind: 'json-error'; error: unknown }
  /** An XML-RPC fault. */
  | { kind: 'xml-fault'; code: number | string; message: string }
  /** An HTTP status other than 200, with its body. */
  | {
      kind: 'http-status';
      status: number;
      headers: Record<string, string | string[] | undefined>;
      body: string;
    };

export interface RpcTransportOptions {
  connector: string;
  baseUrl: string;
  protocol: 'json-rpc' | 'xml-rpc';
  timeoutMs: number;
  concurrency: number;
  /** Values never to print (credentials, session keys); read at each message. */
  secrets: () => readonly string[];
}

export interface RpcTransport {
  /**
   * Sends one exchange and reads the whole answer. Throws ErpError for a network failure, a timeout,
   * or an answer that is neither JSON-RPC nor XML-RPC; a caller's abort throws the signal's reason.
   */
  send(exchange: RpcExchange): Promise<RpcReply>;
  /** The endpoint URL of a path as it may be printed. */
  urlOf(path: string): string;
  /** The context every ErpError about this exchange carries. */
  contextOf(exchange: RpcCallDescription & { path: string }): {
    connector: string;
    method: string;
    url: string;
    entity?: string;
    key?: string;
  };
  /** Waits for exchanges in flight, then closes the sockets. Idempotent. */
  close(): Promise<void>;
}

let nextId = 0;

/** Creates the transport of a connection. Opens no socket until the first exchange. */
export function createRpcTransport(options: RpcTransportOptions): RpcTransport {
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: options.concurrency,
    // Backstops only: the per-exchange timer below bounds the whole exchange.
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: options.timeoutMs },
  });
  let closing: Promise<void> | undefined;
  const json = options.protocol === 'json-rpc';

  const urlOf = (path: string): string =>
    safeUrl(new URL(`${basePath}${path}`, base.origin), options.secrets());
  const contextOf: RpcTransport['contextOf'] = (exchange) => ({
    connector: options.connector,
    method: exchange.method,
    url: urlOf(exchange.path),
    ...(exchange.entity === undefined ? {} : { entity: exchange.entity }),
    ...(exchange.key === undefined ? {} : { key: exchange.key }),
  });

  const encode = (exchange: RpcExchange): string => {
    try {
      if (json) return JSON.stringify({ id: ++nextId, method: exchange.wireMethod, params: exchange.params });
      return encodeXmlRpcCall(exchange.wireMethod, exchange.params);
    } catch (cause) {
      throw new ErpError(
        'validation',
        `${exchange.method}: the parameters cannot be sent: ${causeMessage(cause)}`,
        {
          ...contextOf(exchange),
          cause,
        },
      );
    }
  };

  const decode = (exchange: RpcExchange, body: string): RpcReply => {
    const unreadable = (what: string, cause?: unknown) =>
      new ErpError(
        'permanent',
        `${exchange.method} at ${urlOf(exchange.path)}: the answer ${what}: ${bodyExcerpt(body, options.secrets()) || '(empty)'}`,
        {
          ...contextOf(exchange),
          status: 200,
          ...(cause === undefined ? {} : { cause }),
          hint: `is ${options.baseUrl} the ERP's RPC endpoint? check connectors.${options.connector}.baseUrl and .protocol`,
        },
      );
    if (json) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch (cause) {
        throw unreadable('is not JSON', cause);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw unreadable('is not a JSON-RPC object');
      if ('error' in parsed && parsed.error !== null && parsed.error !== undefined) {
        return { kind: 'json-error', error: parsed.error };
      }
      if (!('result' in parsed)) throw unreadable('has neither result nor error');
      return { kind: 'result', value: parsed.result };
    }
    try {
      const response = decodeXmlRpcResponse(body);
      return response.kind === 'result'
        ? { kind: 'result', value: response.value }
        : { kind: 'xml-fault', code: response.code, message: response.message };
    } catch (cause) {
      if (!(cause instanceof XmlRpcCodecError)) throw cause;
      throw unreadable(`is not XML-RPC (${cause.message})`, cause);
    }
  };

  const send = async (exchange: RpcExchange): Promise<RpcReply> => {
    if (closing !== undefined) {
      throw new ErpError('permanent', `connection ${options.connector} is closed`, contextOf(exchange));
    }
    const body = encode(exchange);
    const { signal } = exchange;
    const deadline = exchangeDeadline(signal, options.timeoutMs);
    let status: number;
    let headers: Record<string, string | string[] | undefined>;
    let text: string;
    try {
      const response = await pool.request({
        path: `${basePath}${exchange.path}`,
        method: 'POST',
        headers: {
          'content-type': json ? 'application/json' : 'text/xml',
          accept: json ? 'application/json' : 'text/xml',
          'user-agent': 'erpbridge',
          ...exchange.headers,
        },
        body,
        signal: deadline.signal,
      });
      text = await response.body.text();
      status = response.statusCode;
      headers = response.headers;
    } catch (cause) {
      if (deadline.timedOut) {
        throw new ErpError(
          'transient',
          `${exchange.method} at ${urlOf(exchange.path)} did not finish within ${options.timeoutMs} ms`,
          {
            ...contextOf(exchange),
            cause,
            hint: `the ERP is slow or hanging; raise connectors.${options.connector}.timeoutMs if it is just slow`,
          },
        );
      }
      if (signal?.aborted) throw signal.reason;
      const code = failureCode(cause);
      const unreachable = code === 'ECONNREFUSED' || code === 'ENOTFOUND';
      throw new ErpError(
        kindForFailureCode(code),
        `${exchange.method} at ${urlOf(exchange.path)} failed: ${redact(causeMessage(cause), options.secrets())}`,
        {
          ...contextOf(exchange),
          cause,
          ...(unreachable
            ? {
                hint: `is the ERP running at ${options.baseUrl}? check connectors.${options.connector}.baseUrl`,
              }
            : {}),
        },
      );
    } finally {
      deadline.clear();
    }
    if (status !== 200) return { kind: 'http-status', status, headers, body: text };
    return decode(exchange, text);
  };

  return {
    send,
    urlOf,
    contextOf,
    close: () => {
      closing ??= pool.close();
      return closing;
    },
  };
}
