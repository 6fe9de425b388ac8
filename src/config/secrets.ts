import { Buffer } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors/index.ts';

/**
 * `${ENV}` and `${file:…}` references in configuration, and keeping their values out of logs and
 * error messages.
 *
 * Config files name secrets (`token: ${ERP_TOKEN}`, `clientSecret: ${file:/run/secrets/erp}`)
 * instead of holding them. `resolveSecrets` substitutes them once, before the config is validated,
 * and reports which values are secrets so every layer that prints text can pass it through `redact`.
 */

/** The environment references are resolved against; `process.env` fits. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** One `${NAME}` or `${file:…}` reference found in a config value. */
export interface SecretReference {
  /** Key path of the value that held the reference, e.g. `connectors.erp.auth.token`. */
  path: string;
  /**
   * What the reference names, as written between `${` and `}` without a default: the environment
   * variable (`ERP_TOKEN`), or `file:` and the path (`file:secrets/erp`).
   */
  variable: string;
  /** For a file reference only: the absolute path of the file that was read. */
  file?: string;
  /** True when the value is treated as a secret (see {@link isSensitiveName}); always for a file. */
  sensitive: boolean;
}

export interface ResolvedSecrets {
  /** The input with every reference substituted; same shape, strings stay strings. */
  value: unknown;
  /** Every reference found, in document order. */
  references: SecretReference[];
  /** The substituted values of sensitive references, for {@link redact}. */
  secrets: string[];
}

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Secrets shorter than this are not redacted from free text: replacing every `ab` in a message would
 * make it unreadable, and a value that short protects nothing anyway.
 */
export const MIN_REDACTED_LENGTH = 4;

const SENSITIVE = /auth|token|secret|passw|pwd|key|credential|cookie|session|signature|private/i;
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
const FILE_PREFIX = 'file:';
/**
 * Largest secret file read. A secret is a few hundred bytes; a bound keeps a mistaken path (a log,
 * a disk image) from being read whole into memory.
 */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;
/** `$${` is an escaped, literal `${`; otherwise `${…}`, possibly unclosed. */
const REFERENCE = /\$\$\{|\$\{([^}]*)(\})?/g;

/**
 * True for a config key or variable name that usually holds a secret: `token`, `password`,
 * `apiKey`, `ERP_SECRET`, `Authorization`, `X-Session-Id`…
 */
export function isSensitiveName(name: string): boolean {
  return SENSITIVE.test(name);
}

/**
 * Substitutes `${NAME}` and `${NAME:-default}` in every string of `value`, recursively through
 * objects and arrays; `$${` writes a literal `${`. As in a shell, `:-` also applies when the
 * variable is set but empty.
 *
 * `${file:/run/secrets/erp}` is the content of that file, trailing line breaks removed (as `echo`
 * and most editors leave one). A relative path, `${file:secrets/erp}`, resolves against `baseDir`.
 * The path runs to the first `}`; a file value has no default (`${file:-x}` still means the variable
 * `file` with default `x`; write `${file:./-x}` for a file named `-x`). Secret files must be regular files
 * of at most {@link MAX_SECRET_FILE_BYTES} bytes and not empty.
 *
 * A value counts as a secret when it comes from a file, or when its key, any key above it named
 * `auth`, or the variable name looks sensitive ({@link isSensitiveName}); a `baseUrl: ${ERP_URL}`
 * stays printable.
 *
 * @param path key path of `value`, used in error messages, e.g. `connectors.erp`; `''` for the root.
 * @param baseDir folder that relative `${file:…}` paths resolve against, usually the config file's.
 *   Without it a relative file reference is a ConfigError: guessing (the working directory) could
 *   read the wrong file.
 * @throws ConfigError naming the key path and the variable when a variable without default is unset
 *   or empty, naming the key path and the file when a file is missing, unreadable or empty, or when
 *   a reference is malformed.
 * @example
 *   resolveSecrets({ token: '${ERP_TOKEN}' }, { ERP_TOKEN: 's3cret' }, 'connectors.erp')
 *   // → { value: { token: 's3cret' }, secrets: ['s3cret'], references: [...] }
 *   resolveSecrets({ auth: { clientSecret: '${file:secrets/erp}' } }, {}, 'connectors.erp', '/etc/erpbridge')
 *   // reads /etc/erpbridge/secrets/erp
 */
export function resolveSecrets(
  value: unknown,
  env: Environment,
  path: string,
  baseDir?: string,
): ResolvedSecrets {
  const references: SecretReference[] = [];
  const secrets = new Set<string>();
  const walk = (node: unknown, at: string, sensitiveAbove: boolean): unknown => {
    if (typeof node === 'string') {
      return substitute(node, at, env, baseDir, (reference, resolved) => {
        const sensitive =
          reference.file !== undefined ||
          sensitiveAbove ||
          isSensitiveName(lastSegment(at)) ||
          isSensitiveName(reference.variable);
        references.push({ path: at, ...reference, sensitive });
        if (sensitive && resolved !== '') secrets.add(resolved);
      });
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, `${at}[${index}]`, sensitiveAbove));
    if (isPlainObject(node)) {
      // fromEntries defines own properties: a "__proto__" key stays a key, not a prototype.
      return Object.fromEntries(
        Object.entries(node).map(([key, child]) => [
          key,
          walk(child, at === '' ? key : `${at}.${key}`, sensitiveAbove || key === 'auth'),
        ]),
      );
    }
    return node;
  };
  const resolved = walk(value, path, false);
  return { value: resolved, references, secrets: [...secrets] };
}

function substitute(
  text: string,
  path: string,
  env: Environment,
  baseDir: string | undefined,
  found: (reference: { variable: string; file?: string }, value: string) => void,
): string {
  return text.replace(REFERENCE, (match: string, body: string | undefined, closed: string | undefined) => {
    if (match === '$${') return '${';
    if (closed === undefined) {
      throw new ConfigError('unclosed "${" in value; write "$${" for a literal "${"', { key: path });
    }
    // `${file:-x}` already meant "variable file, default x"; it keeps that meaning.
    if (body?.startsWith(FILE_PREFIX) && !body.startsWith(`${FILE_PREFIX}-`)) {
      const written = body.slice(FILE_PREFIX.length);
      const file = secretFilePath(written, baseDir, path);
      const resolved = readSecretFile(file, path);
      found({ variable: body, file }, resolved);
      return resolved;
    }
    const parsed = VARIABLE.exec(body ?? '');
    const variable = parsed?.[1];
    if (parsed === null || variable === undefined) {
      throw new ConfigError('malformed reference: expected ${NAME}, ${NAME:-default} or ${file:/path}', {
        key: path,
      });
    }
    const fallback = parsed[2];
    const fromEnv = env[variable];
    const resolved = fromEnv === undefined || fromEnv === '' ? fallback : fromEnv;
    if (resolved === undefined) {
      const state = fromEnv === undefined ? 'is not set' : 'is empty';
      throw new ConfigError(
        `environment variable ${variable} ${state}; set it, or write \${${variable}:-default} for a default`,
        { key: path },
      );
    }
    found({ variable }, resolved);
    return resolved;
  });
}

function secretFilePath(written: string, baseDir: string | undefined, path: string): string {
  if (written.trim() === '') {
    throw new ConfigError('malformed reference: ${file:} names no file; write ${file:/path/to/secret}', {
      key: path,
    });
  }
  if (isAbsolute(written)) return written;
  if (baseDir === undefined) {
    throw new ConfigError(
      `secret file "${written}" is a relative path and there is no config folder to resolve it against; write an absolute path`,
      { key: path },
    );
  }
  return resolve(baseDir, written);
}

/**
 * The content of a secret file, trailing line breaks removed. Bounded: a regular file of at most
 * {@link MAX_SECRET_FILE_BYTES} bytes, so a path to a FIFO or a device cannot hang or flood the load.
 */
function readSecretFile(file: string, path: string): string {
  const problem = (what: string) => new ConfigError(`secret file ${file} ${what}`, { key: path });
  let descriptor: number;
  try {
    // Non-blocking: opening a FIFO would otherwise wait for a writer; it is refused below.
    descriptor = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw problem(unreadable(cause));
  }
  try {
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) throw problem('is not a regular file');
    if (stats.size > MAX_SECRET_FILE_BYTES) {
      throw problem(`is ${stats.size} bytes; a secret file holds at most ${MAX_SECRET_FILE_BYTES}`);
    }
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    while (read < buffer.length) {
      const count = readSync(descriptor, buffer, read, buffer.length - read, read);
      if (count === 0) break;
      read += count;
    }
    const text = buffer
      .subarray(0, read)
      .toString('utf8')
      .replace(/[\r\n]+$/, '');
    if (text === '') throw problem('is empty');
    return text;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw problem(unreadable(error));
  } finally {
    closeSync(descriptor);
  }
}

/** What is wrong with a file, by the failure's code; never quotes the file's content. */
function unreadable(error: unknown): string {
  const code: unknown = error instanceof Error ? Reflect.get(error, 'code') : undefined;
  switch (code) {
    case 'ENOENT':
      return 'does not exist; check the path';
    case 'EACCES':
    case 'EPERM':
      return 'is not readable by this user; check its permissions';
    case 'EISDIR':
      return 'is not a regular file';
    default:
      return `cannot be read (${typeof code === 'string' ? code : String(error)})`;
  }
}

/**
 * Replaces every occurrence of each secret (and of its URL-encoded form) in `text` with
 * {@link REDACTED}. Longer secrets go first, so one that contains another is hidden whole.
 * Secrets shorter than {@link MIN_REDACTED_LENGTH} are left alone.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_REDACTED_LENGTH) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  let out = text;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) {
    out = out.split(form).join(REDACTED);
  }
  return out;
}

function lastSegment(path: string): string {
  const dot = path.lastIndexOf('.');
  return dot === -1 ? path : path.slice(dot + 1);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
