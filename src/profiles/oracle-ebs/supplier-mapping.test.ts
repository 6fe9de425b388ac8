import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { oracleEbsSupplierMapping as mapping } from './supplier-mapping.ts';

const record = () => ({
  key: '100042',
  version: null,
  data: {
    vendorId: '100042',
    vendorName: 'Harrison Components SA',
    segment1: '0000100042',
    enabledFlag: 'Y',
    attribute1: '17',
    attribute2: '87.5',
    apSupplierSitesAllCollection: {
      ApSupplierSitesAll: [
        { vendorSiteCode: 'PAY', purchasingSiteFlag: 'N', country: 'CH' },
        { vendorSiteCode: 'FR-PURCH', purchasingSiteFlag: 'Y', country: 'FR' },
      ],
    },
  } as Record<string, unknown>,
});

describe('oracle-ebs supplier mapping', () => {
  it('reads AP_SUPPLIERS: VENDOR_ID, the purchasing site’s country, lead time and on-time rate from the DFF', () => {
    expect(mapping.toCanonical(record())).toEqual({
      id: '100042',
      name: 'Harrison Components SA',
      country: 'FR',
      leadTimeDays: 17,
      onTimeRate: 0.875,
    });
  });

  it('names the DFF segment a site has not filled, and writes nothing', () => {
    const missing = record();
    delete missing.data.attribute2;
    const error = thrownBy(() => mapping.toCanonical(missing), ErpError);
    expect(error).toMatchObject({
      kind: 'validation',
      context: { entity: 'AP_SUPPLIERS', key: '100042', field: 'attribute2' },
    });
    expect(() => mapping.toVendorFields({ name: 'x' })).toThrow(/read-only in the oracle-ebs profile/);
  });
});
