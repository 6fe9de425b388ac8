import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import { TLSSocket } from 'node:tls';

/**
 * A tiny SOAP server for the SOAP client's tests, on 127.0.0.1 and a free port: it records every
 * request and answers with whatever the test says — a canned envelope, a fault, a status, a page
 * of HTML, silence. Not the sandbox (whose SOAP personalities are built elsewhere): just enough
 * to exercise the client over a real socket.
 */

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The client certificate's subject CN, on an https server that asked for one. */
  clientCertificate: string | undefined;
}

/** What to answer: a status, headers and body; `hang` never answers; `destroy` drops the connection. */
export type Reply =
  | { status?: number; headers?: Record<string, string | string[]>; body?: string | Buffer }
  | 'hang'
  | 'destroy';

export interface TestSoapServer {
  /** `http://127.0.0.1:<port>` (or https). */
  url: string;
  requests: RecordedRequest[];
  /** How the next requests are answered; the default answers 500 "no reply configured". */
  reply(handler: (request: RecordedRequest) => Reply | Promise<Reply>): void;
  close(): Promise<void>;
}

export async function startTestSoapServer(
  options: { tls?: HttpsServerOptions } = {},
): Promise<TestSoapServer> {
  const requests: RecordedRequest[] = [];
  let handler: (request: RecordedRequest) => Reply | Promise<Reply> = () => ({
    status: 500,
    body: 'no reply configured',
  });
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const peer = request.socket instanceof TLSSocket ? request.socket.getPeerCertificate() : undefined;
      const commonName = peer?.subject?.CN;
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        clientCertificate: Array.isArray(commonName) ? commonName[0] : commonName,
      };
      requests.push(recorded);
      void Promise.resolve(handler(recorded)).then((reply) => answer(response, reply));
    });
  };
  const server: Server =
    options.tls === undefined ? createHttpServer(listener) : createHttpsServer(options.tls, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the test SOAP server has no port');
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${address.port}`,
    requests,
    reply: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(response: ServerResponse, reply: Reply): void {
  if (reply === 'hang') return;
  if (reply === 'destroy') {
    response.socket?.destroy();
    return;
  }
  response.writeHead(reply.status ?? 200, { 'content-type': 'text/xml; charset=utf-8', ...reply.headers });
  response.end(reply.body ?? '');
}

/** A SOAP envelope around `body`. */
export function soapEnvelope(body: string, version: '1.1' | '1.2' = '1.1'): string {
  const namespace =
    version === '1.1'
      ? 'http://schemas.xmlsoap.org/soap/envelope/'
      : 'http://www.w3.org/2003/05/soap-envelope';
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${namespace}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

/** A SOAP 1.1 fault envelope. */
export function soapFault11(code: string, text: string, detail = ''): string {
  return soapEnvelope(
    `<soap:Fault><faultcode>${code}</faultcode><faultstring xml:lang="en-US">${text}</faultstring>${detail === '' ? '' : `<detail>${detail}</detail>`}</soap:Fault>`,
  );
}

/** A SOAP 1.2 fault envelope. */
export function soapFault12(code: string, text: string, subcode?: string): string {
  const sub = subcode === undefined ? '' : `<soap:Subcode><soap:Value>${subcode}</soap:Value></soap:Subcode>`;
  return soapEnvelope(
    `<soap:Fault><soap:Code><soap:Value>${code}</soap:Value>${sub}</soap:Code><soap:Reason><soap:Text xml:lang="en">${text}</soap:Text></soap:Reason></soap:Fault>`,
    '1.2',
  );
}

/** The AifFault detail Dynamics AX 2012 sends, with these infolog messages (type, text). */
export function aifFaultDetail(infolog: readonly [type: string, message: string][]): string {
  const messages = infolog
    .map(
      ([type, message]) =>
        `<b:InfologMessage><b:InfologMessageType>${type}</b:InfologMessageType><b:Message>${message}</b:Message></b:InfologMessage>`,
    )
    .join('');
  return `<AifFault xmlns="http://schemas.microsoft.com/dynamics/2008/01/documents/Fault" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><CustomDetailXml i:nil="true"/><FaultMessageListArray i:nil="true"/><InfologMessageList xmlns:b="http://schemas.datacontract.org/2004/07/Microsoft.Dynamics.AX.Framework.Services">${messages}</InfologMessageList><StackTrace i:nil="true"/><XppExceptionType>Error</XppExceptionType></AifFault>`;
}
