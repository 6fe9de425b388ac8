import { failureCode } from '../connectors/rest/http-errors.ts';
import type { ErpError } from '../errors/index.ts';

/**
 * Whether a failed write can be tried again without risking a second write. A write may be
 * repeated only when its failure *proves* the ERP never processed it; everything else leaves its
 * outcome unknown, and only reading the record again can tell.
 */

/**
 * Answers that refuse a request before processing it: 408 (the server never received it whole),
 * 425 (refused as too early), 429 (rate limited) and 503 (unavailable: overloaded or in
 * maintenance, answered in front of the application).
 */
const REFUSED_BEFORE_PROCESSING = new Set([408, 425, 429, 503]);

/**
 * Failure codes raised before a single byte of the request left: no connection was made. A reset
 * (ECONNRESET), a broken pipe (EPIPE) or a socket timeout may strike after the request was sent,
 * so they prove nothing.
 */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * True when `error` proves the write never took effect. Pure. Rules:
 *
 * 1. An ERP answer with status 408, 425, 429 or 503: refused before processing.
 * 2. Any other status (500, 502, 504, …): the request reached something that may have forwarded
 *    or processed it — not proven.
 * 3. No status: proven only for connection failures before sending (ECONNREFUSED, ENOTFOUND,
 *    EAI_AGAIN, UND_ERR_CONNECT_TIMEOUT) anywhere in the cause chain. Timeouts, resets and broken
 *    pipes are not proof.
 */
export function provablyNotApplied(error: ErpError): boolean {
  const { status } = error.context;
  if (status !== undefined) return REFUSED_BEFORE_PROCESSING.has(status);
  const code = failureCode(error);
  return code !== undefined && NEVER_SENT_CODES.has(code);
}
