import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { parseBindingOptions } from './binding-options.ts';

describe('oracle-ebs binding options', () => {
  const query = {
    wsdl: 'http://soa:8001/soa-infra/services/default/PurchaseOrderEBS/DB_QueryPurchaseOrderEBS?WSDL',
  };
  const suppliers = { wsdl: '/etc/erpbridge/DB_QuerySupplierEBS.wsdl' };

  it('fills defaults and keeps each query service’s own connection options', () => {
    const options = parseBindingOptions('ebs', {
      query: { ...query, timeoutMs: 5000 },
      suppliers,
      soaHeader: { Responsibility: 'XX_ERPBRIDGE_PO', RespApplication: 'PO', Org_Id: 204 },
    });
    expect(options).toMatchObject({
      paging: 'query-control',
      maxRows: 1000,
      query: { timeoutMs: 5000 },
      soaHeader: { SecurityGroup: 'STANDARD', NLSLanguage: 'AMERICAN', Org_Id: '204' },
    });
  });

  it('names the key of a missing or wrong option', () => {
    expect(thrownBy(() => parseBindingOptions('ebs', { query }), ConfigError).key).toBe(
      'connectors.ebs.options.suppliers',
    );
    expect(
      thrownBy(() => parseBindingOptions('ebs', { query, suppliers, paging: 'offset' }), ConfigError).key,
    ).toBe('connectors.ebs.options.paging');
  });

  it('takes a query service as its location and only what differs from the connection', () => {
    const options = parseBindingOptions('ebs', {
      query: { wsdl: 'wsdl/DB_QueryPurchaseOrderEBS.wsdl' },
      suppliers: { ...suppliers, auth: { kind: 'basic', username: 'SOA', password: 'secret' } },
    });
    expect(options.query).toEqual({ wsdl: 'wsdl/DB_QueryPurchaseOrderEBS.wsdl' });
    expect(options.suppliers.auth).toEqual({ kind: 'basic', username: 'SOA', password: 'secret' });
    const error = thrownBy(
      () => parseBindingOptions('ebs', { query: { ...query, timeoutMs: 0 }, suppliers }),
      ConfigError,
    );
    expect(error.key).toBe('connectors.ebs.options.query.timeoutMs');
  });
});
