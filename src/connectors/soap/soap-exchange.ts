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
  /** URL parameters the transport adds to the address node-soap sends to (SAP's `sap-sessioncmd`). */
  readonly query: Readonly<Record<string, string>> | undefined;
  /** Told of a successful answer's text as it arrives, before it is read (see `SoapCallOptions.onAnswer`). */
  readonly onAnswer: ((text: string) => void) | undefined;
  /** Reads a successful answer instead of node-soap (see `SoapCallOptions.readAnswer`). */
  readonly readAnswer: ((text: string) => unknown) | undefined;
  /** What `readAnswer` made of the answer, or what it threw. */
  read: { result: unknown } | { error: unknown } | undefined;
  request: { method: 'GET' | 'POST'; url: string; body: string } | undefined;
  /** The answer, when one came (also for 4xx/5xx). */
  answer: SoapAnswer | undefined;
  /**
   * The answer parsed by `parseXml`, when it was read that way: an error answer, or a successful
   * one node-soap could not read as a result. A result answer is read once, by node-soap.
   */
  envelope: XmlElement | undefined;
  /** True when node-soap (through erpbridge's answer reader) or the call's `readAnswer` read a SOAP Body from the answer. */
  bodyRead = false;
  /** What `onAnswer` threw: the call fails with it, as the caller's own error. */
  listenerFailure: { error: unknown } | undefined;
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
    query?: Readonly<Record<string, string>> | undefined;
    onAnswer?: ((text: string) => void) | undefined;
    readAnswer?: ((text: string) => unknown) | undefined;
  }) {
    this.timeoutMs = options.timeoutMs;
    this.query = options.query;
    this.onAnswer = options.onAnswer;
    this.readAnswer = options.readAnswer;
    this.source = options.source;
    this.signal = options.signal;
    this.renderOnly = options.renderOnly ?? false;
  }
}
