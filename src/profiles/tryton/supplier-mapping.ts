import { Supplier } from '../../canonical/index.ts';
import { isRpcStruct } from '../../connectors/rpc/index.ts';
import { ErpError } from '../../errors/index.ts';
import type { EntityMapping } from '../contract.ts';
import { readCanonical } from '../map-fields.ts';
import { durationDays, requiredText, text, withRelatedFields } from './tryton-values.ts';

const ENTITY = 'suppliers';

/**
 * Tryton keeps no delivery statistics per supplier, so every known supplier is taken as on time:
 * urgency is then judged on the lead time and the dates alone. A deployment that tracks reliability
 * elsewhere can map it here.
 */
export const TRYTON_ON_TIME_RATE = 1;

/** The country of a party's first address that has one, or ''. */
function firstCountry(addresses: unknown): string {
  if (!Array.isArray(addresses)) return '';
  for (const address of addresses) {
    if (!isRpcStruct(address)) continue;
    const country = text(withRelatedFields(address)['country.code']);
    if (country !== '') return country;
  }
  return '';
}

/**
 * Tryton `party.party` ⇄ canonical Supplier: id = the party's code, lead time = its supplier lead
 * time (purchase module, a TimeDelta) in days. A party without a supplier lead time (a customer,
 * the company itself, a supplier nobody set up) is not read as a supplier: its orders are judged as
 * from an unknown supplier, which the model learned from history.
 */
export const trytonSupplierMapping: EntityMapping<Supplier> = {
  vendorEntity: ENTITY,

  toCanonical(record) {
    const data = withRelatedFields(record.data);
    return readCanonical(Supplier, 'Supplier', ENTITY, record, (reader) => ({
      id: reader.read(data, 'code', requiredText),
      name: reader.read(data, 'name', text),
      country: reader.read(data, 'addresses.', firstCountry),
      leadTimeDays: reader.read(data, 'supplier_lead_time', durationDays),
      onTimeRate: TRYTON_ON_TIME_RATE,
    }));
  },

  toVendorKey: (id) => id,

  toVendorFields() {
    throw new ErpError('validation', 'suppliers are read-only in the tryton profile', { entity: ENTITY });
  },
};
