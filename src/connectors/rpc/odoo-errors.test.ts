import { describe, expect, it } from 'vitest';
import { errorForOdooFault, errorForOdooStatus, type OdooCallContext } from './odoo-errors.ts';

const where: OdooCallContext = {
  connector: 'odoo',
  method: 'object.execute_kw purchase.order.write',
  url: 'http://odoo/xmlrpc/2/object',
};

describe('how Odoo says no', () => {
  it('reads the fault code family, and the concurrency check among UserErrors', () => {
    expect(
      errorForOdooFault(
        2,
        'A document was modified since you last viewed it (purchase.order:5)',
        where,
        'bot',
      ).kind,
    ).toBe('conflict');
    expect(errorForOdooFault(2, 'Wrong value for purchase.order.priority: "7"', where, 'bot')).toMatchObject({
      kind: 'validation',
      message: 'Odoo refused it: Wrong value for purchase.order.priority: "7" (UserError)',
    });
    expect(errorForOdooFault(3, 'Access Denied', where, 'bot')).toMatchObject({
      kind: 'auth',
      message: 'Odoo refused the credentials of "bot" (AccessDenied)',
    });
    expect(
      errorForOdooFault(
        4,
        "You are not allowed to modify 'Purchase Order' (purchase.order) records.\n\nmore",
        where,
        'bot',
      ),
    ).toMatchObject({
      kind: 'auth',
      message:
        'Odoo does not allow "bot" this: You are not allowed to modify \'Purchase Order\' (purchase.order) records. (AccessError)',
    });
  });

  it('reads the last line of a traceback (fault 1)', () => {
    const traceback = (last: string) =>
      `Traceback (most recent call last):\n  File "x.py", line 1\n${last}\n`;
    expect(
      errorForOdooFault(
        1,
        traceback("ValueError: Invalid field 'priorty' on model 'purchase.order'"),
        where,
        'bot',
      ).message,
    ).toBe('Odoo\'s model purchase.order has no field "priorty"');
    expect(
      errorForOdooFault(
        1,
        traceback('psycopg2.errors.SerializationFailure: could not serialize access'),
        where,
        'bot',
      ).kind,
    ).toBe('transient');
    expect(
      errorForOdooFault(1, traceback('odoo.exceptions.MissingError: Record does not exist'), where, 'bot')
        .kind,
    ).toBe('permanent');
    expect(errorForOdooFault(1, traceback('KeyError: 42'), where, 'bot').message).toBe(
      'Odoo failed: KeyError: 42',
    );
  });

  it('says what an HTTP status in front of Odoo means', () => {
    expect(errorForOdooStatus({ status: 404, headers: {}, body: '<html>' }, where, []).context.hint).toMatch(
      /no XML-RPC endpoint there/,
    );
    expect(
      errorForOdooStatus({ status: 503, headers: { 'retry-after': '10' }, body: '' }, where, []),
    ).toMatchObject({
      kind: 'transient',
      retryAfterMs: 10_000,
    });
  });
});
