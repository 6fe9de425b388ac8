import { STATUS_CODES } from 'node:http';
import { ErpError, type ErrorContext, type ErrorKind } from '../../errors/index.ts';
import {
  bodyExcerpt,
  type HttpAnswer,
  headerValue,
  kindForStatus,
  parseRetryAfter,
} from '../rest/http-errors.ts';
import type { RpcValue } from './rpc-values.ts';

/**
 * What the dialects' errors share: how an answer's value that cannot be read is reported, and the
 * ErpError for an HTTP status neither Tryton nor Odoo gives a meaning of its own (a proxy, an
 * overloaded server). Each dialect's own faults and statuses stay in `tryton-errors.ts` and
 * `odoo-errors.ts`. Pure functions.
 */

/** Which ERP answered, as its messages name it. */
export type RpcErp = 'Tryton' | 'Odoo';

/** `HTTP 503 Service Unavailable`, for messages. */
export function httpReason(status: number): string {
  return `HTTP ${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

/**
 * The result of an answer in RpcValues, decoded by the dialect's `fromWire`; what that refuses (a
 * TypeError naming the path) is a `permanent` ErpError: an answer we misread must never become a
 * silently wrong value.
 */
export function decodeResult(
  erp: RpcErp,
  fromWire: (value: unknown) => RpcValue,
  value: unknown,
  where: ErrorContext,
): RpcValue {
  try {
    return fromWire(value);
  } catch (cause) {
    if (!(cause instanceof TypeError)) throw cause;
    throw new ErpError('permanent', `${erp}'s answer cannot be read: ${cause.message}`, { ...where, cause });
  }
}

/**
 * The ErpError for an HTTP status other than 200 that the dialect has no rule of its own for: the
 * kind from the status (as for REST), Retry-After on 429 and 503, an excerpt of a body that is not
 * an HTML page, secrets removed. A rate limit or a server failure gets the hint both ERPs share;
 * any other kind gets `otherHint`'s.
 *
 * @param now clock for HTTP-date Retry-After values, in epoch milliseconds.
 */
export function errorForRpcStatus(
  erp: RpcErp,
  answer: HttpAnswer,
  where: ErrorContext & { connector: string },
  secrets: readonly string[],
  now: number,
  otherHint: (kind: ErrorKind) => string,
): ErpError {
  const config = `connectors.${where.connector}`;
  const { status } = answer;
  const kind = kindForStatus(status);
  const retryAfterMs =
    kind === 'rate_limited' || status === 503
      ? parseRetryAfter(headerValue(answer.headers, 'retry-after'), now)
      : undefined;
  const excerpt = answer.body.trimStart().startsWith('<') ? '' : bodyExcerpt(answer.body, secrets);
  return new ErpError(kind, `${erp} answered ${httpReason(status)}${excerpt ? `: ${excerpt}` : ''}`, {
    ...where,
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    hint:
      kind === 'rate_limited'
        ? `the server is rate limiting; lower ${config}.concurrency or wait`
        : kind === 'transient'
          ? 'the server failed or is overloaded; trying again later may succeed'
          : otherHint(kind),
  });
}
