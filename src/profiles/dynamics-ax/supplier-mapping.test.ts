import { describe, expect, it } from 'vitest';
import { ErpError } from '../../errors/index.ts';
import { thrownBy } from '../../errors/test-errors.ts';
import { dynamicsAxSupplierMapping as mapping } from './supplier-mapping.ts';

const vendor = (data: Record<string, unknown> = {}) => ({
  key: '0000100042',
  version: '1',
  data: {
    attributes: { class: 'entity' },
    AccountNum: '0000100042',
    LeadTime: 14,
    OnTimeDeliveryPct: '87.5',
    DirParty: [
      {
        attributes: { class: 'entity' },
        Name: 'Becker Cables B.V.',
        DirPartyPostalAddressView: [
          { CountryRegionId: 'DE', IsPrimary: 'No' },
          { CountryRegionId: 'NL', IsPrimary: 'Yes' },
        ],
      },
    ],
    ...data,
  },
});

describe('dynamics-ax supplier mapping', () => {
  it('reads VendTable, its party’s name and primary address, and the site’s figures', () => {
    expect(mapping.toCanonical(vendor())).toEqual({
      id: '100042',
      name: 'Becker Cables B.V.',
      country: 'NL',
      leadTimeDays: 14,
      onTimeRate: 0.875,
    });
    const single = vendor({
      DirParty: { Name: 'Solo', DirPartyPostalAddressView: { CountryRegionId: 'AT' } },
    });
    expect(mapping.toCanonical(single)).toMatchObject({ name: 'Solo', country: 'AT' });
  });

  it('names the missing figure, and is read-only', () => {
    const error = thrownBy(() => mapping.toCanonical(vendor({ OnTimeDeliveryPct: undefined })), ErpError);
    expect(error).toMatchObject({
      kind: 'validation',
      context: { entity: 'VendTable', field: 'OnTimeDeliveryPct' },
    });
    expect(() => mapping.toVendorFields({ name: 'x' })).toThrow(/read-only/);
    expect(mapping.toVendorKey('100042')).toBe('0000100042');
  });
});
