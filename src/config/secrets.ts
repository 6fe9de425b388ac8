import { ConfigError } from '../errors/index.ts';

/**
 * `${ENV}` references in configuration, and keeping their values out of logs and error messages.
 *
 * Config files name secrets (`token: ${ERP_TOKEN}`) instead of holding them. `resolveSecrets`
 * substitutes them once, before the config is validated, and reports which values are secrets so
 * every layer that prints text can pass it through `redact`.
 */

/** The environment references are resolved against; `process.env` fits. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** One `${NAME}` reference found in a config value. */
export interface SecretReference {
  /** Key path of the value that held the reference, e.g. `connectors.erp.auth.token`. */
  path: string;
  /** The environment variable it names. */
  variable: string;
  /** True when the value is treated as a secret (see {@link isSensitiveName}). */
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
 * A value counts as a secret when its key, any key above it named `auth`, or the variable name
 * looks sensitive ({@link isSensitiveName}); a `baseUrl: ${ERP_URL}` stays printable.
 *
 * @param path key path of `value`, used in error messages, e.g. `connectors.erp`; `''` for the root.
 * @throws ConfigError naming the key path and the variable when a variable without default is unset
 *   or empty, or when a reference is malformed.
 * @example
 *   resolveSecrets({ token: '${ERP_TOKEN}' }, { ERP_TOKEN: 's3cret' }, 'connectors.erp')
 *   // → { value: { token: 's3cret' }, secrets: ['s3cret'], references: [...] }
 */
export function resolveSecrets(value: unknown, env: Environment, path: string): ResolvedSecrets {
  const references: SecretReference[] = [];
  const secrets = new Set<string>();
  const walk = (node: unknown, at: string, sensitiveAbove: boolean): unknown => {
    if (typeof node === 'string') {
      return substitute(node, at, env, (variable, resolved) => {
        const sensitive = sensitiveAbove || isSensitiveName(lastSegment(at)) || isSensitiveName(variable);
        references.push({ path: at, variable, sensitive });
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
  found: (variable: string, value: string) => void,
): string {
  return text.replace(REFERENCE, (match: string, body: string | undefined, closed: string | undefined) => {
    if (match === '$${') return '${';
    if (closed === undefined) {
      throw new ConfigError('unclosed "${" in value; write "$${" for a literal "${"', { key: path });
    }
    const parsed = VARIABLE.exec(body ?? '');
    const variable = parsed?.[1];
    if (parsed === null || variable === undefined) {
      throw new ConfigError('malformed reference: expected ${NAME} or ${NAME:-default}', { key: path });
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
    found(variable, resolved);
    return resolved;
  });
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
