import { describe, expect, test } from 'vitest';
import { createRequestLog, type RequestLogEntry } from './request-log.ts';

const entry = (method: string, path = '/api/purchase_orders'): Omit<RequestLogEntry, 'id'> => ({
  at: '2025-01-01T00:00:00.000Z',
  method,
  path,
  query: {},
  status: 200,
  durationMs: 0.5,
  idempotencyKey: null,
  applied: false,
  poNumber: null,
  fault: null,
});

describe('createRequestLog', () => {
  test('numbers entries from 1 and filters by id and method', () => {
    const log = createRequestLog(10);
    log.record(entry('GET'));
    log.record(entry('PATCH'));
    log.record(entry('GET'));
    expect(log.list().map((logged) => logged.id)).toEqual([1, 2, 3]);
    expect(log.list({ since: 1 }).map((logged) => logged.id)).toEqual([2, 3]);
    expect(log.list({ method: 'patch' }).map((logged) => logged.id)).toEqual([2]);
    expect(log.list({ since: 3 })).toEqual([]);
  });

  test('keeps the most recent entries when full', () => {
    const log = createRequestLog(3);
    for (let index = 0; index < 5; index++) log.record(entry('GET', `/api/${index}`));
    expect(log.size).toBe(3);
    expect(log.list().map((logged) => logged.path)).toEqual(['/api/2', '/api/3', '/api/4']);
    expect(log.list({ since: 0 }).map((logged) => logged.id)).toEqual([3, 4, 5]);
    expect(log.list({ since: 4 }).map((logged) => logged.id)).toEqual([5]);
  });

  test('clear empties the log; ids keep increasing', () => {
    const log = createRequestLog(3);
    log.record(entry('GET'));
    log.record(entry('GET'));
    log.clear();
    expect(log.list()).toEqual([]);
    expect(log.record(entry('GET')).id).toBe(3);
    expect(log.list({ since: 0 }).map((logged) => logged.id)).toEqual([3]);
  });

  test('refuses a capacity that is not a positive integer', () => {
    expect(() => createRequestLog(0)).toThrow('request log capacity must be a positive integer, got 0');
  });
});
