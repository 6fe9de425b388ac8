import { describe, expect, it } from 'vitest';
import {
  errorForTrytonFault,
  errorForTrytonStatus,
  type TrytonCallContext,
  trytonFaultFromJson,
  trytonFaultFromXml,
} from './tryton-errors.ts';

const where: TrytonCallContext = {
  connector: 'tryton',
  method: 'model.purchase.purchase.write',
  url: 'http://127.0.0.1:8000/erp/',
  entity: 'purchase_orders',
  key: '12',
};

/** The error members and faults below are what trytond 6.0.29 answered in this project's tests. */
describe('how Tryton says no', () => {
  it('reads the JSON-RPC error member of each Tryton exception', () => {
    expect(
      trytonFaultFromJson(['UserError', ['To delete purchase "1" you must cancel it.', '', null]]),
    ).toEqual({
      exception: 'UserError',
      message: 'To delete purchase "1" you must cancel it.',
      description: '',
    });
    expect(trytonFaultFromJson(['ConcurrencyException', 'Records were modified in the meanwhile'])).toEqual({
      exception: 'ConcurrencyException',
      message: 'Records were modified in the meanwhile',
    });
    expect(
      trytonFaultFromJson(['UserWarning', ['purchase_late', 'The purchase is late.', 'Confirm?']]),
    ).toMatchObject({
      exception: 'UserWarning',
      name: 'purchase_late',
    });
    expect(trytonFaultFromJson(['LoginException', ['password', 'Password for admin', 'password']])).toEqual({
      exception: 'LoginException',
      name: 'password',
      message: 'Password for admin',
    });
    expect(trytonFaultFromJson(["'nonexistent'", ''])).toEqual({
      exception: 'ServerError',
      message: "'nonexistent'",
    });
  });

  it('reads XML-RPC faults by their code, splitting "message - description"', () => {
    expect(trytonFaultFromXml(1, 'To delete purchase "1 [urgent]" you must cancel it. - ')).toEqual({
      exception: 'UserError',
      message: 'To delete purchase "1 [urgent]" you must cancel it.',
      description: '',
    });
    expect(trytonFaultFromXml(4, 'Records were modified in the meanwhile').exception).toBe(
      'ConcurrencyException',
    );
    expect(trytonFaultFromXml(255, 'Missing search function for field "Total" in "Purchase".')).toEqual({
      exception: 'ServerError',
      message: 'Missing search function for field "Total" in "Purchase".',
    });
  });

  it('makes each exception an ErpError of the kind that says what to do', () => {
    const userError = errorForTrytonFault(
      {
        exception: 'UserError',
        message: 'A value is required for field "Unit Price".',
        description: 'Set it.',
      },
      where,
    );
    expect(userError).toMatchObject({
      kind: 'validation',
      message: 'Tryton refused it: A value is required for field "Unit Price". Set it. (UserError)',
      context: { connector: 'tryton', entity: 'purchase_orders', key: '12', status: 200 },
    });
    expect(
      errorForTrytonFault(
        { exception: 'ConcurrencyException', message: 'Records were modified in the meanwhile' },
        where,
      ).kind,
    ).toBe('conflict');
    expect(
      errorForTrytonFault({ exception: 'LoginException', name: 'sms_code', message: 'SMS code' }, where),
    ).toMatchObject({
      kind: 'auth',
      message:
        'Tryton asks for more than a password to log in: SMS code (parameter sms_code) (LoginException)',
    });
    expect(errorForTrytonFault({ exception: 'ServerError', message: 'database is locked' }, where).kind).toBe(
      'transient',
    );
    expect(errorForTrytonFault({ exception: 'ServerError', message: "'no.model'" }, where)).toMatchObject({
      kind: 'permanent',
      message:
        'Tryton knows no "no.model" (KeyError): a model, field or method that does not exist on this server, or whose module is not activated',
      context: {
        hint: 'check the model, fields, filters and domain under connectors.tryton.entities.purchase_orders',
      },
    });
    expect(
      errorForTrytonFault({ exception: 'ServerError', message: 'ZeroDivisionError\nmore' }, where),
    ).toMatchObject({
      kind: 'permanent',
      message: 'Tryton failed: ZeroDivisionError',
    });
  });

  it('tells a wrong password, a lockout, an unknown database and an expired session apart', () => {
    const html = { headers: {}, body: '<!doctype html><title>401 Unauthorized</title>' };
    const login = { kind: 'login', username: 'erpbridge', database: 'erp' } as const;
    expect(errorForTrytonStatus({ status: 401, ...html }, login, where, [])).toMatchObject({
      kind: 'auth',
      message:
        'Tryton refused the login of "erpbridge" on database "erp": wrong username or password (HTTP 401 Unauthorized)',
    });
    const locked = errorForTrytonStatus({ status: 429, ...html }, login, where, []);
    expect(locked.kind).toBe('auth');
    expect(locked.message).toBe(
      'Tryton locked the login of "erpbridge" after repeated failed attempts (HTTP 429 Too Many Requests)',
    );
    expect(errorForTrytonStatus({ status: 404, ...html }, login, where, []).message).toBe(
      'Tryton has no database "erp" at http://127.0.0.1:8000/erp/',
    );
    const call = { kind: 'call', username: 'erpbridge', fresh: true } as const;
    expect(errorForTrytonStatus({ status: 401, ...html }, call, where, []).message).toBe(
      'Tryton refused the session it had just issued to "erpbridge" (HTTP 401 Unauthorized)',
    );
    // A proxy in front of Tryton may rate limit calls: that one is retried, with its Retry-After.
    const limited = errorForTrytonStatus(
      { status: 429, headers: { 'retry-after': '3' }, body: '' },
      { ...call, fresh: false },
      where,
      [],
    );
    expect(limited).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
    expect(errorForTrytonStatus({ status: 502, ...html }, call, where, []).kind).toBe('transient');
  });
});
