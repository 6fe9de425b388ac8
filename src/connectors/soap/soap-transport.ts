import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import { HttpClient, type IExOptions, type IHeaders, type IHttpClient, type ISecurity } from 'soap';
import { parseXml, refuseMarkupDeclarations, refuseOversized, XmlError } from '../../xml/index.ts';
import { exchangeDeadline } from '../rest/exchange-deadline.ts';
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
 *   answer's charset. A successful answer is screened cheaply (size, no DTD markup) and then read
 *   once: by the call's `readAnswer` when it brings one, else by node-soap through erpbridge's
 *   answer reader (`answer-reader.ts`, hardened); an error
 *   answer (4xx/5xx, a few KB) is parsed with `parseXml` here, for its fault. What happened is
 *   recorded in the call's {@link SoapExchange}; node-soap only learns that it failed.
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
   * With this set, each exchange runs on a connection of its own (one-socket agents), lent to one
   * exchange at a time and kept for the next: a connection NTLM has authenticated stays
   * authenticated, so later calls on it need no handshake. A failed exchange's connection is closed.
   */
  connectionPerExchange?: boolean;
}

type Callback = (error: unknown, response?: unknown, body?: unknown) => unknown;

/** One connection's agents (one socket each), for NTLM. */
interface Lane {
  http: HttpAgent;
  https: HttpsAgent;
}

/** Idle NTLM connections kept at most: as many as calls a binding keeps in flight, and some. */
const MAX_IDLE_LANES = 8;

function destroyLane(lane: Lane): void {
  lane.http.destroy();
  lane.https.destroy();
}
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
  /** Idle one-socket connections, for `connectionPerExchange` (NTLM). */
  readonly #lanes: Lane[] = [];
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
    const target = exchange.query === undefined ? url : withQuery(url, exchange.query);
    exchange.request = { method: 'POST', url: target, body: String(data) };
    if (exchange.renderOnly) {
      callback(new ExchangeFailed('rendered only, not sent'));
      return IGNORED;
    }
    this.#send(
      target,
      String(data),
      headers ?? {},
      options ?? {},
      exchange,
      true,
      (error, response, text) => {
        if (error !== undefined) callback(error);
        else callback(null, response, text);
      },
    );
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
    for (const lane of this.#lanes.splice(0)) destroyLane(lane);
  }

  /** A connection of its own for one exchange: an idle authenticated one, or a new one. */
  #lane(): Lane {
    return (
      this.#lanes.pop() ?? {
        http: new HttpAgent({ keepAlive: true, maxSockets: 1 }),
        https: new HttpsAgent({ keepAlive: true, maxSockets: 1, ...this.#options.tls }),
      }
    );
  }

  /** Gives a lane back after its exchange: kept when it went well, closed otherwise. */
  #release(lane: Lane, healthy: boolean): void {
    if (healthy && !this.#closed && this.#lanes.length < MAX_IDLE_LANES) this.#lanes.push(lane);
    else destroyLane(lane);
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
    const deadline = exchangeDeadline(signal, exchange.timeoutMs);
    const own = this.#options.connectionPerExchange ? this.#lane() : undefined;
    const finish = (healthy: boolean) => {
      deadline.clear();
      exchange.timedOut = deadline.timedOut;
      if (own !== undefined) this.#release(own, healthy && !deadline.signal.aborted);
    };
    const requestOptions: IExOptions = {
      // String keys only: node-soap copies every option into the axios config, and the exchange stays ours.
      ...Object.fromEntries(Object.entries(options)),
      signal: deadline.signal,
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
          finish(error === null || error === undefined);
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
      finish(false);
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
        if (parseAnswer) readEnvelope(exchange, this.#options.maxResponseBytes);
      }
      done(new ExchangeFailed('the HTTP exchange failed'));
      return;
    }
    const answer = answerOf(response, body);
    exchange.answer = answer;
    if (parseAnswer && answer.status >= 200 && answer.status < 300) {
      if (!this.#screen(exchange)) {
        done(new ExchangeFailed('the answer is not readable XML'));
        return;
      }
      if (exchange.onAnswer !== undefined) {
        try {
          exchange.onAnswer(answer.body);
        } catch (error) {
          exchange.listenerFailure = { error };
          done(new ExchangeFailed('the answer listener failed'));
          return;
        }
      }
      const { readAnswer } = exchange;
      if (readAnswer !== undefined) {
        // The caller reads the answer; node-soap only learns that the exchange is over.
        const read = () => {
          try {
            exchange.read = { result: readAnswer(answer.body) };
          } catch (error) {
            exchange.read = { error };
          }
          done(new ExchangeFailed('the answer was read by the caller'));
        };
        if (exchange.onAnswer === undefined) read();
        else setImmediate(read);
        return;
      }
      if (exchange.onAnswer !== undefined) {
        // node-soap reads the answer in the next turn: what the listener started (the next page's
        // request) goes out first, so the ERP prepares it while this answer is read.
        Reflect.set(Object(response), 'data', answer.body);
        setImmediate(() => done(undefined, response, answer.body));
        return;
      }
    } else if (parseAnswer) {
      readEnvelope(exchange, this.#options.maxResponseBytes);
      if (exchange.xmlError !== undefined) {
        done(new ExchangeFailed('the answer is not readable XML'));
        return;
      }
    }
    // node-soap reads `data` and `status` of the response it is handed; give it the decoded text.
    Reflect.set(Object(response), 'data', answer.body);
    done(undefined, response, answer.body);
  }

  /**
   * The cheap checks of a successful answer before node-soap reads it: the size bound and no DTD
   * markup, by one scan. False (with `xmlError`) when it fails them.
   */
  #screen(exchange: SoapExchange): boolean {
    const text = exchange.answer?.body ?? '';
    try {
      refuseOversized(text, { maxBytes: this.#options.maxResponseBytes, source: exchange.source });
      const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      refuseMarkupDeclarations(withoutBom, 0, exchange.source);
      return true;
    } catch (error) {
      if (!(error instanceof XmlError)) throw error;
      exchange.xmlError = error;
      return false;
    }
  }
}

/**
 * Parses the exchange's answer with the hardened reader (`parseXml`) into `envelope`, or records
 * why it cannot be read in `xmlError`. Text that does not look like XML is left alone. For error
 * answers, and for a successful answer node-soap could not read as a result: to say what it is.
 */
export function readEnvelope(exchange: SoapExchange, maxBytes: number): void {
  if (exchange.envelope !== undefined || exchange.xmlError !== undefined) return;
  const text = exchange.answer?.body ?? '';
  if (!text.trimStart().startsWith('<') && !text.startsWith('\uFEFF')) return;
  try {
    exchange.envelope = parseXml(text, { source: exchange.source, maxBytes });
  } catch (error) {
    if (!(error instanceof XmlError)) throw error;
    exchange.xmlError = error;
  }
}

/** `url` with `query`'s parameters set (replacing any of the same name). */
function withQuery(url: string, query: Readonly<Record<string, string>>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  return target.toString();
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
