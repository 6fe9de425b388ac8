import { z } from 'zod';

/** A supplier with the figures urgency depends on: how long it takes and how often it is late. */
export const Supplier = z.object({
  id: z.string().min(1),
  name: z.string(),
  country: z.string(),
  leadTimeDays: z.number().nonnegative(),
  /** Share of past orders delivered on or before their need-by date, 0..1. */
  onTimeRate: z.number().min(0).max(1),
});
export type Supplier = z.infer<typeof Supplier>;
