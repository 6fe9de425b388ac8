/**
 * SOAP 1.1 envelopes: reading a request's header and body, and writing answers and faults. All
 * three ERPs imitated here speak SOAP 1.1 (SAP's RFC-SOAP runtime, Oracle's SOA Suite and ISG,
 * and AX 2012's BasicHttpBinding); a SOAP 1.2 envelope is a VersionMismatch fault, as a 1.1 server
 * answers it. Each ERP writes its envelope with its own prefix, as the real ones do.
 */
import { childNamed, parseXmlDocument, type XmlElement, XmlRefusal } from './xml-document.ts';
import { element, fragment, type Markup } from './xml-writer.ts';

export const SOAP11_NAMESPACE = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NAMESPACE = 'http://www.w3.org/2003/05/soap-envelope';

/** A SOAP request: its header (null when absent) and the single element of its body. */
export interface SoapRequest {
  header: XmlElement | null;
  body: XmlElement;
}

/** The SOAP 1.1 fault codes. */
export type SoapFaultCode = 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand';

/** A SOAP fault to send, with its HTTP status (500 for SOAP 1.1 faults unless HTTP itself failed). */
export interface SoapFault {
  code: SoapFaultCode;
  message: string;
  status: number;
  /** The content of `<detail>`, or null for none. */
  detail: Markup | null;
}

/** Builds a fault; `status` defaults to 500, as SOAP 1.1 over HTTP requires. */
export function soapFault(
  code: SoapFaultCode,
  message: string,
  detail: Markup | null = null,
  status = 500,
): SoapFault {
  return { code, message, status, detail };
}

/** Whether a value is a {@link SoapFault} (rather than whatever else a function returns instead). */
export function isSoapFault(value: object): value is SoapFault {
  return 'code' in value && 'status' in value && 'detail' in value;
}

/** How an ERP writes its envelopes: `soap-env` (SAP), `env` (Oracle), `s` (WCF). */
export interface EnvelopeStyle {
  prefix: string;
  /** `xml:lang` of `faultstring`, or undefined for none. */
  faultLanguage?: string;
}

/** The outcome of reading a request body. */
export type SoapRequestRead = { kind: 'request'; request: SoapRequest } | { kind: 'fault'; fault: SoapFault };

/**
 * Reads a SOAP 1.1 request. A DTD, an entity reference, malformed XML, a SOAP 1.2 envelope, or a
 * body without exactly one element is a fault, never an exception.
 */
export function readSoapRequest(text: string): SoapRequestRead {
  let root: XmlElement;
  try {
    root = parseXmlDocument(text);
  } catch (error) {
    if (error instanceof XmlRefusal) {
      return { kind: 'fault', fault: soapFault('Client', `The request was refused: ${error.message}`) };
    }
    throw error;
  }
  if (root.local !== 'Envelope' || root.namespace !== SOAP11_NAMESPACE) {
    if (root.local === 'Envelope' && root.namespace === SOAP12_NAMESPACE) {
      return {
        kind: 'fault',
        fault: soapFault('VersionMismatch', 'Only SOAP 1.1 envelopes are accepted at this endpoint.'),
      };
    }
    return {
      kind: 'fault',
      fault: soapFault(
        root.local === 'Envelope' ? 'VersionMismatch' : 'Client',
        `Expected a SOAP 1.1 Envelope (${SOAP11_NAMESPACE}), got <${root.local}> in "${root.namespace}".`,
      ),
    };
  }
  const body = childNamed(root, 'Body', SOAP11_NAMESPACE);
  if (body === null) return { kind: 'fault', fault: soapFault('Client', 'The envelope has no Body.') };
  if (body.children.length !== 1 || body.children[0] === undefined) {
    return {
      kind: 'fault',
      fault: soapFault('Client', `The Body must hold exactly one element; it holds ${body.children.length}.`),
    };
  }
  const header = childNamed(root, 'Header', SOAP11_NAMESPACE);
  return { kind: 'request', request: { header, body: body.children[0] } };
}

/** A whole SOAP 1.1 envelope around `body` (and `header`, when given). */
export function soapEnvelope(style: EnvelopeStyle, body: Markup, header: Markup | null = null): string {
  const { prefix } = style;
  const parts = [
    ...(header === null ? [] : [element(`${prefix}:Header`, header)]),
    element(`${prefix}:Body`, body),
  ];
  return `<?xml version="1.0" encoding="utf-8"?>${
    element(`${prefix}:Envelope`, fragment(parts), { [`xmlns:${prefix}`]: SOAP11_NAMESPACE }).xml
  }`;
}

/** A SOAP 1.1 fault envelope. */
export function soapFaultEnvelope(style: EnvelopeStyle, fault: SoapFault): string {
  const { prefix } = style;
  const parts = [
    element('faultcode', `${prefix}:${fault.code}`),
    element('faultstring', fault.message, { 'xml:lang': style.faultLanguage }),
    ...(fault.detail === null ? [] : [element('detail', fault.detail)]),
  ];
  return soapEnvelope(style, element(`${prefix}:Fault`, fragment(parts)));
}

/** The media type of SOAP 1.1 answers. */
export const SOAP11_CONTENT_TYPE = 'text/xml; charset=utf-8';
