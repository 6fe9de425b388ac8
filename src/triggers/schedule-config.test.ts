import { describe, expect, it } from 'vitest';
import {
  cronProblem,
  ScheduleTrigger,
  TriggersConfig,
  timeZoneProblem,
  WebhookTrigger,
} from './schedule-config.ts';

const SECRET = 'a'.repeat(16);

describe('TriggersConfig', () => {
  it('an empty section has no trigger', () => {
    expect(TriggersConfig.parse({})).toEqual({});
  });

  it('fills the documented defaults', () => {
    expect(TriggersConfig.parse({ schedule: { cron: '0 6 * * 1-5' }, webhook: { secret: SECRET } })).toEqual({
      schedule: { cron: '0 6 * * 1-5', dryRun: false },
      webhook: { secret: SECRET, toleranceSeconds: 300, dryRun: false },
    });
  });

  it('keeps what it is told', () => {
    const triggers = TriggersConfig.parse({
      schedule: { cron: '*/15 * * * *', timezone: 'Europe/Berlin', dryRun: true },
      webhook: { secret: SECRET, toleranceSeconds: 60, dryRun: true },
    });
    expect(triggers.schedule).toEqual({ cron: '*/15 * * * *', timezone: 'Europe/Berlin', dryRun: true });
    expect(triggers.webhook).toEqual({ secret: SECRET, toleranceSeconds: 60, dryRun: true });
  });

  it.each([
    ['seconds first', '*/30 * * * * *'],
    ['a nickname', '@daily'],
    ['names', '0 6 * JAN-MAR MON-FRI'],
  ])('accepts %s: %s', (_, cron) => {
    expect(ScheduleTrigger.safeParse({ cron }).success).toBe(true);
  });

  it.each([
    ['61 * * * *', 'invalid cron expression "61 * * * *": CronPattern: Invalid value for minute: 61'],
    [
      'every morning',
      `invalid cron expression "every morning": CronPattern: invalid configuration format ('every morning'), exactly five, six, or seven space separated parts are required.`,
    ],
    ['*/0 * * * *', 'invalid cron expression "*/0 * * * *": CronPattern: Syntax error, illegal stepping: 0'],
    ['0 0 30 2 *', 'cron expression "0 0 30 2 *" never matches a date'],
    [
      '2030-01-01T06:00:00',
      '"2030-01-01T06:00:00" is a date, and a schedule repeats: write a cron expression such as "0 6 * * 1-5"',
    ],
  ])('refuses the cron expression %j at schedule.cron, with croner’s reason', (cron, message) => {
    const result = TriggersConfig.safeParse({ schedule: { cron } });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([expect.objectContaining({ path: ['schedule', 'cron'], message })]);
  });

  it('refuses an empty cron expression', () => {
    const result = TriggersConfig.safeParse({ schedule: { cron: '  ' } });
    expect(result.error?.issues[0]).toMatchObject({
      path: ['schedule', 'cron'],
      message: 'a schedule needs a cron expression, e.g. "0 6 * * 1-5"',
    });
  });

  it('refuses an unknown time zone at schedule.timezone, and still checks the expression', () => {
    const result = TriggersConfig.safeParse({ schedule: { cron: '0 6 * * 1-5', timezone: 'Mars/Olympus' } });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['schedule', 'timezone'],
        message: 'unknown time zone "Mars/Olympus": use an IANA name such as "Europe/Berlin" or "UTC"',
      }),
    ]);
    const both = TriggersConfig.safeParse({ schedule: { cron: '61 * * * *', timezone: 'Mars/Olympus' } });
    expect(both.error?.issues.map((issue) => issue.path)).toEqual([
      ['schedule', 'timezone'],
      ['schedule', 'cron'],
    ]);
  });

  it.each([
    [{ secret: 'short' }, ['webhook', 'secret']],
    [{ secret: SECRET, toleranceSeconds: 0 }, ['webhook', 'toleranceSeconds']],
    [{ secret: SECRET, toleranceSeconds: 3601 }, ['webhook', 'toleranceSeconds']],
    [{ secret: SECRET, toleranceSeconds: 1.5 }, ['webhook', 'toleranceSeconds']],
    [{ secret: SECRET, tolerance: 60 }, ['webhook']],
  ])('webhook %j is an error at %j, never clamped', (webhook, path) => {
    const result = TriggersConfig.safeParse({ webhook });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(path);
  });

  it('a short secret says how to make a good one, without repeating it', () => {
    const result = WebhookTrigger.safeParse({ secret: 'hunter2hunter2' });
    const message = result.error?.issues[0]?.message;
    expect(message).toBe(
      'a webhook secret needs at least 16 characters; generate one with "openssl rand -hex 32"',
    );
  });

  it('an unknown key is refused (a typo is not silently ignored)', () => {
    const result = TriggersConfig.safeParse({ schedules: { cron: '0 6 * * *' } });
    expect(result.success).toBe(false);
  });
});

describe('cronProblem and timeZoneProblem', () => {
  it('none for a good expression, with or without a zone', () => {
    expect(cronProblem('0 6 * * 1-5')).toBeUndefined();
    expect(cronProblem('0 6 * * 1-5', 'America/New_York')).toBeUndefined();
  });

  it('none for a known zone', () => {
    expect(timeZoneProblem('UTC')).toBeUndefined();
    expect(timeZoneProblem('Asia/Kolkata')).toBeUndefined();
  });
});
