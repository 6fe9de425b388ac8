import { z } from 'zod';
import type { PagePosition } from './record-queries.ts';

/**
 * The `cursor` of a `sql` read's page: where the next page starts (the last row's key, and its
 * last-changed value for incremental reads) and the watermark reached so far. JSON, so the values
 * keep their types (a numeric key stays a number and binds as one).
 */

const Value = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const CursorSchema = z.strictObject({
  v: z.literal(1),
  entity: z.string(),
  /** The changedSince the read started from; null for a full read. */
  since: z.string().nullable(),
  after: z.strictObject({ key: z.array(Value).min(1), changed: Value.optional() }),
  watermark: z.string().nullable(),
});

/** A decoded cursor. */
export type ReadCursor = z.infer<typeof CursorSchema>;

export function encodeCursor(cursor: {
  entity: string;
  since: string | null;
  after: PagePosition;
  watermark: string | null;
}): string {
  const after = {
    key: [...cursor.after.key],
    ...(cursor.after.changed === undefined ? {} : { changed: cursor.after.changed }),
  };
  const encoded: ReadCursor = {
    v: 1,
    entity: cursor.entity,
    since: cursor.since,
    after,
    watermark: cursor.watermark,
  };
  return JSON.stringify(encoded);
}

/**
 * The cursor in `text`, when this connector made it for a read of the same entity from the same
 * watermark; undefined otherwise (the caller names the problem).
 */
export function decodeCursor(
  text: string,
  expected: { entity: string; since: string | null },
): { after: PagePosition; watermark: string | null } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: not a cursor of this connector; the caller reports it.
    return undefined;
  }
  const cursor = CursorSchema.safeParse(parsed);
  if (!cursor.success) return undefined;
  if (cursor.data.entity !== expected.entity || cursor.data.since !== expected.since) return undefined;
  return { after: cursor.data.after, watermark: cursor.data.watermark };
}
