import { describe, expect, it } from 'vitest';
import { parseXml } from '../../xml/index.ts';
import { aifFaultOf, aifMessage } from './aif-fault.ts';
import { faultKind, faultMessage, type SoapFault, soapFaultOf } from './soap-fault.ts';
import { aifFaultDetail, soapEnvelope, soapFault11, soapFault12 } from './test-soap-server.ts';

function faultOf(xml: string): SoapFault {
  const fault = soapFaultOf(parseXml(xml));
  if (fault === undefined) throw new Error('no fault');
  return fault;
}

describe('soapFaultOf', () => {
  it('reads a SOAP 1.1 fault verbatim', () => {
    const fault = faultOf(
      soapFault11('soap-env:Client', '  Purchase order   4500000099 does not exist ', '<code>ME 006</code>'),
    );
    expect(fault).toMatchObject({
      version: '1.1',
      code: 'soap-env:Client',
      subcodes: [],
      reason: '  Purchase order   4500000099 does not exist ',
      aif: undefined,
    });
    expect(fault.detail).toEqual({ code: 'ME 006' });
    expect(faultMessage(fault)).toBe('  Purchase order   4500000099 does not exist ');
  });

  it('reads a SOAP 1.2 fault: Code/Value, Subcodes, the first Reason/Text', () => {
    const fault = faultOf(
      soapFault12(
        's:Sender',
        'An error occurred when verifying security for the message.',
        'a:InvalidSecurity',
      ),
    );
    expect(fault).toMatchObject({
      version: '1.2',
      code: 's:Sender',
      subcodes: ['a:InvalidSecurity'],
      reason: 'An error occurred when verifying security for the message.',
    });
    expect(faultKind(fault)).toBe('auth');
  });

  it('is undefined for an answer without a fault', () => {
    expect(soapFaultOf(parseXml(soapEnvelope('<GetOrderResponse/>')))).toBeUndefined();
  });

  it('falls back to the code when the ERP sent no text', () => {
    expect(faultMessage(faultOf(soapFault11('soap:Server', '')))).toBe(
      'SOAP fault soap:Server and no fault string',
    );
  });
});

describe('faultKind', () => {
  it.each([
    ['soap:Client', 'validation'],
    ['soap:Client.Authentication', 'validation'],
    ['env:Sender', 'validation'],
    ['soap:Server', 'permanent'],
    ['env:Receiver', 'permanent'],
    ['soap:VersionMismatch', 'permanent'],
    ['soap:MustUnderstand', 'permanent'],
    ['wsse:FailedAuthentication', 'auth'],
    ['wsse:InvalidSecurityToken', 'auth'],
  ])('%s → %s', (code, kind) => {
    expect(faultKind(faultOf(soapFault11(code, 'x')))).toBe(kind);
  });
});

describe('AIF faults (Dynamics AX 2012)', () => {
  it('joins the infolog messages, trimmed, in order', () => {
    const fault = faultOf(
      soapFault11(
        's:Client',
        'Request Failed. See the Exception Log for details.',
        aifFaultDetail([
          ['Warning', ' Note '],
          ['Error', '\tField Vendor account must be filled in.'],
        ]),
      ),
    );
    expect(fault.aif?.infolog).toEqual([
      { type: 'Warning', message: ' Note ' },
      { type: 'Error', message: '\tField Vendor account must be filled in.' },
    ]);
    expect(fault.aif?.exceptionType).toBe('Error');
    expect(faultMessage(fault)).toBe('Note; Field Vendor account must be filled in.');
  });

  it('uses the fault messages when the infolog is empty, and the fault string when both are', () => {
    const detail = parseXml(
      '<detail><AifFault xmlns="http://schemas.microsoft.com/dynamics/2008/01/documents/Fault"><FaultMessageListArray><FaultMessageList><Field>PurchId</Field><FaultMessageArray>' +
        '<FaultMessage><Code>InvalidValue</Code><Message>PurchId is not valid</Message></FaultMessage></FaultMessageArray></FaultMessageList></FaultMessageListArray>' +
        '<InfologMessageList/></AifFault></detail>',
    ).detail;
    const aif = aifFaultOf(detail);
    expect(aif?.faultMessages).toEqual([
      { code: 'InvalidValue', message: 'PurchId is not valid', field: 'PurchId', xpath: undefined },
    ]);
    expect(aif === undefined ? undefined : aifMessage(aif)).toBe('PurchId is not valid');
    const empty = faultOf(
      soapFault11('s:Client', 'Request Failed. See the Exception Log for details.', aifFaultDetail([])),
    );
    expect(faultMessage(empty)).toBe('Request Failed. See the Exception Log for details.');
  });
});
