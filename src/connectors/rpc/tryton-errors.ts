import { ErpError, type ErrorContext } from '../../errors/index.ts';
import type { HttpAnswer } from '../rest/http-errors.ts';
import { errorForRpcStatus, httpReason } from './rpc-errors.ts';

/**
 * How Tryton says no, and the ErpError for each (trytond/protocols/*.py, trytond/exceptions.py).
 * Tryton answers a failed call with HTTP 200 and a JSON `error` member (or an XML-RPC fault): the
 * exception's name and arguments for its own exceptions, `[str(exception), traceback]` for any
 * other. Authentication is the exception: a wrong password, an expired session and a lockout are
 * HTTP statuses (401, 401, 429), and a method that is not callable over RPC is a 403.
 *
 * Pure functions, tested rule by rule with the answers a real trytond 6.0 sends.
 */

/** A Tryton exception, read from either protocol. */
export type TrytonFault =
  | { exception: 'UserError'; message: string; description: string }
  | { exception: 'UserWarning'; name: string; message: string; description: string }
  | { exception: 'LoginException'; name: string; message: string }
  | { exception: 'ConcurrencyException'; message: string }
  /** Any other Python exception: KeyError, a missing search function, a locked database… */
  | { exception: 'ServerError'; message: string };

/** Where a call went and what it was about, for the error's context and hint. */
export interface TrytonCallContext extends ErrorContext {
  connector: string;
  /** The RPC method, e.g. `model.purchase.purchase.write`. */
  method: string;
  url: string;
}

/** The fault in a JSON-RPC `error` member. */
export function trytonFaultFromJson(error: unknown): TrytonFault {
  if (!Array.isArray(error)) return { exception: 'ServerError', message: textOf(error) };
  const [name, args] = error;
  const list = Array.isArray(args) ? args : [args];
  switch (name) {
    case 'UserError':
      return { exception: 'UserError', message: textOf(list[0]), description: textOf(list[1]) };
    case 'UserWarning':
      return {
        exception: 'UserWarning',
        name: textOf(list[0]),
        message: textOf(list[1]),
        description: textOf(list[2]),
      };
    case 'LoginException':
      return { exception: 'LoginException', name: textOf(list[0]), message: textOf(list[1]) };
    case 'ConcurrencyException':
      return { exception: 'ConcurrencyException', message: textOf(args) };
    default:
      // `[str(exception), traceback]`; the traceback is empty unless the server runs with --dev.
      return { exception: 'ServerError', message: textOf(name) };
  }
}

/**
 * The fault of an XML-RPC answer. Tryton sets the fault code from the exception (1 UserError,
 * 2 UserWarning, 3 LoginException, 4 ConcurrencyException, 255 anything else) and the string from
 * `str(exception)`, which is `"message - description"` for user errors and warnings.
 */
export function trytonFaultFromXml(code: number | string, message: string): TrytonFault {
  switch (Number(code)) {
    case 1: {
      const [text, description] = splitDescription(message);
      return { exception: 'UserError', message: text, description };
    }
    case 2: {
      const [text, description] = splitDescription(message);
      return { exception: 'UserWarning', name: '', message: text, description };
    }
    case 3:
      return { exception: 'LoginException', name: '', message };
    case 4:
      return { exception: 'ConcurrencyException', message };
    default:
      return { exception: 'ServerError', message };
  }
}

/** The ErpError for a Tryton exception raised by a call. */
export function errorForTrytonFault(fault: TrytonFault, where: TrytonCallContext): ErpError {
  const config = `connectors.${where.connector}`;
  switch (fault.exception) {
    case 'UserError': {
      const text = joinDescription(fault.message, fault.description);
      return new ErpError('validation', `Tryton refused it: ${text} (UserError)`, {
        ...where,
        status: 200,
        hint: 'Tryton names the value or rule; fix the record in Tryton or the value erpbridge sends',
      });
    }
    case 'UserWarning':
      return new ErpError(
        'validation',
        `Tryton asks to confirm a warning${fault.name ? ` (${fault.name})` : ''}: ${joinDescription(fault.message, fault.description)} (UserWarning)`,
        {
          ...where,
          status: 200,
          hint: 'a person must confirm this warning in the Tryton client; erpbridge never confirms warnings for them',
        },
      );
    case 'LoginException':
      return new ErpError(
        'auth',
        `Tryton asks for more than a password to log in: ${fault.message}${fault.name ? ` (parameter ${fault.name})` : ''} (LoginException)`,
        {
          ...where,
          status: 200,
          hint: `erpbridge logs in with ${config}.auth.username and password only; give that user password authentication in Tryton`,
        },
      );
    case 'ConcurrencyException':
      return new ErpError(
        'conflict',
        `Tryton refused the write: the record was changed by someone else after erpbridge read it (ConcurrencyException: ${fault.message})`,
        { ...where, status: 200, hint: 'read the record again and re-plan; the other edit stays' },
      );
    case 'ServerError':
      return errorForServerError(fault.message, where);
  }
}

function errorForServerError(message: string, where: TrytonCallContext): ErpError {
  const config = `connectors.${where.connector}`;
  const entity = where.entity === undefined ? `${config}.entities` : `${config}.entities.${where.entity}`;
  const missingSearch = /^Missing search function for field "(.+)" in "(.+)"/.exec(message);
  if (missingSearch !== null) {
    return new ErpError(
      'permanent',
      `Tryton cannot filter on field "${missingSearch[1]}" of "${missingSearch[2]}" on the server: it is computed and has no search function`,
      {
        ...where,
        status: 200,
        hint: `remove it from ${entity}.domain and filters; filter on a stored field instead, or after reading`,
      },
    );
  }
  const keyError = /^'([^']+)'$/.exec(message.trim());
  if (keyError !== null) {
    return new ErpError(
      'permanent',
      `Tryton knows no "${keyError[1]}" (KeyError): a model, field or method that does not exist on this server, or whose module is not activated`,
      { ...where, status: 200, hint: `check the model, fields, filters and domain under ${entity}` },
    );
  }
  if (/database is locked|could not serialize|deadlock detected/i.test(message)) {
    return new ErpError('transient', `Tryton could not finish the transaction: ${firstLine(message)}`, {
      ...where,
      status: 200,
      hint: 'the database was busy; trying again later may succeed',
    });
  }
  return new ErpError('permanent', `Tryton failed: ${firstLine(message)}`, {
    ...where,
    status: 200,
    hint: "the server's log has the traceback; trying again will not help",
  });
}

/** What the connection was doing when a non-200 status came back. */
export type TrytonPhase =
  | { kind: 'login'; username: string; database: string }
  /** A call with a session; `fresh` when the session was issued for this very call. */
  | { kind: 'call'; username: string; fresh: boolean };

/**
 * The ErpError for an HTTP status other than 200. Tryton answers a wrong password with 401, a
 * locked-out login with 429 (after `[session] max_attempt` failures, for `[session] timeout`
 * seconds), an unknown database with 404, a method outside `__rpc__` with 403, and a session it no
 * longer knows with 401 — which the session layer handles by logging in again before this is asked.
 *
 * @param now clock for HTTP-date Retry-After values, in epoch milliseconds.
 */
export function errorForTrytonStatus(
  answer: HttpAnswer,
  phase: TrytonPhase,
  where: TrytonCallContext,
  secrets: readonly string[],
  now = Date.now(),
): ErpError {
  const config = `connectors.${where.connector}`;
  const { status } = answer;
  const reason = httpReason(status);
  const context = { ...where, status };
  if (phase.kind === 'login') {
    if (status === 401) {
      return new ErpError(
        'auth',
        `Tryton refused the login of "${phase.username}" on database "${phase.database}": wrong username or password (${reason})`,
        { ...context, hint: `check ${config}.auth.username and ${config}.auth.password` },
      );
    }
    if (status === 429) {
      // Each further attempt is counted as another failure and keeps the lock: never retried.
      return new ErpError(
        'auth',
        `Tryton locked the login of "${phase.username}" after repeated failed attempts (${reason})`,
        {
          ...context,
          hint: `wait for Tryton's [session] timeout (300 s unless configured) before trying again, and check ${config}.auth.password; every attempt meanwhile prolongs the lock`,
        },
      );
    }
    if (status === 404) {
      return new ErpError('permanent', `Tryton has no database "${phase.database}" at ${where.url}`, {
        ...context,
        hint: `check ${config}.database and ${config}.baseUrl`,
      });
    }
  } else {
    if (status === 401) {
      return new ErpError(
        'auth',
        phase.fresh
          ? `Tryton refused the session it had just issued to "${phase.username}" (${reason})`
          : `Tryton no longer accepts the session of "${phase.username}" (${reason})`,
        { ...context, hint: `check that ${config}.auth.username may use the RPC interface` },
      );
    }
    if (status === 403) {
      return new ErpError(
        'permanent',
        `Tryton refused to run ${where.method} (${reason}): the method is not callable over RPC, or not by "${phase.username}"`,
        { ...context, hint: `check the method names under ${config}.entities (write.transitions)` },
      );
    }
  }
  return errorForRpcStatus(
    'Tryton',
    answer,
    where,
    secrets,
    now,
    () => `check ${config}.baseUrl and ${config}.database`,
  );
}

/** `"message - description"` → [message, description] (XML-RPC's `str(UserError)`). */
function splitDescription(text: string): [string, string] {
  const at = text.lastIndexOf(' - ');
  return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at + 3)];
}

function joinDescription(message: string, description: string): string {
  return description.trim() === '' ? message : `${message} ${description}`;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

function firstLine(text: string): string {
  const line = text.split('\n').find((part) => part.trim() !== '') ?? text;
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
