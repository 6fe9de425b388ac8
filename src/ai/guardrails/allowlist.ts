import { ErpError } from '../../errors/index.ts';

/**
 * The per-workflow field allowlist: the only fields of a described record that may leave the
 * process. A name is a top-level key (`notes`) or a dotted path into objects and arrays of objects
 * (`supplier.name`, `lines.description`); naming an object sends all of it.
 *
 * It fails closed: no allowlist means nothing is sent, and a record none of whose fields is allowed
 * is refused rather than sent empty.
 */

/** A record narrowed to its allowed fields, and the paths that were held back (for the audit). */
export interface AllowedFields {
  sent: Record<string, unknown>;
  withheld: string[];
}

/**
 * Keeps only the allowed fields of `fields`. Pure. Paths are matched exactly (`notes` does not
 * allow `notesInternal`).
 *
 * @example
 * allowFields({ notes: 'x', buyer: 'y', supplier: { name: 'A', iban: 'B' } }, ['notes', 'supplier.name'])
 * // { sent: { notes: 'x', supplier: { name: 'A' } }, withheld: ['buyer', 'supplier.iban'] }
 */
export function allowFields(fields: Record<string, unknown>, allow: readonly string[]): AllowedFields {
  const withheld: string[] = [];
  const sent = narrow(fields, allow, '', withheld);
  return { sent, withheld };
}

function narrow(
  record: Record<string, unknown>,
  allow: readonly string[],
  prefix: string,
  withheld: string[],
): Record<string, unknown> {
  const sent: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const path = `${prefix}${key}`;
    if (allow.includes(path)) {
      sent[key] = value;
      continue;
    }
    const deeper = allow.some((entry) => entry.startsWith(`${path}.`));
    if (deeper && isPlainObject(value)) {
      const inner = narrow(value, allow, `${path}.`, withheld);
      if (Object.keys(inner).length > 0) sent[key] = inner;
    } else if (deeper && Array.isArray(value) && value.every(isPlainObject)) {
      const items = value.map((item) => narrow(item, allow, `${path}.`, []));
      sent[key] = items;
      const kept = new Set(items.flatMap((item) => Object.keys(item)));
      const all = new Set(value.flatMap((item) => Object.keys(item)));
      for (const inner of all) if (!kept.has(inner)) withheld.push(`${path}.${inner}`);
    } else {
      withheld.push(path);
    }
  }
  return sent;
}

/**
 * The allowlist a call must use, or the error that stops it: fails closed when there is none, or
 * when it is empty. `task` and `workflow` name the place to fix in the message.
 */
export function requireAllowlist(
  allow: readonly string[] | undefined,
  task: string,
  workflow: string | undefined,
): readonly string[] {
  if (allow !== undefined && allow.length > 0) return allow;
  const where = workflow ? `workflows.${workflow}.ai.allowFields or ai.allowFields` : 'ai.allowFields';
  throw new ErpError(
    'permanent',
    `task "${task}": no field may be sent to the LLM because ${allow === undefined ? 'no field allowlist is configured' : 'the field allowlist is empty'}; nothing was sent`,
    {
      entity: task,
      field: 'allowFields',
      hint: `list the fields of the task's describe() that may leave the process under ${where}`,
    },
  );
}

/**
 * Refuses a record whose described fields are all held back: the model would answer from nothing.
 */
export function checkSomethingAllowed(
  allowed: AllowedFields,
  allow: readonly string[],
  task: string,
  id: string,
): void {
  if (Object.keys(allowed.sent).length > 0) return;
  throw new ErpError(
    'permanent',
    `task "${task}": none of the fields described for input ${id} (${allowed.withheld.join(', ') || 'none'}) is in the allowlist (${allow.join(', ')}); nothing was sent`,
    {
      entity: task,
      key: id,
      field: 'allowFields',
      hint: 'name the fields the model needs in the allowlist, exactly as describe() returns them',
    },
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
