import type { z } from 'zod';

/**
 * Parses `value` with `schema`, or throws a `TypeError` that names each bad field in one line:
 * `invalid encoding spec: bins.0: bins for "slack" need exactly one of edges or quantiles`.
 */
export function parseData<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  what: string,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  throw new TypeError(`invalid ${what}: ${problems.join('; ')}`, { cause: result.error });
}
