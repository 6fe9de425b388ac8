import { isAbsolute, resolve } from 'node:path';

/**
 * Where the remote locations a WSDL set names live on disk. Keys are normalised URLs, values
 * absolute file paths. Built from the `importMap` option and a Visual Studio `Reference.svcmap`.
 */
export type ImportMap = ReadonlyMap<string, string>;

/**
 * The form a location is compared in: what `new URL()` makes of it (scheme and host lower-cased,
 * default port dropped, path and query as written — IIS may not care about case, a URL does).
 * Text that is no URL is returned as it is.
 */
export function normaliseLocation(location: string): string {
  return URL.canParse(location) ? new URL(location).href : location;
}

/**
 * The map of the `importMap` option: keys normalised, relative paths resolved against `baseDir`.
 * Entries of `fallback` (a svcmap's) are kept where `importMap` does not name the same location.
 */
export function buildImportMap(
  importMap: Readonly<Record<string, string>> | undefined,
  baseDir: string,
  fallback: ImportMap = new Map(),
): ImportMap {
  const merged = new Map(fallback);
  for (const [location, file] of Object.entries(importMap ?? {})) {
    merged.set(normaliseLocation(location), isAbsolute(file) ? file : resolve(baseDir, file));
  }
  return merged;
}
