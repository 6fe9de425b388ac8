import { request } from 'undici';

/**
 * A bare Tryton JSON-RPC client for the tests: the seed, and "a person at the ERP" who edits a
 * record between plan and apply. Deliberately independent of `src/connectors/rpc`, so a test never
 * checks the connector with the connector: values are sent and returned exactly as Tryton's wire
 * has them (`{"__class__": "Decimal", "decimal": "0.10"}`), and any error member is thrown.
 */

/** Tryton's tagged Decimal. */
export const decimal = (digits: string) => ({ __class__: 'Decimal', decimal: digits });
/** Tryton's tagged date, from `YYYY-MM-DD`. */
export const date = (iso: string) => {
  const [year, month, day] = iso.split('-').map(Number);
  return { __class__: 'date', year, month, day };
};
/** Tryton's tagged timedelta. */
export const days = (count: number) => ({ __class__: 'timedelta', seconds: count * 86_400 });

/** A JSON-RPC error member Tryton answered with, or an HTTP status other than 200. */
export class TrytonCallError extends Error {
  override readonly name = 'TrytonCallError';
  constructor(
    message: string,
    readonly status: number,
    readonly error: unknown,
  ) {
    super(message);
  }
}

export interface TrytonClient {
  /** Logs in (once) and calls `method` with `params`; the context is the caller's to append. */
  call(method: string, params: unknown[]): Promise<unknown>;
  /** `model.<model>.<method>(...args, context)` with the company in the context. */
  model(model: string, method: string, ...args: unknown[]): Promise<unknown>;
  /** An unauthenticated call, with the raw status and body (login tests). */
  raw(method: string, params: unknown[]): Promise<{ status: number; body: string }>;
  /** The user id of this session, after the first call. */
  readonly userId: number | undefined;
}

/** A client for `username` on `url`/`database`; `context` goes with every model call. */
export function trytonClient(
  url: string,
  database: string,
  credentials: { username: string; password: string },
  context: Record<string, unknown> = {},
): TrytonClient {
  const endpoint = `${url}/${database}/`;
  let authorization: string | undefined;
  let userId: number | undefined;
  let id = 0;

  const raw = async (method: string, params: unknown[], headers: Record<string, string> = {}) => {
    const response = await request(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ id: ++id, method, params }),
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    return { status: response.statusCode, body: await response.body.text() };
  };

  const send = async (method: string, params: unknown[], headers: Record<string, string>) => {
    const answer = await raw(method, params, headers);
    if (answer.status !== 200) {
      throw new TrytonCallError(`${method}: HTTP ${answer.status}`, answer.status, answer.body);
    }
    const body: unknown = JSON.parse(answer.body);
    if (typeof body !== 'object' || body === null) throw new Error(`${method}: not a JSON-RPC answer`);
    const error: unknown = Reflect.get(body, 'error');
    if (error !== undefined && error !== null) {
      throw new TrytonCallError(`${method}: ${JSON.stringify(error)}`, 200, error);
    }
    return Reflect.get(body, 'result');
  };

  const login = async () => {
    const result = await send(
      'common.db.login',
      [credentials.username, { password: credentials.password }, 'en'],
      {},
    );
    if (!Array.isArray(result) || typeof result[0] !== 'number' || typeof result[1] !== 'string') {
      throw new Error(`login of ${credentials.username} answered ${JSON.stringify(result)}`);
    }
    userId = result[0];
    const token = Buffer.from(`${credentials.username}:${result[0]}:${result[1]}`).toString('base64');
    authorization = `Session ${token}`;
  };

  const call = async (method: string, params: unknown[]) => {
    if (authorization === undefined) await login();
    return send(method, params, { authorization: authorization ?? '' });
  };

  return {
    call,
    model: (model, method, ...args) => call(`model.${model}.${method}`, [...args, context]),
    raw: (method, params) => raw(method, params),
    get userId() {
      return userId;
    },
  };
}

/** The ids a `create` answered, checked. */
export function idsOf(result: unknown): number[] {
  if (!Array.isArray(result) || !result.every((id) => typeof id === 'number')) {
    throw new Error(`expected a list of ids, got ${JSON.stringify(result)}`);
  }
  return result;
}

/** The records a `read`/`search_read` answered, checked to be objects. */
export function recordsOf(result: unknown): Record<string, unknown>[] {
  if (!Array.isArray(result)) throw new Error(`expected a list of records, got ${JSON.stringify(result)}`);
  return result.map((record) => {
    if (typeof record !== 'object' || record === null) throw new Error('expected a record');
    return Object.fromEntries(Object.entries(record));
  });
}
