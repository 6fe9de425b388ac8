/**
 * Names of everything erpbridge keeps in Redis, in one place. Every key of a deployment starts with
 * `erpbridge:{<prefix>}:` — the braces are a Redis Cluster hash tag, so all keys of one deployment
 * live in one slot and the multi-key Lua scripts of this folder run on a cluster as well.
 */

/** A deployment prefix: letters, digits, `_`, `-`, `.`; 1–64 characters. */
const PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The start of every key of the deployment `prefix`: `erpbridge:{prefix}`.
 *
 * @throws Error naming the prefix when it is empty, too long or holds a character that would break
 *   the key layout (`:`, braces, spaces).
 */
export function deploymentTag(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(
      `Redis key prefix "${prefix}" is not usable: use 1–64 letters, digits, "_", "-" or "." (no ":", braces or spaces)`,
    );
  }
  return `erpbridge:{${prefix}}`;
}

/** Keys of one connector's rate limit: `erpbridge:{prefix}:rate:<connector>` and keys under it. */
export function rateKey(prefix: string, connector: string): string {
  return `${deploymentTag(prefix)}:rate:${connector}`;
}

/** Keys of one connector's shared adaptive concurrency: `erpbridge:{prefix}:adaptive:<connector>`. */
export function adaptiveKey(prefix: string, connector: string): string {
  return `${deploymentTag(prefix)}:adaptive:${connector}`;
}

/** The key of a leader lease: `erpbridge:{prefix}:leader:<name>`. */
export function leaderKey(prefix: string, name: string): string {
  return `${deploymentTag(prefix)}:leader:${name}`;
}

/**
 * The key recording that one schedule's fire slot has fired:
 * `erpbridge:{prefix}:fire:<workflow>:<scheduled time, ISO 8601>`.
 */
export function fireKey(prefix: string, workflow: string, scheduledAt: Date): string {
  return `${deploymentTag(prefix)}:fire:${workflow}:${scheduledAt.toISOString()}`;
}

/**
 * Where a Redis URL points, for messages: scheme, host, port and database, never the user or the
 * password. An unreadable URL is reported as such, not echoed (it may hold a password).
 */
export function redisLocation(url: string): string {
  try {
    const parsed = new URL(url);
    const database = parsed.pathname && parsed.pathname !== '/' ? parsed.pathname : '';
    const port = parsed.port || (/^rediss?:$/.test(parsed.protocol) ? '6379' : '');
    return `${parsed.protocol}//${parsed.hostname}${port ? `:${port}` : ''}${database}`;
  } catch {
    return 'an unreadable Redis URL';
  }
}
