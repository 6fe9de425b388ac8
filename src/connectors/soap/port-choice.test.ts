import { describe, expect, it } from 'vitest';
import { choosePort } from './port-choice.ts';
import type { WsdlScan } from './wsdl-scan.ts';

const scan: WsdlScan = {
  imports: [],
  jcaBinding: undefined,
  portTypes: [
    { name: 'Orders', operations: ['read', 'update'] },
    { name: 'Router', operations: [] },
  ],
  bindings: [
    { name: 'OrdersSoap', portType: 'Orders', soapVersion: '1.1' },
    { name: 'OrdersSoap12', portType: 'Orders', soapVersion: '1.2' },
    { name: 'OrdersHttp', portType: 'Orders', soapVersion: undefined },
    { name: 'RouterSoap', portType: 'Router', soapVersion: '1.1' },
  ],
  ports: [
    { service: 'OrderService', port: 'Soap', binding: 'OrdersSoap', address: 'http://erp/a' },
    { service: 'OrderService', port: 'Soap12', binding: 'OrdersSoap12', address: 'http://erp/b' },
    { service: 'OrderService', port: 'Http', binding: 'OrdersHttp', address: 'http://erp/c' },
    { service: 'Routing', port: 'Router', binding: 'RouterSoap', address: 'http://erp/r' },
  ],
};

describe('choosePort', () => {
  it('chooses the named port; ports without SOAP binding or operations do not count', () => {
    expect(choosePort([scan], { port: 'Soap12' })).toEqual({
      kind: 'chosen',
      choice: {
        service: 'OrderService',
        port: 'Soap12',
        binding: 'OrdersSoap12',
        soapVersion: '1.2',
        address: 'http://erp/b',
        operations: ['read', 'update'],
      },
    });
    expect(choosePort([scan], { port: 'Http' })).toMatchObject({ kind: 'wrong' });
    expect(choosePort([scan], { service: 'Routing' })).toEqual({
      kind: 'wrong',
      reason:
        'the WSDL has no service Routing with a SOAP binding and operations; it has OrderService/Soap, OrderService/Soap12',
    });
  });

  it('is ambiguous with several candidates and no name, and none for an abstract WSDL', () => {
    expect(choosePort([scan], {})).toMatchObject({ kind: 'ambiguous' });
    expect(choosePort([{ ...scan, ports: [], bindings: [] }], {})).toMatchObject({ kind: 'none' });
    expect(choosePort([{ ...scan, ports: scan.ports.slice(0, 1) }], {})).toMatchObject({
      kind: 'chosen',
      choice: { port: 'Soap' },
    });
  });
});
