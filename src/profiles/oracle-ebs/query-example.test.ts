import { describe, expect, it } from 'vitest';
import { adapterColumnName, exampleOf, queryStatusOf } from './query-example.ts';

const po = { entity: 'PO_HEADERS_ALL', statusShorthand: true };

describe('query by example', () => {
  it('turns the workflow’s status filter into PO_HEADERS_ALL columns', () => {
    expect(exampleOf({ status: 'open' }, po)).toEqual({ closedCode: 'OPEN' });
    expect(exampleOf({ status: 'CLOSED' }, po)).toEqual({ closedCode: 'CLOSED', cancelFlag: 'N' });
    expect(exampleOf({ status: 'cancelled', vendorId: 100042 }, po)).toEqual({
      cancelFlag: 'Y',
      vendorId: '100042',
    });
    expect(exampleOf(undefined, po)).toEqual({});
  });

  it('takes columns as EBS names them or as the adapter does, flags as Y/N', () => {
    expect(exampleOf({ CLOSED_CODE: 'OPEN', APPROVED_FLAG: true, agentId: 25001 }, po)).toEqual({
      closedCode: 'OPEN',
      approvedFlag: 'Y',
      agentId: '25001',
    });
    expect(adapterColumnName('ATTRIBUTE_CATEGORY')).toBe('attributeCategory');
    expect(adapterColumnName('SEGMENT1')).toBe('segment1');
    expect(adapterColumnName('noteToVendor')).toBe('noteToVendor');
    expect(exampleOf({ status: 'open' }, { entity: 'AP_SUPPLIERS', statusShorthand: false })).toEqual({
      status: 'open',
    });
  });

  it('refuses a status it does not know, or one the filter contradicts', () => {
    expect(() => exampleOf({ status: 'approved' }, po)).toThrow(
      /filter status "approved" is not one the oracle-ebs binding knows; use open, closed or cancelled/,
    );
    expect(() => exampleOf({ status: 'open', CLOSED_CODE: 'CLOSED' }, po)).toThrow(
      /filter status "open" means closedCode OPEN, but the filter also asks for closedCode CLOSED/,
    );
    expect(exampleOf({ status: 'open', closedCode: 'OPEN' }, po)).toEqual({ closedCode: 'OPEN' });
  });

  it('reads QueryStatus from the answer’s SOAP header only', () => {
    const answer = (header: string) =>
      `<?xml version="1.0"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/">${header}<env:Body><PoHeadersAllCollection xmlns="urn:top"><PoHeadersAll><hasMore>false</hasMore></PoHeadersAll></PoHeadersAllCollection></env:Body></env:Envelope>`;
    expect(
      queryStatusOf(
        answer(
          '<env:Header><QueryStatus xmlns="urn:top"><rowCount>500</rowCount><hasMore>true</hasMore><lastPoHeaderId>1000500</lastPoHeaderId></QueryStatus></env:Header>',
        ),
        'lastPoHeaderId',
      ),
    ).toEqual({ hasMore: true, lastId: '1000500' });
    expect(
      queryStatusOf(
        answer(
          '<env:Header><top:QueryStatus xmlns:top="urn:top"><top:rowCount>0</top:rowCount><top:hasMore>false</top:hasMore></top:QueryStatus></env:Header>',
        ),
        'lastPoHeaderId',
      ),
    ).toEqual({ hasMore: false, lastId: null });
    expect(queryStatusOf(answer(''), 'lastPoHeaderId')).toBeUndefined();
  });
});
