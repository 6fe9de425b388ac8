import type { XmlElement, XmlError } from '../../xml/index.ts';

/** Response headers with lower-case names. */
export type AnswerHeaders = Record<string, string | string[] | undefined>;

/** An HTTP answer, body decoded to text. */
export interface SoapAnswer {
  status: number;
  headers: AnswerHeaders;
  body: string;
}

/**
 * One request and its answer as they went over the wire. The SOAP client creates it per call, the
 * transport fills it, and the error mapping reads it — rather than node-soap's own errors, whose
 * shape depends on which of its code paths failed. A class, so the transport can recognise it
 * among the options node-soap passes through.
 */
export class SoapExchange {
  /** Bound on the whole exchange, NTLM handshake included. */
  readonly timeoutMs: number;
  /** The caller's signal; its abort ends the exchange. */
  readonly signal: AbortSignal | undefined;
  /** Build the request, send nothing: how `renderRequest` gets the envelope. */
  readonly renderOnly: boolean;
  /** What the answer is, for messages: `the answer of GetOrder`. */
  readonly source: string;
  request: { method: 'GET' | 'POST'; url: string; body: string } | undefined;
  /** The answer, when one came (also for 4xx/5xx). */
  answer: SoapAnswer | undefined;
  /** The answer parsed by the hardened XML reader, when it was XML. */
  envelope: XmlElement | undefined;
  /** Why the answer could not be read as XML: a DTD, not well-formed, too large. */
  xmlError: XmlError | undefined;
  /** The HTTP client's failure: no connection, reset, cancelled, over the size bound… */
  failure: unknown;
  /** True when the exchange was cut off by `timeoutMs`. */
  timedOut = false;

  constructor(options: {
    timeoutMs: number;
    source: string;
    signal?: AbortSignal | undefined;
    renderOnly?: boolean;
  }) {
    this.timeoutMs = options.timeoutMs;
    this.source = options.source;
    this.signal = options.signal;
    this.renderOnly = options.renderOnly ?? false;
  }
}
