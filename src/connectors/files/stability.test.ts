import { describe, expect, it } from 'vitest';
import { isStable, observe, type Sighting } from './stability.ts';

const entry = (name: string, size: number, mtimeMs = 1000) => ({ name, size, mtimeMs });

/** The sighting of `name`, failing the test when there is none. */
function sighting(seen: ReadonlyMap<string, Sighting>, name: string): Sighting {
  const found = seen.get(name);
  if (found === undefined) throw new Error(`${name} was not seen`);
  return found;
}

describe('observe and isStable', () => {
  it('counts a file stable only after its size and mtime held for the window', () => {
    let seen: Map<string, Sighting> = observe(new Map(), [entry('a.csv', 10)], 0);
    expect(isStable(sighting(seen, 'a.csv'), 0, 100)).toBe(false);
    seen = observe(seen, [entry('a.csv', 10)], 60);
    expect(isStable(sighting(seen, 'a.csv'), 60, 100)).toBe(false);
    seen = observe(seen, [entry('a.csv', 10)], 100);
    expect(isStable(sighting(seen, 'a.csv'), 100, 100)).toBe(true);
  });

  it('starts over when the file grows or is touched, and forgets files that went away', () => {
    let seen = observe(new Map(), [entry('a.csv', 10), entry('b.csv', 5)], 0);
    seen = observe(seen, [entry('a.csv', 20), entry('b.csv', 5, 2000)], 150);
    expect(seen.get('a.csv')?.since).toBe(150);
    expect(seen.get('b.csv')?.since).toBe(150);
    seen = observe(seen, [entry('a.csv', 20)], 300);
    expect(isStable(sighting(seen, 'a.csv'), 300, 100)).toBe(true);
    expect(seen.has('b.csv')).toBe(false);
  });

  it('with a zero window, a file is stable when first seen', () => {
    const seen = observe(new Map(), [entry('a.csv', 0)], 5);
    expect(isStable(sighting(seen, 'a.csv'), 5, 0)).toBe(true);
  });
});
