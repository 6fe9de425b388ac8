/**
 * The VAT rate a supplier bills, by its country, in hundredths of a percent (1900 = 19 %). Overseas
 * suppliers bill no VAT (import VAT is settled at customs). Fixed figures, not a tax table.
 */
const VAT_BASIS_POINTS: Readonly<Record<string, number>> = {
  DE: 1900,
  AT: 2000,
  CH: 810,
  FR: 2000,
  IT: 2200,
  NL: 2100,
  PL: 2300,
  CZ: 2100,
  SE: 2500,
  GB: 2000,
  US: 0,
  CN: 0,
  JP: 0,
};

/** The VAT rate of a supplier country in hundredths of a percent; 0 for a country not listed. */
export function vatBasisPoints(country: string): number {
  return VAT_BASIS_POINTS[country] ?? 0;
}
