import { z } from 'zod';
import { IsoDate } from './purchase-order.ts';

/**
 * One expense or invoice line to be coded to a general-ledger account: a purchase-card
 * transaction, a non-PO invoice line. `merchant` is the descriptor as the ERP holds it (a card
 * acquirer's `TESCO PFS 4203`, a supplier name); `glAccount` is null until someone codes it.
 * `version` is the ERP's concurrency token as read.
 */
export const ExpenseLine = z.object({
  id: z.string().min(1),
  date: IsoDate,
  merchant: z.string(),
  /** Gross amount; negative for a refund. */
  amount: z.number(),
  currency: z.string().length(3),
  /** The VAT/tax code as the ERP holds it (`VR` standard, `VZ` zero-rated), null when blank. */
  vatCode: z.string().nullable(),
  directorate: z.string().nullable(),
  costCentre: z.string().nullable(),
  costCentreName: z.string().nullable(),
  /** The GL account code (`L030`), null when not coded yet. */
  glAccount: z.string().min(1).nullable(),
  version: z.string().nullable(),
});
export type ExpenseLine = z.infer<typeof ExpenseLine>;

/** An account of the chart of accounts: `id` is its code (`L030`), `name` its description (`Books`). */
export const GlAccount = z.object({
  id: z.string().min(1),
  name: z.string(),
  version: z.string().nullable(),
});
export type GlAccount = z.infer<typeof GlAccount>;
