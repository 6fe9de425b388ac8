import {
  SUPPLIER_COUNTRIES,
  SUPPLIER_NAME_STEMS,
  SUPPLIER_NAME_TRADES,
  type SupplierCountry,
} from './catalogue.ts';
import { blankPad, formatDecimalComma, zeroPad } from './legacy-format.ts';
import { createPrng, deriveSeed, type Prng } from './prng.ts';
import { FIELD_WIDTHS, type SupplierRecord } from './records.ts';

/** A generated supplier: its record, and the figures behind it in plain numbers. */
export interface GeneratedSupplier {
  record: SupplierRecord;
  leadTimeDays: number;
  /** On-time delivery in percent, a multiple of 0.5 from 55 to 99.5. */
  onTimePct: number;
  currency: 'EUR' | 'USD';
}

/** The first supplier number; supplier i (from 1) is `FIRST_SUPPLIER_NUMBER + i`. */
export const FIRST_SUPPLIER_NUMBER = 100_000;

function pickCountry(prng: Prng): SupplierCountry {
  const total = SUPPLIER_COUNTRIES.reduce((sum, country) => sum + country.weight, 0);
  let draw = prng.next() * total;
  for (const country of SUPPLIER_COUNTRIES) {
    draw -= country.weight;
    if (draw < 0) return country;
  }
  return prng.pick(SUPPLIER_COUNTRIES);
}

function drawLeadTime(prng: Prng, overseas: boolean): number {
  if (overseas) return prng.int(30, 60);
  const band = prng.next();
  if (band < 0.55) return prng.int(3, 14);
  if (band < 0.9) return prng.int(15, 30);
  return prng.int(31, 45);
}

/** On-time percent in tenths (multiples of 5, i.e. steps of 0.5 %). */
function drawOnTimeTenths(prng: Prng): number {
  const band = prng.next();
  const [low, high] = band < 0.7 ? [170, 199] : band < 0.92 ? [140, 169] : [110, 139];
  return prng.int(low, high) * 5;
}

/**
 * Generates `count` suppliers from their own PRNG stream of `seed`, so they do not change when the
 * number of orders does. Reliability is a property of the supplier, drawn here once.
 */
export function generateSuppliers(seed: number, count: number): GeneratedSupplier[] {
  const prng = createPrng(deriveSeed(seed, 'suppliers'));
  const suppliers: GeneratedSupplier[] = [];
  for (let index = 1; index <= count; index++) {
    const country = pickCountry(prng);
    const name = `${prng.pick(SUPPLIER_NAME_STEMS)} ${prng.pick(SUPPLIER_NAME_TRADES)} ${prng.pick(country.legalForms)}`;
    const leadTimeDays = drawLeadTime(prng, country.overseas);
    const onTimeTenths = drawOnTimeTenths(prng);
    suppliers.push({
      record: {
        supplier_id: zeroPad(FIRST_SUPPLIER_NUMBER + index, 10),
        name: blankPad(name, FIELD_WIDTHS.supplierName),
        country: country.code,
        lead_time_days: String(leadTimeDays),
        on_time_pct: formatDecimalComma(onTimeTenths, 1),
      },
      leadTimeDays,
      onTimePct: onTimeTenths / 10,
      currency: country.currency,
    });
  }
  return suppliers;
}
