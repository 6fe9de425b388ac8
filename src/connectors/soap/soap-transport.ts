import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import { HttpClient, type IExOptions, type IHeaders, type IHttpClient, type ISecurity } from 'soap';
import { parseXml, XmlError } from '../../xml/index.ts';
import { decodeBody } from './body-encoding.ts';
import { type AnswerHeaders, type SoapAnswer, SoapExchange } from './soap-exchange.ts';

/**
 * The HTTP side of the SOAP client, handed to node-soap as its `httpClient`. It has two roles:
 *
 * - **WSDL loading**: node-soap fetches documents with GET (no body). The transport answers those
 *   only from the documents erpbridge has already read and vetted (`serveDocument`); anything else
 *   is an error, never a request. Whatever node-soap's import resolution does, it cannot reach the
 *   network through here.
 * - **Calls**: node-soap POSTs the envelope it built. The transport sends it with node-soap's own
 *   axios-based HttpClient (which brings axios-ntlm for NTLM), adding what node-soap leaves out: a
 *   deadline for the whole exchange (axios' `timeout` is an idle-socket timeout), the caller's
 *   abort signal, a bound on the answer's size, no redirects, no proxy from the environment, the
 *   answer's charset, and the hardened XML check before node-soap's own parser sees the answer.
 *   What happened is recorded in the call's {@link SoapExchange}; node-soap only learns that it failed.
 */

/** Under this key `call` passes the exchange to the transport, through node-soap's method options. */
export const EXCHANGE = Symbol('erpbridge.soapExchange');

export interface SoapTransportOptions {
  /** Largest answer read, in bytes (after decompression). */
  maxResponseBytes: number;
  /** TLS options for https: a client certificate (cert/key or pfx/passphrase) and CAs. */
  tls?: HttpsAgentOptions;
  /**
   * NTLM authenticates a connection, not a request: its three messages must share one socket.
   * With this set, each exchange gets its own one-socket agents, closed when it ends.
   */
  connectionPerExchange?: boolean;
}

type Callback = (error: unknown, response?: unknown, body?: unknown) => unknown;
type Done = (error: Error | undefined, response?: unknown, text?: string) => void;

/**
 * node-soap ignores what `request` returns when it passes a callback (it always does). This promise
 * never settles, so it can never become an unhandled rejection.
 */
const IGNORED: ReturnType<IHttpClient['request']> = new Promise<never>(() => {});

/** What node-soap is told when an exchange failed; the details are in the exchange. */
class ExchangeFailed extends Error {
  override readonly name = 'ExchangeFailed';
}

export class SoapTransport implements IHttpClient {
  readonly #http = new HttpClient();
  readonly #documents = new Map<string, string>();
  readonly #options: SoapTransportOptions;
  readonly #httpAgent: HttpAgent;
  readonly #httpsAgent: HttpsAgent;
  #closed = false;

  constructor(options: SoapTransportOptions) {
    this.#options = options;
    this.#httpAgent = new HttpAgent({ keepAlive: true });
    this.#httpsAgent = new HttpsAgent({ keepAlive: true, ...options.tls });
  }

  /** Lets node-soap's WSDL loader read `text` when it asks for `url`. The text must already be vetted. */
  serveDocument(url: string, text: string): void {
    this.#documents.set(url, text);
  }

  /** node-soap's entry point: GETs come from its WSDL loader, POSTs are calls. */
  request(
    url: string,
    data: unknown,
    callback: Callback,
    headers?: IHeaders,
    options?: IExOptions,
  ): ReturnType<IHttpClient['request']> {
    if (data === null || data === undefined) {
      const text = this.#documents.get(url);
      if (text === undefined) {
        callback(new Error(`erpbridge did not vet ${url}; it is not fetched`));
      } else {
        callback(null, { status: 200, headers: {}, data: text }, text);
      }
      return IGNORED;
    }
    const exchange: unknown = options === undefined ? undefined : Reflect.get(options, EXCHANGE);
    if (!(exchange instanceof SoapExchange)) {
      callback(new Error('a SOAP request reached the transport without its exchange'));
      return IGNORED;
    }
    exchange.request = { method: 'POST', url, body: String(data) };
    if (exchange.renderOnly) {
      callback(new ExchangeFailed('rendered only, not sent'));
      return IGNORED;
    }
    this.#send(url, String(data), headers ?? {}, options ?? {}, exchange, true, (error, response, text) => {
      if (error !== undefined) callback(error);
      else callback(null, response, text);
    });
    return IGNORED;
  }

  /**
   * GETs a document (a WSDL or XSD the configuration allows) with the connection's authentication.
   * Resolves when the exchange is complete, successful or not: read the exchange.
   */
  get(url: string, exchange: SoapExchange, security: ISecurity | undefined): Promise<void> {
    exchange.request = { method: 'GET', url, body: '' };
    const headers: IHeaders = {};
    const options: IExOptions = {};
    security?.addHeaders?.(headers);
    security?.addOptions?.(options);
    return new Promise((resolve) =>
      this.#send(url, null, headers, options, exchange, false, () => resolve()),
    );
  }

  /** Closes idle connections; later exchanges fail. */
  close(): void {
    this.#closed = true;
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  #send(
    url: string,
    data: string | null,
    headers: IHeaders,
    options: IExOptions,
    exchange: SoapExchange,
    parseAnswer: boolean,
    done: Done,
  ): void {
    const { signal } = exchange;
    if (this.#closed) {
      exchange.failure = new Error('the SOAP connection is closed');
      done(new ExchangeFailed('closed'));
      return;
    }
    if (signal?.aborted) {
      exchange.failure = signal.reason;
      done(new ExchangeFailed('aborted'));
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      exchange.timedOut = true;
      controller.abort(new Error(`no answer within ${exchange.timeoutMs} ms`));
    }, exchange.timeoutMs);
    const onCallerAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    const own = this.#options.connectionPerExchange
      ? {
          http: new HttpAgent({ keepAlive: true, maxSockets: 1 }),
          https: new HttpsAgent({ keepAlive: true, maxSockets: 1, ...this.#options.tls }),
        }
      : undefined;
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
      own?.http.destroy();
      own?.https.destroy();
    };
    const requestOptions: IExOptions = {
      // String keys only: node-soap copies every option into the axios config, and the exchange stays ours.
      ...Object.fromEntries(Object.entries(options)),
      signal: controller.signal,
      maxContentLength: this.#options.maxResponseBytes,
      maxRedirects: 0,
      proxy: false,
      responseType: 'arraybuffer',
      decompress: true,
      httpAgent: options.httpAgent ?? own?.http ?? this.#httpAgent,
      httpsAgent: options.httpsAgent ?? own?.https ?? this.#httpsAgent,
    };
    try {
      this.#http.request(
        url,
        data,
        (error: unknown, response: unknown, body: unknown) => {
          finish();
          try {
            this.#record(exchange, error, response, body, parseAnswer, done);
          } catch (unexpected) {
            exchange.failure = unexpected;
            done(new ExchangeFailed('the answer could not be recorded'));
          }
        },
        headers,
        requestOptions,
      );
    } catch (thrown) {
      // axios throws synchronously for an invalid header value, before any I/O.
      finish();
      exchange.failure = thrown;
      done(new ExchangeFailed('the request could not be built'));
    }
  }

  #record(
    exchange: SoapExchange,
    error: unknown,
    response: unknown,
    body: unknown,
    parseAnswer: boolean,
    done: Done,
  ): void {
    if (error !== null && error !== undefined) {
      exchange.failure = error;
      // axios rejects non-2xx answers on the NTLM path: they are answers all the same.
      const failed = Reflect.get(Object(error), 'response');
      if (failed !== undefined) {
        exchange.answer = answerOf(failed, Reflect.get(Object(failed), 'data'));
        if (parseAnswer) this.#parse(exchange);
      }
      done(new ExchangeFailed('the HTTP exchange failed'));
      return;
    }
    const answer = answerOf(response, body);
    exchange.answer = answer;
    if (parseAnswer && !this.#parse(exchange)) {
      done(new ExchangeFailed('the answer is not readable XML'));
      return;
    }
    // node-soap reads `data` and `status` of the response it is handed; give it the decoded text.
    Reflect.set(Object(response), 'data', answer.body);
    done(undefined, response, answer.body);
  }

  /** Parses the answer with the hardened reader; false when it is XML-looking but unreadable. */
  #parse(exchange: SoapExchange): boolean {
    const text = exchange.answer?.body ?? '';
    if (!text.trimStart().startsWith('<') && !text.startsWith('\uFEFF')) return true;
    try {
      exchange.envelope = parseXml(text, {
        source: exchange.source,
        maxBytes: this.#options.maxResponseBytes,
      });
      return true;
    } catch (error) {
      if (!(error instanceof XmlError)) throw error;
      exchange.xmlError = error;
      return false;
    }
  }
}

function answerOf(response: unknown, body: unknown): SoapAnswer {
  const headers = headersOf(Reflect.get(Object(response), 'headers'));
  const status = Number(Reflect.get(Object(response), 'status'));
  const contentType = headers['content-type'];
  return {
    status: Number.isInteger(status) ? status : 0,
    headers,
    body: decodeBody(body, Array.isArray(contentType) ? contentType[0] : contentType),
  };
}

/** axios' AxiosHeaders (own properties) or a plain object, as lower-case name → value. */
function headersOf(value: unknown): AnswerHeaders {
  const headers: AnswerHeaders = {};
  if (typeof value !== 'object' || value === null) return headers;
  for (const [name, header] of Object.entries(value)) {
    if (typeof header === 'string') headers[name.toLowerCase()] = header;
    else if (typeof header === 'number') headers[name.toLowerCase()] = String(header);
    else if (Array.isArray(header)) headers[name.toLowerCase()] = header.map(String);
  }
  return headers;
}
