import { ErpError, type ErrorContext } from '../../errors/index.ts';
import type { HttpAnswer } from '../rest/http-errors.ts';
import { errorForRpcStatus } from './rpc-errors.ts';

/**
 * How Odoo says no over XML-RPC, and the ErpError for each. Odoo answers `/xmlrpc/2/*` failures
 * with a fault whose code says the exception's family (odoo/addons/base/controllers/rpc.py):
 * 1 any other exception (the string is its traceback), 2 UserError and ValidationError, 3
 * AccessDenied (wrong credentials), 4 AccessError (no right on the model or record). A wrong
 * password at `common.login` is no fault at all: the answer is `false`.
 *
 * Pure functions.
 */

/** Where a call went, for the error's context and hint. */
export interface OdooCallContext extends ErrorContext {
  connector: string;
  method: string;
  url: string;
}

/** Odoo's `_check_concurrency` message, in English (the API user's language should be English). */
const CONCURRENCY_MESSAGE = /modified since you last viewed it/i;

/** The ErpError for an XML-RPC fault from Odoo. */
export function errorForOdooFault(
  code: number | string,
  message: string,
  where: OdooCallContext,
  username: string,
): ErpError {
  const config = `connectors.${where.connector}`;
  const context = { ...where, status: 200 };
  switch (Number(code)) {
    case 2:
      if (CONCURRENCY_MESSAGE.test(message)) {
        return new ErpError(
          'conflict',
          `Odoo refused the write: the record was changed by someone else after erpbridge read it (${firstLine(message)})`,
          { ...context, hint: 'read the record again and re-plan; the other edit stays' },
        );
      }
      return new ErpError('validation', `Odoo refused it: ${firstLine(message)} (UserError)`, {
        ...context,
        hint: 'Odoo names the value or rule; fix the record in Odoo or the value erpbridge sends',
      });
    case 3:
      return new ErpError('auth', `Odoo refused the credentials of "${username}" (AccessDenied)`, {
        ...context,
        hint: `check ${config}.auth.username and ${config}.auth.password (an API key works as the password)`,
      });
    case 4:
      return new ErpError(
        'auth',
        `Odoo does not allow "${username}" this: ${firstLine(message)} (AccessError)`,
        {
          ...context,
          hint: `give ${username} the access rights docs/erp/odoo.md lists`,
        },
      );
    default:
      return errorForOdooTraceback(message, context, config);
  }
}

function errorForOdooTraceback(traceback: string, context: OdooCallContext, config: string): ErpError {
  const last = lastLine(traceback);
  const database = /database "([^"]+)" does not exist/.exec(traceback);
  if (database !== null) {
    return new ErpError('permanent', `Odoo has no database "${database[1]}"`, {
      ...context,
      hint: `check ${config}.database`,
    });
  }
  const field = /Invalid field '?([^'\s]+)'? on model '?([^'\s]+)'?/.exec(traceback);
  if (field !== null) {
    return new ErpError('permanent', `Odoo's model ${field[2]} has no field "${field[1]}"`, {
      ...context,
      hint: `check the fields, filters and domain under ${config}.entities`,
    });
  }
  if (/MissingError/.test(traceback)) {
    return new ErpError('permanent', `Odoo: ${last} (MissingError)`, {
      ...context,
      hint: 'the record was deleted in Odoo',
    });
  }
  if (/SerializationFailure|could not serialize|deadlock detected|LockNotAvailable/i.test(traceback)) {
    return new ErpError('transient', `Odoo could not finish the transaction: ${last}`, {
      ...context,
      hint: 'the database was busy; trying again later may succeed',
    });
  }
  return new ErpError('permanent', `Odoo failed: ${last}`, {
    ...context,
    hint: "the server's log has the whole traceback; trying again will not help",
  });
}

/** The ErpError for an HTTP status other than 200 (a proxy, a missing endpoint, an overloaded server). */
export function errorForOdooStatus(
  answer: HttpAnswer,
  where: OdooCallContext,
  secrets: readonly string[],
  now = Date.now(),
): ErpError {
  const config = `connectors.${where.connector}`;
  return errorForRpcStatus('Odoo', answer, where, secrets, now, (kind) =>
    answer.status === 404
      ? `no XML-RPC endpoint there; check ${config}.baseUrl (the server root, without /xmlrpc)`
      : kind === 'auth'
        ? `check ${config}.auth`
        : `check ${config}.baseUrl`,
  );
}

function firstLine(text: string): string {
  const line = text.split('\n').find((part) => part.trim() !== '') ?? text;
  return line.length > 300 ? `${line.slice(0, 299)}…` : line.trim();
}

/** A traceback's last line names the exception and its message. */
function lastLine(text: string): string {
  const lines = text.split('\n').filter((part) => part.trim() !== '');
  const line = lines.at(-1) ?? text;
  return line.length > 300 ? `${line.slice(0, 299)}…` : line.trim();
}
