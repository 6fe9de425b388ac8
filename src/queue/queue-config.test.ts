import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.ts';
import { ConfigError } from '../errors/index.ts';
import { QueueConfig } from './queue-config.ts';

describe('queue: in erpbridge.yaml', () => {
  it('takes a URL alone, with the defaults and why they are what they are', () => {
    expect(QueueConfig.parse('redis://127.0.0.1:6379')).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
      prefix: 'default',
      lockDurationMs: 10_000,
      stalledIntervalMs: 2000,
    });
  });

  it('takes the long form', () => {
    expect(
      QueueConfig.parse({
        kind: 'redis',
        url: 'rediss://user:secret@redis.internal:6380/2',
        prefix: 'prod-eu',
        lockDurationMs: 30_000,
        stalledIntervalMs: 5000,
      }),
    ).toMatchObject({ prefix: 'prod-eu', lockDurationMs: 30_000, stalledIntervalMs: 5000 });
  });

  it.each([
    ['a URL that is not redis', 'http://127.0.0.1:6379', 'url', 'redis:// or rediss://'],
    ['a prefix with a colon', { url: 'redis://h:1', prefix: 'a:b' }, 'prefix', 'braces or spaces'],
    ['a lock shorter than 2 s', { url: 'redis://h:1', lockDurationMs: 500 }, 'lockDurationMs', '>=2000'],
    [
      'a stalled check no shorter than the lock',
      { url: 'redis://h:1', lockDurationMs: 5000, stalledIntervalMs: 5000 },
      'stalledIntervalMs',
      'shorter than lockDurationMs',
    ],
    ['an unknown key', { url: 'redis://h:1', lockMs: 1 }, '', 'lockMs'],
  ])('refuses %s', (_, value, path, message) => {
    const parsed = QueueConfig.safeParse(value);
    expect(parsed.success).toBe(false);
    const issue = parsed.error?.issues[0];
    expect(issue?.path.join('.')).toBe(path);
    expect(JSON.stringify(issue)).toContain(message);
  });

  it('is read from the file at the top level, an error naming file, line and key', () => {
    const config = parseConfig('queue: redis://127.0.0.1:6379\n', '/etc/erpbridge/erpbridge.yaml', {});
    expect(config.config.queue?.url).toBe('redis://127.0.0.1:6379');
    expect(parseConfig('version: 1\n', '/etc/erpbridge/erpbridge.yaml', {}).config.queue).toBeUndefined();
    let error: unknown;
    try {
      parseConfig(
        'version: 1\nqueue:\n  url: redis://h:1\n  prefix: "{bad}"\n',
        '/etc/erpbridge/erpbridge.yaml',
        {},
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ file: '/etc/erpbridge/erpbridge.yaml', line: 4, key: 'queue.prefix' });
  });

  it('resolves a ${REDIS_URL} reference, so a password stays out of the file', () => {
    const config = parseConfig('queue: { url: "${REDIS_URL}", prefix: prod }\n', '/srv/erpbridge.yaml', {
      REDIS_URL: 'redis://:s3cret@redis:6379',
    });
    expect(config.config.queue?.url).toBe('redis://:s3cret@redis:6379');
  });
});
