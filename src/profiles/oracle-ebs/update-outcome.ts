import { SoapFaultError } from '../../connectors/soap/index.ts';
import { ErpError, type ErrorContext } from '../../errors/index.ts';
import { ebsText, field } from './ebs-values.ts';

/**
 * What an UPDATE_PO_HEADER call's outcome means, as pure functions. The PL/SQL API follows the FND
 * conventions: X_RETURN_STATUS `S` success, `E` an expected (business) error, `U` an unexpected
 * one, with the text in X_MSG_DATA; and it raises ORA-20001 when P_LAST_UPDATE_DATE is not the
 * row's any more (optimistic locking), which ISG turns into a SOAP Server fault.
 */

/** Where an update went, for messages: the order's number, its PO_HEADER_ID, the connector. */
export interface UpdateTarget {
  connector: string;
  entity: string;
  /** SEGMENT1. */
  key: string;
  poHeaderId: string;
}

/** The ORA- error a fault reports first, e.g. `ORA-20001`; undefined when it names none. */
export function oracleErrorCode(message: string): string | undefined {
  return /\bORA-(\d{5})\b/.exec(message)?.[0];
}

function where(target: UpdateTarget): ErrorContext {
  return { connector: target.connector, entity: target.entity, key: target.key };
}

function subject(target: UpdateTarget): string {
  return `purchase order ${target.key} (PO_HEADER_ID ${target.poHeaderId})`;
}

/**
 * The ErpError for a failed UPDATE_PO_HEADER call:
 * - a fault whose first ORA- error is ORA-20001 → `conflict`: the order changed since it was read;
 * - ORA-00054 (the row is locked by another session, NOWAIT) → `transient`: try again shortly;
 * - anything else stays as the SOAP client classified it.
 * The message keeps Oracle's first line verbatim; the whole fault (with its ORA-06512 trace) is the cause.
 */
export function updateFailure(error: unknown, target: UpdateTarget): unknown {
  if (!(error instanceof SoapFaultError)) return error;
  const reason = error.fault.reason;
  const firstLine = reason.split('\n', 1)[0]?.trim() ?? reason;
  const code = oracleErrorCode(reason);
  const context = { ...error.context, ...where(target) };
  if (code === 'ORA-20001') {
    return new ErpError('conflict', `UPDATE_PO_HEADER refused ${subject(target)}: ${firstLine}`, {
      ...context,
      cause: error,
      hint: 'someone changed the order in EBS since erpbridge read it; re-read it and decide again',
    });
  }
  if (code === 'ORA-00054') {
    return new ErpError('transient', `UPDATE_PO_HEADER could not lock ${subject(target)}: ${firstLine}`, {
      ...context,
      cause: error,
      hint: 'another session holds the row (a buyer has the order open in a form); try again shortly',
    });
  }
  return error;
}

/**
 * Checks an UPDATE_PO_HEADER answer: nothing for `S`, an ErpError otherwise — `validation` for
 * `E` (the API refused the values: a bad priority code, an unknown id), `permanent` for `U` or
 * anything else, each with Oracle's X_MSG_DATA as written.
 */
export function returnStatusError(result: unknown, target: UpdateTarget): ErpError | undefined {
  const status = ebsText(field(result, 'X_RETURN_STATUS')).toUpperCase();
  if (status === 'S') return undefined;
  const message = ebsText(field(result, 'X_MSG_DATA')) || '(no message in X_MSG_DATA)';
  if (status === 'E') {
    return new ErpError('validation', `UPDATE_PO_HEADER refused ${subject(target)}: ${message}`, {
      ...where(target),
      hint: 'EBS rejected the values as sent (X_RETURN_STATUS E); sending them again will not help',
    });
  }
  const what = status === 'U' ? 'an unexpected error (X_RETURN_STATUS U)' : `X_RETURN_STATUS "${status}"`;
  return new ErpError('permanent', `UPDATE_PO_HEADER failed on ${subject(target)} with ${what}: ${message}`, {
    ...where(target),
    hint: 'the PL/SQL API failed inside EBS; its log (FND_LOG_MESSAGES) has the details',
  });
}
