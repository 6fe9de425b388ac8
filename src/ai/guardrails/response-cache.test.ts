import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheKey, createMemoryCache, openFileCache } from './response-cache.ts';

const parts = {
  model: 'gpt-4o-mini',
  kind: 'classify',
  task: 'po-urgency',
  promptVersion: 'po-urgency@p1+llm2',
  promptDigest: 'abc',
  input: '{"daysToNeed":3}',
};

describe('cacheKey', () => {
  it('changes with the input, the model and the prompt version, and with nothing else', () => {
    const key = cacheKey(parts);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(cacheKey({ ...parts })).toBe(key);
    for (const change of [
      { input: '{"daysToNeed":4}' },
      { model: 'gpt-4o' },
      { promptVersion: 'po-urgency@p2+llm2' },
    ]) {
      expect(cacheKey({ ...parts, ...change })).not.toBe(key);
    }
  });
});

describe('createMemoryCache', () => {
  it('keeps the most recently used entries', async () => {
    const cache = createMemoryCache({ maxEntries: 2 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.get('a');
    await cache.set('c', 3);
    expect([await cache.get('a'), await cache.get('b'), await cache.get('c')]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
  });
});

describe('openFileCache', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'erpbridge-cache-'));
    dirs.push(dir);
    return join(dir, '.erpbridge', 'llm-cache.jsonl');
  };

  it('survives a restart, and skips a line cut off by a crash', async () => {
    const path = fresh();
    const cache = await openFileCache(path);
    await cache.set('k1', { label: 'urgent' });
    await cache.set('k2', { label: 'low' });
    await cache.flush();
    appendFileSync(path, '{"key":"k3","answ');

    const reopened = await openFileCache(path);
    expect(await reopened.get('k1')).toEqual({ label: 'urgent' });
    expect(await reopened.get('k2')).toEqual({ label: 'low' });
    expect(reopened.skipped).toBe(1);
    expect(reopened.size).toBe(2);
  });

  it('starts a file of another format afresh and says so', async () => {
    const path = fresh();
    await openFileCache(path);
    writeFileSync(path, '{"format":"something-else"}\n{"key":"k","answer":1}\n');
    const cache = await openFileCache(path);
    expect(cache.replaced).toContain('was started afresh');
    expect(await cache.get('k')).toBeUndefined();
  });

  it('rewrites the file with only the kept entries once it holds twice as many lines', async () => {
    const path = fresh();
    const cache = await openFileCache(path, { maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) await cache.set(key, key.toUpperCase());
    await cache.flush();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toEqual([
      '{"format":"erpbridge-llm-cache","version":1}',
      '{"key":"d","answer":"D"}',
      '{"key":"e","answer":"E"}',
      '{"key":"f","answer":"F"}',
    ]);
  });
});
