import type { ErrorKind } from '../../errors/index.ts';
import {
  childAt,
  childNamed,
  childrenNamed,
  localName,
  textOf,
  type XmlElement,
  type XmlValue,
} from '../../xml/index.ts';
import { type AifFault, aifFaultOf, aifMessage } from './aif-fault.ts';

/**
 * SOAP faults, 1.1 and 1.2, read from an answer parsed with prefixes stripped.
 *
 *   1.1: <Fault><faultcode>s:Client</faultcode><faultstring>…</faultstring><faultactor/><detail/></Fault>
 *   1.2: <Fault><Code><Value>env:Sender</Value><Subcode><Value>…</Value></Subcode></Code>
 *          <Reason><Text xml:lang="en">…</Text></Reason><Detail/></Fault>
 */
export interface SoapFault {
  version: '1.1' | '1.2';
  /** faultcode, or Code/Value, as written: `s:Client`, `env:Sender`. */
  code: string;
  /** SOAP 1.2 Subcode values, outermost first; WCF puts `a:InvalidSecurity` there. */
  subcodes: string[];
  /** faultstring, or the first Reason/Text, verbatim. */
  reason: string;
  /** faultactor / Role, when given. */
  actor: string | undefined;
  /** The detail element (`detail` in 1.1, `Detail` in 1.2), as parsed. */
  detail: XmlValue | undefined;
  /** The Dynamics AX AIF fault in the detail, when there is one. */
  aif: AifFault | undefined;
}

/** The fault in a parsed SOAP envelope, or undefined when its Body holds none. Pure. */
export function soapFaultOf(envelope: XmlElement): SoapFault | undefined {
  const fault = childAt(envelope, 'Envelope', 'Body', 'Fault');
  if (fault === undefined) return undefined;
  const code = childNamed(fault, 'Code');
  if (code !== undefined || childNamed(fault, 'Reason') !== undefined) {
    const detail = childNamed(fault, 'Detail');
    return {
      version: '1.2',
      code: (textOf(childNamed(code, 'Value')) ?? '').trim(),
      subcodes: subcodesOf(code),
      reason: textOf(childrenNamed(childNamed(fault, 'Reason'), 'Text')[0]) ?? '',
      actor: textOf(childNamed(fault, 'Role')),
      detail,
      aif: aifFaultOf(detail),
    };
  }
  const detail = childNamed(fault, 'detail');
  return {
    version: '1.1',
    code: (textOf(childNamed(fault, 'faultcode')) ?? '').trim(),
    subcodes: [],
    reason: textOf(childNamed(fault, 'faultstring')) ?? '',
    actor: textOf(childNamed(fault, 'faultactor')),
    detail,
    aif: aifFaultOf(detail),
  };
}

function subcodesOf(code: XmlValue | undefined): string[] {
  const values: string[] = [];
  for (
    let subcode = childNamed(code, 'Subcode');
    subcode !== undefined;
    subcode = childNamed(subcode, 'Subcode')
  ) {
    const value = textOf(childNamed(subcode, 'Value'))?.trim();
    if (value) values.push(value);
  }
  return values;
}

/**
 * The message an ErpError for this fault carries: for an AIF fault, the infolog joined; otherwise
 * the fault string (reason) verbatim. Falls back to the code when the ERP sent no text at all.
 */
export function faultMessage(fault: SoapFault): string {
  const aif = fault.aif === undefined ? undefined : aifMessage(fault.aif);
  if (aif !== undefined) return aif;
  if (fault.reason.trim() !== '') return fault.reason;
  return `SOAP fault ${fault.code || 'without a code'} and no fault string`;
}

/** WS-Security fault codes (OASIS WSS 1.1 §12) and their WCF spellings: the credentials were refused. */
const SECURITY_CODES = new Set([
  'FailedAuthentication',
  'InvalidSecurity',
  'InvalidSecurityToken',
  'SecurityTokenUnavailable',
  'FailedCheck',
  'MessageExpired',
  'UnsupportedSecurityToken',
  'UnsupportedAlgorithm',
]);

/**
 * The ErpError kind of a fault, by its code. Pure.
 *
 * - a WS-Security code (as code or 1.2 subcode) → `auth`: the credentials were refused;
 * - `Client`/`Sender` (and `Client.*`) → `validation`: the ERP refused this request as sent — an AIF
 *   document error, a BAPI exception, a value out of range; sending it again will not help;
 * - anything else (`Server`/`Receiver`, `VersionMismatch`, `MustUnderstand`) → `permanent`. A
 *   Server fault is the ERP's application failing on this request; SOAP 1.1 allows that it "may
 *   succeed later", but a write that failed inside the ERP is not safe to repeat blindly.
 */
export function faultKind(fault: SoapFault): ErrorKind {
  const codes = [fault.code, ...fault.subcodes].map(localName);
  if (codes.some((code) => SECURITY_CODES.has(code))) return 'auth';
  const main = codes[0] ?? '';
  if (main === 'Client' || main.startsWith('Client.') || main === 'Sender') return 'validation';
  return 'permanent';
}
