import type { FileEntry } from './file-transport.ts';

/**
 * When a file in an inbox is complete: an ERP (or a person with a file manager) may still be
 * writing it. Without a done-marker, a file counts as complete once its size and modification time
 * have stayed the same for a window. Pure functions over listings, so the rule is tested alone.
 */

/** What was seen of one file: its size and mtime, and since when they have not changed. */
export interface Sighting {
  size: number;
  mtimeMs: number;
  /** When this size and mtime were first seen (ms, the caller's clock). */
  since: number;
}

/**
 * The sightings after a new listing: a file whose size or mtime changed starts over; a file no
 * longer listed is forgotten. Pure.
 */
export function observe(
  previous: ReadonlyMap<string, Sighting>,
  listing: readonly FileEntry[],
  now: number,
): Map<string, Sighting> {
  const next = new Map<string, Sighting>();
  for (const entry of listing) {
    const seen = previous.get(entry.name);
    const unchanged = seen !== undefined && seen.size === entry.size && seen.mtimeMs === entry.mtimeMs;
    next.set(entry.name, unchanged ? seen : { size: entry.size, mtimeMs: entry.mtimeMs, since: now });
  }
  return next;
}

/** True when the file has looked the same for at least `stableMs`. Pure. */
export function isStable(sighting: Sighting, now: number, stableMs: number): boolean {
  return now - sighting.since >= stableMs;
}
