import { describe, expect, test } from 'vitest';
import { createSapSessionStore } from './sap-sessions.ts';

describe('createSapSessionStore', () => {
  test('a session lives while it is used and ends after its idle time, dropping its changes and locks', () => {
    let now = 0;
    const store = createSapSessionStore({ idleMs: 1000, now: () => now });
    const session = store.open();
    session.pending.set('0045000001', { priority: '1' });
    const other = store.oneCall();
    expect(store.lockHolder('0045000001', other)).toBe(session);
    now = 900;
    expect(store.find(session.id)).toBe(session);
    now = 1899;
    expect(store.lockHolder('0045000001', other)).toBe(session);
    now = 2900;
    expect(store.lockHolder('0045000001', other)).toBeNull();
    expect(store.find(session.id)).toBeNull();
    expect(session.pending.size).toBe(0);
  });

  test('one-call sessions are never found, and the least recently used session gives way past the cap', () => {
    const store = createSapSessionStore({ maxSessions: 2 });
    const oneCall = store.oneCall();
    expect(oneCall.stateful).toBe(false);
    expect(store.find(oneCall.id)).toBeNull();
    const first = store.open();
    const second = store.open();
    store.find(first.id);
    const third = store.open();
    expect(store.find(second.id)).toBeNull();
    expect(store.find(first.id)).toBe(first);
    expect(store.find(third.id)).toBe(third);
  });
});
