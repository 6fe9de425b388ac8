import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRpcStruct, type RpcStruct, type RpcValue } from './rpc-values.ts';
import { decodeXmlRpcCall, encodeXmlRpcFault, encodeXmlRpcResult } from './xml-rpc-codec.ts';

/**
 * An XML-RPC server that follows Odoo's external API conventions closely enough to test the odoo
 * dialect and profile here, where Odoo itself cannot be installed: `/xmlrpc/2/common` (`version`,
 * `login` answering a uid or `false`) and `/xmlrpc/2/object` (`execute_kw(db, uid, password,
 * model, method, args, kwargs)` with `search_read`, `search_count`, `read`, `write` and two order
 * buttons), Odoo's value forms (`false` for empty, `[id, name]` many-to-ones, datetime strings,
 * floats), its fault codes (1 with a traceback, 2 UserError/ValidationError, 3 AccessDenied,
 * 4 AccessError), domains in prefix notation, and `__last_update` in the context checked against
 * `write_date` on write. It is not Odoo: no ORM, no access rules but "may this user write".
 */

/** Field types the server knows; enough for purchase orders, their lines and partners. */
export type TestOdooFieldType =
  | 'char'
  | 'text'
  | 'html'
  | 'integer'
  | 'float'
  | 'selection'
  | 'datetime'
  | 'date'
  | 'boolean'
  | 'many2one'
  | 'one2many';

export interface TestOdooField {
  type: TestOdooFieldType;
  /** many2one and one2many: the other model. */
  relation?: string;
  /** one2many: the many2one on the other model that points back. */
  inverse?: string;
  /** selection: the allowed values. */
  selection?: readonly string[];
  /** Computed on read (e.g. `amount_total`); not writable. */
  compute?: (record: TestOdooRecord, server: TestOdoo) => RpcValue;
}

/** A stored record: many-to-ones as ids (or false), everything else as Odoo sends it. */
export type TestOdooRecord = { id: number } & RpcStruct;

export interface TestOdooModel {
  /** Human name, for AccessError messages ("Purchase Order"). */
  description: string;
  fields: Record<string, TestOdooField>;
  /** The field whose value is the display name; default `name`. */
  nameField?: string;
  records: Map<number, TestOdooRecord>;
}

export interface TestOdooUser {
  login: string;
  password: string;
  uid: number;
  canWrite: boolean;
}

export interface TestOdoo {
  /** `http://127.0.0.1:<port>` */
  url: string;
  database: string;
  users: TestOdooUser[];
  models: Record<string, TestOdooModel>;
  /** How many times `common.login` was called. */
  logins: number;
  /** Every execute_kw call, in arrival order. */
  calls: { model: string; method: string; args: RpcValue[]; kwargs: RpcStruct; uid: number }[];
  /** The logical clock for `write_date`: one second per write. */
  now(): string;
  /** Sets fields as a person in Odoo would (bumps write_date). */
  edit(model: string, id: number, values: RpcStruct): void;
  close(): Promise<void>;
}

class Fault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const START = Date.UTC(2026, 10, 1, 8, 0, 0);

/** Starts the server on 127.0.0.1 and a free port with the given models and users. */
export async function startTestOdoo(options: {
  database?: string;
  users: TestOdooUser[];
  models: Record<string, TestOdooModel>;
}): Promise<TestOdoo> {
  let tick = 0;
  const now = () => new Date(START + tick * 1000).toISOString().slice(0, 19).replace('T', ' ');
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });
  const odoo: TestOdoo = {
    url: '',
    database: options.database ?? 'odoo',
    users: options.users,
    models: options.models,
    logins: 0,
    calls: [],
    now,
    edit(model, id, values) {
      const record = recordOf(model, id);
      tick++;
      Object.assign(record, values, { write_date: now() });
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };

  const modelOf = (name: string): TestOdooModel => {
    const model = Object.hasOwn(odoo.models, name) ? odoo.models[name] : undefined;
    if (model === undefined) throw new Fault(1, traceback(`KeyError: '${name}'`));
    return model;
  };
  const recordOf = (model: string, id: number): TestOdooRecord => {
    const record = modelOf(model).records.get(id);
    if (record === undefined) {
      throw new Fault(
        1,
        traceback(
          `odoo.exceptions.MissingError: Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: 2)`,
        ),
      );
    }
    return record;
  };

  /** A record as Odoo's read gives it: `false` for empty, `[id, name]` for many-to-ones. */
  const present = (modelName: string, record: TestOdooRecord, fields: readonly string[]): RpcStruct => {
    const model = modelOf(modelName);
    const names = fields.length === 0 ? ['id', ...Object.keys(model.fields)] : ['id', ...fields];
    const out: RpcStruct = {};
    for (const name of names) {
      if (name === 'id') {
        out.id = record.id;
        continue;
      }
      const field = fieldOf(modelName, name);
      const stored: RpcValue | undefined = field.compute ? field.compute(record, odoo) : record[name];
      if (field.type === 'many2one') {
        const target =
          typeof stored === 'number' ? modelOf(field.relation ?? '').records.get(stored) : undefined;
        const nameField = modelOf(field.relation ?? '').nameField ?? 'name';
        out[name] = target === undefined ? false : [target.id, String(target[nameField] ?? '')];
      } else if (field.type === 'one2many') {
        const children = modelOf(field.relation ?? '').records;
        out[name] = [...children.values()]
          .filter((child) => child[field.inverse ?? ''] === record.id)
          .map((child) => child.id);
      } else {
        out[name] = stored === undefined || stored === null ? false : stored;
      }
    }
    return out;
  };

  const fieldOf = (model: string, name: string): TestOdooField => {
    const field = Object.hasOwn(modelOf(model).fields, name) ? modelOf(model).fields[name] : undefined;
    if (field === undefined)
      throw new Fault(1, traceback(`ValueError: Invalid field '${name}' on model '${model}'`));
    return field;
  };

  const search = (model: string, domain: RpcValue, offset: number, limit: number | false, order: string) => {
    if (!Array.isArray(domain)) throw new Fault(1, traceback('ValueError: Invalid domain'));
    const matches = [...modelOf(model).records.values()].filter((record) =>
      matchesDomain(model, domain, record),
    );
    matches.sort((a, b) => a.id - b.id);
    if (/\bid desc\b/i.test(order)) matches.reverse();
    return matches.slice(offset, limit === false ? undefined : offset + limit);
  };

  const matchesDomain = (model: string, domain: readonly RpcValue[], record: TestOdooRecord): boolean => {
    let at = 0;
    const next = (): boolean => {
      const token = domain[at++];
      if (token === '&') return next() && next();
      if (token === '|') {
        const left = next();
        const right = next();
        return left || right;
      }
      if (token === '!') return !next();
      if (
        !Array.isArray(token) ||
        token.length !== 3 ||
        typeof token[0] !== 'string' ||
        typeof token[1] !== 'string'
      ) {
        throw new Fault(1, traceback(`ValueError: Invalid leaf ${JSON.stringify(token)}`));
      }
      const [name, operator, value] = token;
      const actual =
        name === 'id' ? record.id : (fieldOf(model, name).compute?.(record, odoo) ?? record[name] ?? false);
      return compare(actual, operator, value ?? false);
    };
    let result = true;
    while (at < domain.length) result = next() && result;
    return result;
  };

  const execute = (
    user: TestOdooUser,
    model: string,
    method: string,
    args: RpcValue[],
    kwargs: RpcStruct,
  ): RpcValue => {
    const context = isRpcStruct(kwargs.context) ? kwargs.context : {};
    const fieldsOf = (value: RpcValue | undefined): string[] =>
      Array.isArray(value) ? value.filter((name): name is string => typeof name === 'string') : [];
    switch (method) {
      case 'search_read': {
        const [domain = []] = args;
        const fields = fieldsOf(kwargs.fields ?? args[1]);
        for (const name of fields) if (name !== 'id') fieldOf(model, name);
        const offset = typeof kwargs.offset === 'number' ? kwargs.offset : 0;
        const limit = typeof kwargs.limit === 'number' ? kwargs.limit : false;
        const order = typeof kwargs.order === 'string' ? kwargs.order : '';
        return search(model, domain, offset, limit, order).map((record) => present(model, record, fields));
      }
      case 'search_count':
        return search(model, args[0] ?? [], 0, false, '').length;
      case 'read': {
        const ids = Array.isArray(args[0]) ? args[0] : [];
        return ids.map((id) =>
          present(model, recordOf(model, Number(id)), fieldsOf(kwargs.fields ?? args[1])),
        );
      }
      case 'write': {
        if (!user.canWrite) {
          throw new Fault(
            4,
            `You are not allowed to modify '${modelOf(model).description}' (${model}) records.\n\nThis operation is allowed for the following groups:\n\t- Purchase/User`,
          );
        }
        const ids = (Array.isArray(args[0]) ? args[0] : []).map(Number);
        const values = isRpcStruct(args[1]) ? args[1] : {};
        const lastUpdate = isRpcStruct(context.__last_update) ? context.__last_update : {};
        for (const id of ids) {
          const record = recordOf(model, id);
          const seen = lastUpdate[`${model},${id}`];
          if (typeof seen === 'string' && String(record.write_date) > seen) {
            throw new Fault(2, `A document was modified since you last viewed it (${model}:${id})`);
          }
        }
        for (const [name, value] of Object.entries(values)) {
          const field = fieldOf(model, name);
          if (field.compute !== undefined)
            throw new Fault(1, traceback(`ValueError: field ${name} is computed`));
          if (field.type === 'selection' && value !== false && !field.selection?.includes(String(value))) {
            throw new Fault(2, `Wrong value for ${model}.${name}: ${JSON.stringify(value)}`);
          }
        }
        for (const id of ids) odoo.edit(model, id, values);
        return true;
      }
      case 'button_cancel': {
        for (const id of (Array.isArray(args[0]) ? args[0] : []).map(Number)) {
          const record = recordOf(model, id);
          if (record.state === 'done') {
            throw new Fault(
              2,
              `Unable to cancel purchase order ${String(record.name)} as some receptions have already been done.`,
            );
          }
          odoo.edit(model, id, { state: 'cancel' });
        }
        return true;
      }
      default:
        throw new Fault(1, traceback(`AttributeError: type object '${model}' has no attribute '${method}'`));
    }
  };

  const common = (method: string, params: RpcValue[]): RpcValue => {
    if (method === 'version') {
      return { server_version: '17.0', server_version_info: [17, 0, 0, 'final', 0, ''], protocol_version: 1 };
    }
    if (method === 'login' || method === 'authenticate') {
      odoo.logins++;
      const [database, login, password] = params;
      checkDatabase(database);
      const user = odoo.users.find(
        (candidate) => candidate.login === login && candidate.password === password,
      );
      return user === undefined ? false : user.uid;
    }
    throw new Fault(1, traceback(`AttributeError: common has no method '${method}'`));
  };

  const checkDatabase = (database: RpcValue | undefined) => {
    if (database !== odoo.database) {
      throw new Fault(
        1,
        traceback(
          `psycopg2.OperationalError: connection to server failed: FATAL:  database "${String(database)}" does not exist`,
        ),
      );
    }
  };

  const object = (method: string, params: RpcValue[]): RpcValue => {
    if (method !== 'execute_kw')
      throw new Fault(1, traceback(`AttributeError: object has no method '${method}'`));
    const [database, uid, password, model, modelMethod, args, kwargs] = params;
    checkDatabase(database);
    const user = odoo.users.find((candidate) => candidate.uid === uid && candidate.password === password);
    if (user === undefined) throw new Fault(3, 'Access Denied');
    if (typeof model !== 'string' || typeof modelMethod !== 'string')
      throw new Fault(1, traceback('TypeError: model and method'));
    const kw = isRpcStruct(kwargs) ? kwargs : {};
    const list = Array.isArray(args) ? args : [];
    odoo.calls.push({ model, method: modelMethod, args: list, kwargs: kw, uid: user.uid });
    return execute(user, model, modelMethod, list, kw);
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(Buffer.from(chunk));
    response.setHeader('content-type', 'text/xml');
    if (request.method !== 'POST' || !['/xmlrpc/2/common', '/xmlrpc/2/object'].includes(request.url ?? '')) {
      response.statusCode = 404;
      response.end('<html><body>404 Not Found</body></html>');
      return;
    }
    try {
      const call = decodeXmlRpcCall(Buffer.concat(chunks).toString('utf8'));
      const result =
        request.url === '/xmlrpc/2/common'
          ? common(call.method, call.params)
          : object(call.method, call.params);
      response.end(encodeXmlRpcResult(result));
    } catch (error) {
      if (!(error instanceof Fault)) throw error;
      response.end(encodeXmlRpcFault(error.code, error.message));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('the test Odoo did not get a port');
  odoo.url = `http://127.0.0.1:${address.port}`;
  return odoo;
}

function compare(actual: RpcValue, operator: string, expected: RpcValue): boolean {
  const scalar = (value: RpcValue) =>
    typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean'
      ? value
      : String(value);
  switch (operator) {
    case '=':
      return scalar(actual) === scalar(expected);
    case '!=':
      return scalar(actual) !== scalar(expected);
    case 'in':
      return Array.isArray(expected) && expected.some((value) => scalar(value) === scalar(actual));
    case 'not in':
      return Array.isArray(expected) && !expected.some((value) => scalar(value) === scalar(actual));
    case '>':
      return scalar(actual) > scalar(expected);
    case '>=':
      return scalar(actual) >= scalar(expected);
    case '<':
      return scalar(actual) < scalar(expected);
    case '<=':
      return scalar(actual) <= scalar(expected);
    default:
      throw new Fault(1, traceback(`ValueError: Invalid domain operator '${operator}'`));
  }
}

/** A traceback as Odoo sends it with fault code 1: the exception on the last line. */
function traceback(last: string): string {
  return `Traceback (most recent call last):\n  File "/usr/lib/python3/dist-packages/odoo/service/model.py", line 133, in retrying\n    result = func()\n${last}\n`;
}
