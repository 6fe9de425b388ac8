/**
 * A scheduler instance for the leader tests. Settings (one JSON argument): `redisUrl`, `prefix`,
 * `cron`, `ttlMs`, `firesKey`. Runs a leader scheduler with one workflow, `nightly`, whose fire
 * appends `{pid, slot, firedAt}` to the Redis list `firesKey`. Prints `ready` once started, `leader`
 * when it takes the lease; on SIGTERM stops cleanly (releases the lease) and exits.
 */
import { Redis } from 'ioredis';
import { createLeaderScheduler } from '../leader-scheduler.ts';

interface Settings {
  redisUrl: string;
  prefix: string;
  cron: string;
  ttlMs: number;
  firesKey: string;
}

const settings: Settings = JSON.parse(process.argv[2] ?? '{}');
const redis = new Redis(settings.redisUrl);
const scheduler = createLeaderScheduler({
  redis,
  prefix: settings.prefix,
  ttlMs: settings.ttlMs,
  schedules: [{ workflow: 'nightly', cron: settings.cron }],
  fire: async (workflow, slot) => {
    const record = { pid: process.pid, workflow, slot: slot.scheduledAt.toISOString(), firedAt: Date.now() };
    await redis.rpush(settings.firesKey, JSON.stringify(record));
  },
  onLeadership: (change) => process.stdout.write(change.leader ? 'leader\n' : `lost ${change.reason}\n`),
  onError: (workflow, error) =>
    process.stderr.write(
      `${workflow ?? 'scheduler'}: ${error instanceof Error ? error.message : String(error)}\n`,
    ),
});
scheduler.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void scheduler.stop().then(async () => {
    await redis.quit();
    process.exit(0);
  });
});
