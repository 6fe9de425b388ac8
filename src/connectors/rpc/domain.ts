import type { Domain, RpcEntity } from './rpc-config.ts';

/**
 * Search domains: a workflow's filter (`{ status: 'open' }`) turned into the clauses the entity's
 * `filters` name, joined with the entity's own domain and, for paging, `id > last id`. Pure.
 */

/** A workflow filter key or value this entity does not know; `message` says which and what it knows. */
export class FilterProblem extends Error {
  override readonly name = 'FilterProblem';
  constructor(
    message: string,
    /** The filter key, for the error's `field`. */
    readonly key: string,
  ) {
    super(message);
  }
}

/**
 * The clauses for `filter`, in its key order.
 *
 * @throws FilterProblem for a key the entity has no rule for, or a value its rule does not list.
 */
export function filterClauses(
  entity: Pick<RpcEntity, 'filters'>,
  filter: Readonly<Record<string, string | number | boolean>> | undefined,
): Domain {
  const clauses: Domain = [];
  for (const [key, value] of Object.entries(filter ?? {})) {
    const rule = Object.hasOwn(entity.filters, key) ? entity.filters[key] : undefined;
    if (rule === undefined) {
      const known = Object.keys(entity.filters);
      throw new FilterProblem(
        `no filter "${key}" is declared${known.length > 0 ? ` (declared: ${known.join(', ')})` : ''}`,
        key,
      );
    }
    if (typeof rule === 'string') {
      clauses.push([rule, '=', value]);
      continue;
    }
    const name = String(value);
    const values = Object.hasOwn(rule.values, name) ? rule.values[name] : undefined;
    if (values === undefined) {
      throw new FilterProblem(
        `filter ${key}=${name} names no ${rule.field} values (known: ${Object.keys(rule.values).join(', ')})`,
        key,
      );
    }
    clauses.push([rule.field, 'in', [...values]]);
  }
  return clauses;
}

/**
 * Several domains that must all hold, as one. Tryton nests each as a sub-domain (so a domain that
 * starts with `OR` keeps its meaning); Odoo's prefix notation joins top-level terms with an implicit
 * `&`, so its complete domains are simply concatenated.
 */
export function allOf(dialect: 'tryton' | 'odoo', domains: readonly Domain[]): Domain {
  const present = domains.filter((domain) => domain.length > 0);
  if (present.length <= 1) return present[0] ?? [];
  if (dialect === 'odoo') return present.flat();
  return present.map((domain) => (domain.length === 1 && Array.isArray(domain[0]) ? domain[0] : domain));
}

/** The clause that continues a read after the record with id `afterId` (ordered by id). */
export function afterClause(afterId: number): Domain {
  return [['id', '>', afterId]];
}
