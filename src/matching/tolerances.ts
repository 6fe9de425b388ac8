import { z } from 'zod';

/**
 * How far an invoice may stray from its order, its goods receipts and its own arithmetic and still
 * be matched; and how alike two invoices must be to count as the same one sent twice. Policies are
 * data: parse once (a value out of range is an error naming the key, never clamped), pass around.
 *
 * @example
 * const tolerances = MatchTolerances.parse({ pricePct: 2 }); // the rest at their defaults
 */
export const MatchTolerances = z.strictObject({
  /** A unit price may differ from the order's by this many percent. Default 1. */
  pricePct: z.number().min(0).max(100).default(1),
  /** …and by more than this much in money (sub-cent pricing noise). Default 0.0001. */
  priceAbsolute: z.number().min(0).default(0.0001),
  /** Billed beyond what was received, in units, still accepted. Default 0. */
  quantityAbsolute: z.number().min(0).default(0),
  /** …or in percent of what was received. Default 0. */
  quantityPct: z.number().min(0).max(100).default(0),
  /** VAT may differ from rate × net by this much (rounding per line). Default 0.05. */
  taxAbsolute: z.number().min(0).default(0.05),
  /** Amounts the record and its document must agree to. Default 0.01. */
  documentAbsolute: z.number().min(0).default(0.01),
  duplicates: z
    .strictObject({
      /** Invoice dates at most this many days apart, for numbers that differ (a typo, a new number). Default 7. */
      dateWindowDays: z.number().int().min(0).max(366).default(7),
      /**
       * …and for the same number however written (or with a suffix): suppliers do not reuse a number
       * within a year, and a wrongly keyed date must not hide a copy. Default 365.
       */
      sameNumberWindowDays: z.number().int().min(0).max(3660).default(365),
      /** Gross amounts within this share… Default 0.5 %. */
      amountPct: z.number().min(0).max(100).default(0.5),
      /** …or this much money. Default 0.10. */
      amountAbsolute: z.number().min(0).default(0.1),
      /** A number extended by at most this many characters (`-DUP`, `/A`) is the same number. Default 4. */
      maxSuffix: z.number().int().min(0).max(10).default(4),
    })
    .prefault({}),
});
export type MatchTolerances = z.infer<typeof MatchTolerances>;
export type MatchTolerancesInput = z.input<typeof MatchTolerances>;

/** The defaults, for callers that take none. */
export const DEFAULT_TOLERANCES: MatchTolerances = MatchTolerances.parse({});
