/**
 * Acceptance (issue 9): two `erpbridge serve --distributed` instances share one schedule; only the
 * holder of the Redis leader lease fires it. SIGKILL the leader: the other fires the next tick
 * within 15 s, and no tick fires twice.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../scripts/build.mjs';
import { deploymentTag } from '../src/distributed/redis-keys.ts';
import { TEST_REDIS_URL } from '../src/distributed/test-redis.ts';
import type { CliContext } from '../src/runtime/context.ts';
import {
  type Deployment,
  distributedUnavailable,
  killChildren,
  startDeployment,
  startWorkers,
} from './support/distributed.ts';
import { PROJECT_ROOT } from './support/harness.ts';

const unavailable = await distributedUnavailable();
if (unavailable) process.stderr.write(`skipping the distributed tests: ${unavailable}\n`);

/** Every 3 seconds. */
const EVERY_MS = 3000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Fire {
  scheduledAt: number;
  pid: number;
}

describe.skipIf(unavailable !== null)('distributed: the scheduler leader', () => {
  let deployment: Deployment;
  let context: CliContext;
  let redis: Redis;
  const services: ChildProcess[] = [];

  beforeAll(async () => {
    deployment = await startDeployment({
      name: 'leader',
      orders: 300,
      history: 6000,
      workflow: { labels: ['urgent'], policy: 'review', schedule: '*/3 * * * * *' },
      requestsPerSecond: null,
    });
    context = await deployment.open();
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    for (const service of services) service.kill('SIGKILL');
    killChildren();
    await redis?.quit();
    await context?.close();
    await deployment?.cleanup();
  });

  const fires = async (): Promise<Fire[]> => {
    const pattern = `${deploymentTag(deployment.prefix)}:fire:po-urgency:*`;
    const found: Fire[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const record = JSON.parse((await redis.get(key)) ?? '{}') as { pid?: number };
        const at = key.slice(key.indexOf(':po-urgency:') + ':po-urgency:'.length);
        found.push({ scheduledAt: Date.parse(at), pid: record.pid ?? -1 });
      }
    } while (cursor !== '0');
    return found.sort((a, b) => a.scheduledAt - b.scheduledAt);
  };

  it('another instance fires the next tick within 15 s of the leader’s death; none fires twice', async () => {
    await startWorkers(deployment, 1);
    await ensureBuilt();
    for (const name of ['a', 'b']) services.push(await startService(deployment, name));

    // Wait for the leader to fire a few ticks.
    const deadline = Date.now() + 60_000;
    while ((await fires()).length < 3) {
      if (Date.now() > deadline) throw new Error('the schedule did not fire three times within 60 s');
      await sleep(250);
    }
    const before = await fires();
    const leaderPid = before.at(-1)?.pid;
    const leader = services.find((service) => service.pid === leaderPid);
    if (!leader) throw new Error(`the fires name pid ${leaderPid}, which is not one of the services`);
    expect(new Set(before.map((fire) => fire.pid))).toEqual(new Set([leaderPid]));

    const killedAt = Date.now();
    leader.kill('SIGKILL');
    let takenOver: Fire | undefined;
    while (takenOver === undefined) {
      if (Date.now() - killedAt > 30_000) throw new Error('no other instance fired within 30 s');
      takenOver = (await fires()).find((fire) => fire.pid !== leaderPid);
      await sleep(250);
    }
    // Two more ticks by the new leader.
    while ((await fires()).filter((fire) => fire.pid !== leaderPid).length < 3) await sleep(250);

    const delayMs = takenOver.scheduledAt - killedAt;
    process.stderr.write(
      `distributed leader: the next fire came ${delayMs} ms after the leader was killed\n`,
    );
    expect(delayMs).toBeLessThanOrEqual(15_000);

    // No tick fired twice: one fire per slot, and one schedule trigger per slot in the audit log.
    const all = await fires();
    const slots = all.map((fire) => fire.scheduledAt);
    expect(new Set(slots).size).toBe(slots.length);
    for (const slot of slots) expect(slot % EVERY_MS).toBe(0);
    const triggers = (await context.store.readAudit({ typePrefix: 'trigger.schedule' })).map(
      (entry) => Math.floor(Date.parse(entry.at) / EVERY_MS) * EVERY_MS,
    );
    expect(new Set(triggers).size).toBe(triggers.length);
    expect(triggers.length).toBeGreaterThanOrEqual(all.length - 1);
  }, 240_000);
});

/** `erpbridge serve --distributed` as a child process, on a free port; resolves once it listens. */
async function startService(deployment: Deployment, name: string): Promise<ChildProcess> {
  const data = join(deployment.dir, `service-${name}`);
  mkdirSync(data, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, 'bin/erpbridge.mjs'),
      '--config',
      deployment.configFile,
      'serve',
      '--distributed',
      '--port',
      '0',
      '--data',
      data,
      '--no-sandbox',
    ],
    { cwd: PROJECT_ROOT, env: deployment.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service ${name} did not start: ${stderr}`)), 60_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.includes('listening at')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service ${name} exited with ${code}: ${stderr}`));
    });
  });
  return child;
}
