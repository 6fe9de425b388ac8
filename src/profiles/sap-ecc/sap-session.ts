import type { SoapClient } from '../../connectors/soap/index.ts';
import { ErpError } from '../../errors/index.ts';

/**
 * SAP's stateful HTTP sessions, which a BAPI write needs: BAPI_PO_CHANGE only buffers its change in
 * the caller's session (SAP's logical unit of work) and BAPI_TRANSACTION_COMMIT must run in the
 * same session to write it. A call with `?sap-sessioncmd=open` starts one and answers with the
 * cookie `SAP_SESSIONID_<SID>_<client>`; every call that sends the cookie back runs in it;
 * `?sap-sessioncmd=close` ends it after its call. Without the cookie each call is a session of its
 * own, and a change is lost at the end of its call.
 *
 * Opening and closing are calls of BAPI_TRANSACTION_ROLLBACK through the connection's SOAP client —
 * with its auth, TLS options and bounds — with the session command as a URL parameter: a rollback
 * does nothing in a fresh session and drops whatever is still buffered in one that ends.
 */

/** The call that carries the session commands. */
export const SESSION_FUNCTION = 'BAPI_TRANSACTION_ROLLBACK';

/** An open session: the Cookie header its calls carry. */
export interface SapSession {
  cookie: string;
}

/** How session commands are sent. */
export interface SessionRequest {
  client: SoapClient;
  connector: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** The session cookie's name: `SAP_SESSIONID_<SID>_<client>`. */
const SESSION_COOKIE = /^SAP_SESSIONID_[A-Z0-9]+_\d{3}$/;

/**
 * Opens a stateful session.
 *
 * @throws ErpError as the SOAP client maps the answer (`auth` for 401/403, `transient` for no
 *   answer or a 5xx, a fault's kind for a SOAP fault); `permanent` when SAP answers without a
 *   session cookie.
 */
export async function openSapSession(request: SessionRequest): Promise<SapSession> {
  const { headers } = await command(request, 'open', undefined);
  const setCookie = headers['set-cookie'];
  const lines = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  const cookies = lines
    .map((line) => line.split(';')[0]?.trim() ?? '')
    .filter((pair) => pair.includes('=') && pair.slice(pair.indexOf('=') + 1) !== '');
  if (!cookies.some((pair) => SESSION_COOKIE.test(pair.slice(0, pair.indexOf('='))))) {
    throw new ErpError(
      'permanent',
      `SAP answered sap-sessioncmd=open at ${request.client.endpoint ?? 'the endpoint'} without a session cookie (SAP_SESSIONID_<SID>_<client>)`,
      {
        connector: request.connector,
        ...(request.client.endpoint === undefined ? {} : { url: request.client.endpoint }),
        hint: 'a change must be committed in the session that made it; check that SICF allows stateful sessions for /sap/bc/soap/rfc and that no proxy drops Set-Cookie',
      },
    );
  }
  return { cookie: cookies.join('; ') };
}

/** Ends a session; whatever it still buffers is dropped. */
export async function closeSapSession(request: SessionRequest, session: SapSession): Promise<void> {
  await command(request, 'close', session.cookie);
}

function command(request: SessionRequest, name: 'open' | 'close', cookie: string | undefined) {
  return request.client.call(
    SESSION_FUNCTION,
    {},
    {
      query: { 'sap-sessioncmd': name },
      timeoutMs: request.timeoutMs,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(cookie === undefined ? {} : { headers: { cookie } }),
    },
  );
}
