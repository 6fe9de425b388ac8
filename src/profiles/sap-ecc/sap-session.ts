import { faultKind, faultMessage, soapFaultOf } from '../../connectors/soap/index.ts';
import { ErpError, type ErrorKind } from '../../errors/index.ts';
import { parseXml, XmlError } from '../../xml/index.ts';

/**
 * SAP's stateful HTTP sessions, which a BAPI write needs: BAPI_PO_CHANGE only buffers its change in
 * the caller's session (SAP's logical unit of work) and BAPI_TRANSACTION_COMMIT must run in the
 * same session to write it. A call with `?sap-sessioncmd=open` starts one and answers with the
 * cookie `SAP_SESSIONID_<SID>_<client>`; every call that sends the cookie back runs in it;
 * `?sap-sessioncmd=close` ends it after its call. Without the cookie each call is a session of its
 * own, and a change is lost at the end of its call.
 *
 * Opening and closing go through `fetch` because they need a URL parameter and the answer's
 * `Set-Cookie`, and the SOAP client offers neither (`SoapCallOptions` has no query, `SoapCallResult`
 * no headers): the call made is BAPI_TRANSACTION_ROLLBACK, which does nothing in a fresh session
 * and drops whatever is still buffered in one that ends. These two requests carry no credentials
 * (the binding cannot see the connection's auth) — fine for the sandbox, to be moved into the SOAP
 * client for a real SAP.
 */

/** The largest answer read to a session command: a ROLLBACK answer or a fault is a few KB. */
const MAX_ANSWER_BYTES = 256 * 1024;

/** How a session request is sent: the RFC-SOAP endpoint and the rendered ROLLBACK envelope. */
export interface SessionRequest {
  connector: string;
  /** The RFC-SOAP endpoint, e.g. `http://sap:8000/sap/bc/soap/rfc?sap-client=100`. */
  endpoint: string;
  /** BAPI_TRANSACTION_ROLLBACK's envelope, as the SOAP client renders it. */
  envelope: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** An open session: the Cookie header its calls carry. */
export interface SapSession {
  cookie: string;
}

/** The session cookie's name: `SAP_SESSIONID_<SID>_<client>`. */
const SESSION_COOKIE = /^SAP_SESSIONID_[A-Z0-9]+_\d{3}$/;

/**
 * Opens a stateful session.
 *
 * @throws ErpError: `auth` for 401/403, `transient` for no answer or a 5xx, the fault's kind for a
 *   SOAP fault, `permanent` when SAP answers without a session cookie.
 */
export async function openSapSession(request: SessionRequest): Promise<SapSession> {
  const response = await post(request, 'open', undefined);
  const cookies = response.setCookies
    .map((line) => line.split(';')[0]?.trim() ?? '')
    .filter((pair) => pair.includes('=') && pair.slice(pair.indexOf('=') + 1) !== '');
  if (!cookies.some((pair) => SESSION_COOKIE.test(pair.slice(0, pair.indexOf('='))))) {
    throw new ErpError(
      'permanent',
      `SAP answered sap-sessioncmd=open at ${response.url} without a session cookie (SAP_SESSIONID_<SID>_<client>)`,
      {
        connector: request.connector,
        url: response.url,
        hint: 'a change must be committed in the session that made it; check that SICF allows stateful sessions for /sap/bc/soap/rfc and that no proxy drops Set-Cookie',
      },
    );
  }
  return { cookie: cookies.join('; ') };
}

/** Ends a session; whatever it still buffers is dropped. */
export async function closeSapSession(request: SessionRequest, session: SapSession): Promise<void> {
  await post(request, 'close', session.cookie);
}

async function post(
  request: SessionRequest,
  command: 'open' | 'close',
  cookie: string | undefined,
): Promise<{ url: string; setCookies: string[] }> {
  const url = new URL(request.endpoint);
  url.searchParams.set('sap-sessioncmd', command);
  const shown = url.toString();
  const where = { connector: request.connector, url: shown, method: 'POST' };
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal === undefined ? timeout : AbortSignal.any([request.signal, timeout]);
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        soapaction: '"urn:sap-com:document:sap:rfc:functions:BAPI_TRANSACTION_ROLLBACK"',
        ...(cookie === undefined ? {} : { cookie }),
      },
      body: request.envelope,
    });
    body = await boundedText(response);
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    const reason = timeout.aborted ? `no answer within ${request.timeoutMs} ms` : describe(error);
    throw new ErpError('transient', `sap-sessioncmd=${command} at ${shown} failed: ${reason}`, {
      ...where,
      cause: error,
    });
  }
  if (response.status === 200) return { url: shown, setCookies: response.headers.getSetCookie() };
  const fault = faultOf(body);
  const kind: ErrorKind =
    response.status === 401 || response.status === 403
      ? 'auth'
      : response.status === 429
        ? 'rate_limited'
        : fault !== undefined && response.status === 500
          ? faultKind(fault)
          : response.status >= 500
            ? 'transient'
            : 'permanent';
  const text = fault === undefined ? `HTTP ${response.status}` : faultMessage(fault);
  throw new ErpError(kind, `sap-sessioncmd=${command} at ${shown} was refused: ${text}`, {
    ...where,
    status: response.status,
    ...(kind === 'auth'
      ? { hint: 'the session requests carry no credentials yet (see src/profiles/sap-ecc/sap-session.ts)' }
      : {}),
  });
}

function faultOf(body: string): ReturnType<typeof soapFaultOf> {
  try {
    return soapFaultOf(parseXml(body, { source: 'the session answer', maxBytes: MAX_ANSWER_BYTES }));
  } catch (error) {
    if (error instanceof XmlError) return undefined;
    throw error;
  }
}

/** The answer's text, at most {@link MAX_ANSWER_BYTES}; the rest is not read. */
async function boundedText(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_ANSWER_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
