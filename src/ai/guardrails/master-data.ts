import { z } from 'zod';
import { ErpError } from '../../errors/index.ts';

/**
 * Output bound to the ERP's master data. A task's label set (GL accounts, priorities) and the
 * allowed values of extracted fields (supplier ids, cost centres) become the enum of the output
 * schema an LLM answers in. An answer outside them is repaired once, telling the model what was
 * wrong and what is allowed; if it is still outside, the record goes to review and is never written.
 *
 * The values come from the ERP (a workflow reads them once per run, e.g. through its `reference`
 * step) or from its profile; {@link distinctValues} turns records into a value list.
 */

/** At most this many allowed values are spelled out in a message; the schema's enum has them all. */
export const MAX_LISTED_VALUES = 60;

/** `"a", "b", "c"`, or the first {@link MAX_LISTED_VALUES} and how many more. */
export function formatAllowed(values: readonly string[]): string {
  const listed = values.slice(0, MAX_LISTED_VALUES).map((value) => JSON.stringify(value));
  const more = values.length - listed.length;
  return more > 0 ? `${listed.join(', ')} and ${more} more` : listed.join(', ');
}

/**
 * The allowed label an answer means: itself, or the one label it equals ignoring case and the
 * spaces and quotes around it (`" Urgent"` → `urgent`). Anything else is outside the set.
 */
export function matchLabel<Label extends string>(
  answer: string,
  labels: readonly Label[],
): Label | undefined {
  const exact = labels.find((label) => label === answer);
  if (exact !== undefined) return exact;
  const normal = normalise(answer);
  const matches = labels.filter((label) => normalise(label) === normal);
  return matches.length === 1 ? matches[0] : undefined;
}

function normalise(text: string): string {
  return text
    .trim()
    .replace(/^["'`]+|["'`]+$/g, '')
    .trim()
    .toLowerCase();
}

/** Why a value is outside its master data, with what is allowed, for the repair request and the reviewer. */
export function outsideMessage(what: string, value: unknown, allowed: readonly string[]): string {
  return `${what} ${JSON.stringify(value)} is not one of the allowed values: ${formatAllowed(allowed)}`;
}

/** Field name → allowed values, as a task declares them. */
export type MasterDataBindings = Readonly<Record<string, readonly string[] | undefined>>;

/**
 * The task's schema with each bound field's type replaced by the enum of its allowed values (kept
 * nullable when the field was). Refuses, before any request, a binding to a field the schema does
 * not have or an empty value list.
 */
export function bindToMasterData(
  schema: z.ZodObject,
  bindings: MasterDataBindings,
  task: string,
): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [field, values] of Object.entries(bindings)) {
    if (values === undefined) continue;
    const original = schema.shape[field];
    if (original === undefined) {
      throw new ErpError(
        'permanent',
        `task "${task}": master data is bound to "${field}", which its schema lacks`,
        {
          entity: task,
          field,
          hint: `bind master data only to fields of the schema (${Object.keys(schema.shape).join(', ')})`,
        },
      );
    }
    const [first, ...rest] = values;
    if (first === undefined) {
      throw new ErpError('permanent', `task "${task}": the master data for "${field}" has no values`, {
        entity: task,
        field,
        hint: 'check that the ERP returned its master data (e.g. the supplier list) before the run',
      });
    }
    const allowed = z.enum([first, ...rest]);
    shape[field] = original.safeParse(null).success ? allowed.nullable() : allowed;
  }
  return schema.extend(shape);
}

/** One value outside its master data: where, what, and what is allowed. */
export interface MasterDataIssue {
  field: string;
  value: unknown;
  message: string;
}

/**
 * The fields of `values` outside their master data. Null passes where the task's own schema allows
 * null (the document did not say). Pure.
 */
export function checkMasterData(
  values: Record<string, unknown>,
  bindings: MasterDataBindings,
  schema: z.ZodObject,
): MasterDataIssue[] {
  const issues: MasterDataIssue[] = [];
  for (const [field, allowed] of Object.entries(bindings)) {
    if (allowed === undefined) continue;
    const value = values[field];
    if (value === null && schema.shape[field]?.safeParse(null).success) continue;
    if (typeof value === 'string' && allowed.includes(value)) continue;
    issues.push({ field, value, message: outsideMessage(field, value, allowed) });
  }
  return issues;
}

/**
 * The distinct, sorted values of one field over master-data records (suppliers, accounts), for a
 * label set or a binding. Empty and missing values are left out.
 *
 * @example distinctValues(suppliers, 'id') // ['S-100', 'S-200']
 */
export function distinctValues<R>(records: Iterable<R>, field: keyof R & string): string[] {
  const values = new Set<string>();
  for (const record of records) {
    const value = record[field];
    if (typeof value === 'string' && value.trim() !== '') values.add(value);
    else if (typeof value === 'number' && Number.isFinite(value)) values.add(String(value));
  }
  return [...values].sort();
}
