/**
 * The contract every SOAP personality implements: services at paths, each with its operations and
 * its WSDL. The routes (soap-routes.ts) do the HTTP, the faults and the request log; a service only
 * turns a parsed request into an answer, synchronously, against the sandbox's database.
 */
import type { RequestKind } from '../fault-config.ts';
import type { Personality, WindowsAccount } from './personality.ts';
import type { EnvelopeStyle, SoapFault, SoapRequest } from './soap-envelope.ts';
import type { XmlElement } from './xml-document.ts';
import type { Markup } from './xml-writer.ts';

/** One call as an operation sees it. */
export interface SoapCall {
  request: SoapRequest;
  /** The query string, first value of each parameter. */
  query: Readonly<Record<string, string>>;
  /** The request's cookies by name. */
  cookies: ReadonlyMap<string, string>;
}

/** What a call answers: an envelope body (and header), or a fault. */
export type SoapAnswer =
  | { kind: 'body'; body: Markup; header: Markup | null }
  | { kind: 'fault'; fault: SoapFault };

/** An operation's result, with what the request log records about it. */
export interface SoapResult {
  answer: SoapAnswer;
  /** True only when the call changed a purchase order in the database. */
  applied: boolean;
  /** The PO number (as `/api` writes it) the call concerned, when it concerned exactly one. */
  poNumber: string | null;
  /** `Set-Cookie` values to send. */
  setCookies: readonly string[];
}

/** A SOAP operation: a name, whether faults treat it as a read or a write, and its handler. */
export interface SoapOperation {
  name: string;
  kind: RequestKind;
  handle(call: SoapCall): SoapResult;
}

/** A SOAP service at one path. */
export interface SoapService {
  /** The service's name, as its WSDL calls it. */
  name: string;
  /** The endpoint path (POST), also answering `GET <path>?wsdl`. */
  path: string;
  style: EnvelopeStyle;
  /** The names of its operations, as the WSDL lists them. */
  operations: readonly string[];
  /** The operation a body element asks for, or the fault for one the service does not know. */
  dispatch(body: XmlElement): SoapOperation | SoapFault;
  /** The WSDL for this request (its `baseUrl` and query), or null when the query names nothing known. */
  wsdl(baseUrl: string, query: Readonly<Record<string, string>>): string | null;
  /** Where the service publishes its WSDL. */
  wsdlUrl(baseUrl: string): string;
  /** Other GET paths that serve the WSDL (SAP's `/sap/bc/soap/wsdl11?services=...`). */
  wsdlPaths: readonly string[];
}

/** How a personality authenticates its callers. */
export type SoapAuthentication = { kind: 'none' } | { kind: 'ntlm'; account: WindowsAccount };

/** A personality: its services and how callers authenticate. */
export interface SoapPersonality {
  name: Personality;
  services: readonly SoapService[];
  authentication: SoapAuthentication;
}

/** A result that answers with `body` and records nothing special. */
export function bodyResult(
  body: Markup,
  details: {
    applied?: boolean;
    poNumber?: string | null;
    header?: Markup | null;
    setCookies?: string[];
  } = {},
): SoapResult {
  return {
    answer: { kind: 'body', body, header: details.header ?? null },
    applied: details.applied ?? false,
    poNumber: details.poNumber ?? null,
    setCookies: details.setCookies ?? [],
  };
}

/** A result that answers with a fault. */
export function faultResult(fault: SoapFault, poNumber: string | null = null): SoapResult {
  return { answer: { kind: 'fault', fault }, applied: false, poNumber, setCookies: [] };
}
