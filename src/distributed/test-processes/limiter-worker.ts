/**
 * A worker process for the shared-budget tests. Settings (one JSON argument):
 *
 * - `mode: 'rate'`: wraps a connection to `url` with `withResilience` over the shared budget and
 *   calls it from `concurrency` loops as fast as the budget allows, from the line `go` on stdin for
 *   `durationMs`; prints `ready` first and `{"sent": n}` at the end, then exits.
 * - `mode: 'hold'`: takes `slots` in-flight slots of the shared limiter (leases of `leaseMs`),
 *   prints `held`, and keeps them until killed.
 */
import { createInterface } from 'node:readline';
import type { Connection } from '../../connectors/contract.ts';
import { RateLimitPolicy } from '../../resilience/rate-limit.ts';
import { ResiliencePolicies } from '../../resilience/resilience-config.ts';
import { withResilience } from '../../resilience/resilient-connection.ts';
import { createSharedBudget } from '../shared-budget.ts';

interface Settings {
  mode: 'rate' | 'hold';
  redisUrl: string;
  prefix: string;
  worker: string;
  rateLimit: unknown;
  leaseMs?: number;
  url?: string;
  concurrency?: number;
  durationMs?: number;
  slots?: number;
}

const settings: Settings = JSON.parse(process.argv[2] ?? '{}');
const budget = createSharedBudget({
  redisUrl: settings.redisUrl,
  prefix: settings.prefix,
  ...(settings.leaseMs === undefined ? {} : { leaseMs: settings.leaseMs }),
  onError: (error) => process.stderr.write(`${error.message}\n`),
});

if (settings.mode === 'hold') {
  const limiter = budget.rateLimiter('erp', RateLimitPolicy.parse(settings.rateLimit));
  for (let slot = 0; slot < (settings.slots ?? 1); slot++) await limiter.acquire();
  process.stdout.write('held\n');
  // Holds the slots (and renews their leases) until killed.
  setInterval(() => undefined, 60_000);
} else {
  const { url = '', concurrency = 1, durationMs = 1000 } = settings;
  const unused = (what: string) => () => Promise.reject(new Error(`${what} is not used by the rate test`));
  const connection: Connection = {
    async get(entity, key, signal) {
      const response = await fetch(`${url}/${entity}/${key}`, {
        headers: { 'x-worker': settings.worker },
        ...(signal === undefined ? {} : { signal }),
      });
      if (!response.ok) throw new Error(`the test server answered ${response.status}`);
      const data: unknown = await response.json();
      return { key, version: null, data: typeof data === 'object' && data !== null ? { ...data } : {} };
    },
    read: () => ({ [Symbol.asyncIterator]: () => ({ next: unused('read') }) }),
    write: unused('write'),
    test: () => Promise.resolve({ ok: true, message: 'test server' }),
    close: () => Promise.resolve(),
  };
  const policies = ResiliencePolicies.parse({ rateLimit: settings.rateLimit });
  const erp = withResilience(connection, policies, { connector: 'erp', sharedLimits: budget });
  const input = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of input) if (line === 'go') break;
  const time = new AbortController();
  const timer = setTimeout(() => time.abort(new Error('time is up')), durationMs);
  let sent = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!time.signal.aborted) {
        try {
          await erp.get('orders', `${settings.worker}-${next++}`, time.signal);
          sent++;
        } catch (error) {
          if (time.signal.aborted) return;
          throw error;
        }
      }
    }),
  );
  clearTimeout(timer);
  process.stdout.write(`${JSON.stringify({ sent })}\n`);
  input.close();
  await budget.close();
}
