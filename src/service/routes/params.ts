import { z } from 'zod';

/**
 * An id in a path: run ids, change ids (`<run>:<record>`), workflow and connector names. Only
 * these characters, so an id can never walk a path (`..`, `/`) or smuggle anything into a query.
 */
export const Id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'only letters, digits and . _ : @ - are allowed in an id');

/** A page size: 1–1000. */
export const Limit = z.coerce.number().int().min(1).max(1000);
