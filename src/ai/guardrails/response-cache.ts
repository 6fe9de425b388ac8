import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErpError } from '../../errors/index.ts';

/**
 * A cache of LLM answers per record, so a record asked again with the same prompt and model costs
 * nothing. It holds what the model answered for the redacted record — placeholders, never the
 * personal data behind them — and only answers that passed validation.
 *
 * Two kinds: in memory (per process), and a JSON-lines file (default `.erpbridge/llm-cache.jsonl`)
 * that outlives the process. The store's database is not used on purpose: a cache is derived data
 * that may be deleted at any time, and it needs no migration.
 */
export interface ResponseCache {
  get(key: string): Promise<unknown>;
  set(key: string, answer: unknown): Promise<void>;
}

/** What a cache key is made of. Any change to one of them is a miss. */
export interface CacheKeyParts {
  /** The model name as configured. */
  model: string;
  /** `classify`, `extract` or `detect`. */
  kind: string;
  /** The task's name. */
  task: string;
  /** The task's prompt version and the provider's. */
  promptVersion: string;
  /** sha256 of the system message (instructions, labels, schema): a changed prompt is a miss. */
  promptDigest: string;
  /** The record as sent (after the allowlist and redaction), without its position id. */
  input: string;
}

/** sha256 (hex) of a text. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The key of one record's answer: sha256 over input hash, model and prompt version. Pure. */
export function cacheKey(parts: CacheKeyParts): string {
  return sha256(
    [parts.model, parts.kind, parts.task, parts.promptVersion, parts.promptDigest, sha256(parts.input)].join(
      '\n',
    ),
  );
}

/** Default number of answers a cache keeps; the least recently used go first. */
export const DEFAULT_CACHE_ENTRIES = 50_000;

/** An in-memory cache, least recently used out first. */
export function createMemoryCache(
  options: { maxEntries?: number } = {},
): ResponseCache & { readonly size: number } {
  const lru = new Lru(options.maxEntries ?? DEFAULT_CACHE_ENTRIES);
  return {
    get: async (key) => lru.get(key),
    set: async (key, answer) => {
      lru.set(key, answer);
    },
    get size() {
      return lru.size;
    },
  };
}

const FILE_HEADER = { format: 'erpbridge-llm-cache', version: 1 } as const;

/** A file cache as opened: how many entries it read, and what it had to skip or drop. */
export interface FileCache extends ResponseCache {
  readonly path: string;
  readonly size: number;
  /** Lines that could not be read when it was opened (a cut-off last line after a crash). */
  readonly skipped: number;
  /** Why an existing file was started afresh (another format version), if it was. */
  readonly replaced: string | undefined;
  /** Waits for the appends in flight. */
  flush(): Promise<void>;
}

/**
 * Opens (or creates) a JSON-lines cache file. Each answer is appended as it is cached; when the file
 * holds twice `maxEntries` lines it is rewritten with only the entries kept (written aside, then
 * renamed into place). Several processes may append to one file; each reads what the others wrote
 * when it next opens it.
 */
export async function openFileCache(path: string, options: { maxEntries?: number } = {}): Promise<FileCache> {
  const maxEntries = options.maxEntries ?? DEFAULT_CACHE_ENTRIES;
  const lru = new Lru(maxEntries);
  let skipped = 0;
  let replaced: string | undefined;
  let lines = 0;
  await mkdir(dirname(path), { recursive: true });
  if (existsSync(path)) {
    const text = await readFile(path, 'utf8');
    const [header = '', ...rest] = text.split('\n');
    if (header !== JSON.stringify(FILE_HEADER)) {
      replaced = `${path} is not an erpbridge LLM cache of version ${FILE_HEADER.version}; it was started afresh`;
      await writeFile(path, `${JSON.stringify(FILE_HEADER)}\n`);
    } else {
      for (const line of rest) {
        if (line.trim() === '') continue;
        lines++;
        const entry = parseEntry(line);
        if (entry === undefined) skipped++;
        else lru.set(entry.key, entry.answer);
      }
    }
  } else {
    await writeFile(path, `${JSON.stringify(FILE_HEADER)}\n`);
  }

  let writes: Promise<void> = Promise.resolve();
  const enqueue = (write: () => Promise<void>): Promise<void> => {
    writes = writes.then(write, write);
    return writes;
  };
  const compact = async (): Promise<void> => {
    const body = [...lru.entries()].map(([key, answer]) => JSON.stringify({ key, answer })).join('\n');
    const aside = `${path}.${process.pid}.tmp`;
    await writeFile(aside, `${JSON.stringify(FILE_HEADER)}\n${body}${body ? '\n' : ''}`);
    await rename(aside, path);
    lines = lru.size;
  };

  return {
    path,
    get size() {
      return lru.size;
    },
    skipped,
    replaced,
    get: async (key) => lru.get(key),
    set: (key, answer) => {
      lru.set(key, answer);
      return enqueue(async () => {
        try {
          await appendFile(path, `${JSON.stringify({ key, answer })}\n`);
          lines++;
          if (lines >= 2 * maxEntries) await compact();
        } catch (error) {
          throw new ErpError('transient', `could not write the LLM cache ${path}: ${String(error)}`, {
            file: path,
            cause: error,
            hint: 'check that the folder is writable, or set ai.cache.kind: memory',
          });
        }
      });
    },
    flush: () => writes,
  };
}

function parseEntry(line: string): { key: string; answer: unknown } | undefined {
  try {
    const entry: unknown = JSON.parse(line);
    if (typeof entry === 'object' && entry !== null && 'key' in entry && typeof entry.key === 'string') {
      return { key: entry.key, answer: 'answer' in entry ? entry.answer : undefined };
    }
  } catch {
    // A line cut off by a crash mid-append: counted in `skipped`, the rest of the file is still used.
  }
  return undefined;
}

/** A Map in least-recently-used order: reading an entry moves it to the back. */
class Lru {
  readonly #max: number;
  readonly #map = new Map<string, unknown>();

  constructor(max: number) {
    if (!(Number.isInteger(max) && max > 0))
      throw new RangeError(`maxEntries must be a positive integer, got ${max}`);
    this.#max = max;
  }

  get size(): number {
    return this.#map.size;
  }

  get(key: string): unknown {
    if (!this.#map.has(key)) return undefined;
    const value = this.#map.get(key);
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  set(key: string, value: unknown): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
  }

  entries(): IterableIterator<[string, unknown]> {
    return this.#map.entries();
  }
}
