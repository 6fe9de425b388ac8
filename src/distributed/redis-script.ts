import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script, sent by its SHA-1 once Redis knows it. */
export interface LuaScript {
  /** What the script is for, in messages about a malformed reply. */
  name: string;
  source: string;
  sha: string;
}

/** Declares a script; nothing is sent until it first runs. */
export function luaScript(name: string, source: string): LuaScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Runs `script` with EVALSHA, and with EVAL when Redis does not know it yet (a fresh or restarted
 * server). Does not touch the client's command table, so it works on a client the caller owns.
 */
export async function runScript(
  redis: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}

/**
 * The reply of a script that returns a list of integers, checked.
 *
 * @throws Error naming the script when the reply is not `length` integers (a script and its caller
 *   out of step, e.g. two versions of erpbridge on one Redis).
 */
export function integerReply(script: LuaScript, reply: unknown, length: number): number[] {
  if (
    Array.isArray(reply) &&
    reply.length === length &&
    reply.every((value): value is number => typeof value === 'number' && Number.isInteger(value))
  ) {
    return reply;
  }
  throw new Error(
    `Redis script ${script.name} answered ${JSON.stringify(reply)}, not ${length} integers; are two versions of erpbridge sharing this Redis?`,
  );
}

/** The reply of a script that returns one integer, checked like {@link integerReply}. */
export function integerValue(script: LuaScript, reply: unknown): number {
  if (typeof reply === 'number' && Number.isInteger(reply)) return reply;
  throw new Error(
    `Redis script ${script.name} answered ${JSON.stringify(reply)}, not an integer; are two versions of erpbridge sharing this Redis?`,
  );
}

/** The reply of a script that returns a list of strings, checked like {@link integerReply}. */
export function stringReply(script: LuaScript, reply: unknown): string[] {
  if (Array.isArray(reply) && reply.every((value): value is string => typeof value === 'string'))
    return reply;
  throw new Error(
    `Redis script ${script.name} answered ${JSON.stringify(reply)}, not a list of strings; are two versions of erpbridge sharing this Redis?`,
  );
}
