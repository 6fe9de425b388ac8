import { Supplier } from '../../canonical/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { padWithZeros, stripLeadingZeros } from '../legacy-formats.ts';
import { readCanonical } from '../map-fields.ts';
import { axDecimal, axEntities, axRequiredText, axText } from './ax-values.ts';

/**
 * Dynamics AX 2012 vendors (the AIF Vendor document of VendVendTableService: `VendTable` with its
 * `DirParty` organisation and that party's `DirPartyPostalAddressView` addresses) ⇄ canonical
 * Supplier. Read-only.
 */

/** The AX table the binding reads suppliers as. */
export const AX_SUPPLIER_ENTITY = 'VendTable';

/**
 * The VendTable fields holding the figures urgency depends on. Standard AX 2012 keeps neither on
 * the vendor: sites add them (with their own names) to VendTable and to the AxdVendor query, as the
 * sandbox does. Rename here for a site whose fields are called otherwise.
 */
export const AX_SUPPLIER_FIGURES = {
  /** Days from order to delivery, an integer. */
  leadTimeDays: 'LeadTime',
  /** Share of deliveries on time, in percent with a decimal point (`87.5`). */
  onTimePercent: 'OnTimeDeliveryPct',
} as const;

const VEND_ACCOUNT_WIDTH = 10;

/** The organisation's name: the vendor's DirParty. */
function partyName(value: unknown): string {
  return axText(axEntities(value)[0]?.Name);
}

/** The country of the party's primary address (else its first). */
function partyCountry(value: unknown): string {
  const addresses = axEntities(axEntities(value)[0]?.DirPartyPostalAddressView);
  const primary =
    addresses.find((address) => axText(address.IsPrimary).toLowerCase() === 'yes') ?? addresses[0];
  return axText(primary?.CountryRegionId);
}

/** Dynamics AX `VendTable` ⇄ canonical Supplier (on-time percent → rate 0..1). */
export const dynamicsAxSupplierMapping: EntityMapping<Supplier> = {
  vendorEntity: AX_SUPPLIER_ENTITY,

  toCanonical(record) {
    const { data } = record;
    return readCanonical(Supplier, 'Supplier', AX_SUPPLIER_ENTITY, record, (reader) => ({
      id: reader.read(data, 'AccountNum', (value) => stripLeadingZeros(axRequiredText(value))),
      name: reader.read(data, 'DirParty', partyName),
      country: reader.read(data, 'DirParty', partyCountry),
      leadTimeDays: reader.read(data, AX_SUPPLIER_FIGURES.leadTimeDays, axDecimal),
      onTimeRate: reader.read(data, AX_SUPPLIER_FIGURES.onTimePercent, axDecimal) / 100,
    }));
  },

  toVendorKey: (id) => padWithZeros(id, VEND_ACCOUNT_WIDTH),

  toVendorFields() {
    throw new ErpError('validation', 'vendors are read-only in the dynamics-ax profile', {
      entity: AX_SUPPLIER_ENTITY,
    });
  },
};
