import { Supplier } from '../canonical/index.ts';
import { readDecimal, readText } from '../connectors/sql/column-values.ts';
import { ErpError } from '../errors/index.ts';
import type { EntityMapping } from './contract.ts';
import { readCanonical } from './map-fields.ts';

const ENTITY = 'suppliers';

/** A column and how to read it. */
type Column = readonly [name: string, read: (value: unknown) => string];

/**
 * The supplier mapping of a profile that reads an ERP's tables through the `sql` connector: each
 * ERP keeps the same five facts in differently named columns, and none of them is written.
 */
export function tableSupplierMapping(layout: {
  /** Which profile, for the refusal to write: `the <profile> profile reads <what> and writes nothing`. */
  profile: string;
  reads: string;
  id: Column;
  name: string;
  country: Column;
  leadTimeDays: string;
  /** Whole percent (0–100). */
  onTimePercent: string;
  toVendorKey?: (id: string) => string;
}): EntityMapping<Supplier> {
  return {
    vendorEntity: ENTITY,

    toCanonical(record) {
      const { data } = record;
      return readCanonical(Supplier, 'Supplier', ENTITY, record, (reader) => ({
        id: reader.read(data, layout.id[0], layout.id[1]),
        name: reader.read(data, layout.name, readText),
        country: reader.read(data, layout.country[0], layout.country[1]),
        leadTimeDays: reader.read(data, layout.leadTimeDays, readDecimal),
        onTimeRate: reader.read(data, layout.onTimePercent, readDecimal) / 100,
      }));
    },

    toVendorKey: layout.toVendorKey ?? ((id) => id),

    toVendorFields() {
      throw new ErpError(
        'validation',
        `the ${layout.profile} profile reads ${layout.reads} and writes nothing`,
        {
          entity: ENTITY,
        },
      );
    },
  };
}
