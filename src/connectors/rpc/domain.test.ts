import { describe, expect, it } from 'vitest';
import { afterClause, allOf, FilterProblem, filterClauses } from './domain.ts';

const filters = {
  status: { field: 'state', values: { open: ['draft', 'quotation'], closed: ['done'] } },
  supplier: 'party.code',
};

describe('domains', () => {
  it('turns a workflow filter into the clauses the entity declares', () => {
    expect(filterClauses({ filters }, { status: 'open', supplier: 'SUP01' })).toEqual([
      ['state', 'in', ['draft', 'quotation']],
      ['party.code', '=', 'SUP01'],
    ]);
    expect(filterClauses({ filters }, undefined)).toEqual([]);
  });

  it('refuses a filter key or value it has no rule for, saying what it knows', () => {
    expect(() => filterClauses({ filters }, { priority: 1 })).toThrow(
      new FilterProblem('no filter "priority" is declared (declared: status, supplier)', 'priority'),
    );
    expect(() => filterClauses({ filters }, { status: 'archived' })).toThrow(
      'filter status=archived names no state values (known: open, closed)',
    );
    expect(() => filterClauses({ filters: {} }, { constructor: 'x' })).toThrow(
      'no filter "constructor" is declared',
    );
  });

  it('joins domains: Tryton nests them, Odoo concatenates its prefix notation', () => {
    const base = ['OR', ['state', '=', 'draft'], ['state', '=', 'done']];
    expect(allOf('tryton', [base, [['party.code', '=', 'S1']], afterClause(40)])).toEqual([
      base,
      ['party.code', '=', 'S1'],
      ['id', '>', 40],
    ]);
    expect(allOf('tryton', [[], [['id', '>', 1]]])).toEqual([['id', '>', 1]]);
    expect(allOf('odoo', [['|', ['state', '=', 'draft'], ['state', '=', 'sent']], afterClause(7)])).toEqual([
      '|',
      ['state', '=', 'draft'],
      ['state', '=', 'sent'],
      ['id', '>', 7],
    ]);
    expect(allOf('odoo', [[], []])).toEqual([]);
  });
});
