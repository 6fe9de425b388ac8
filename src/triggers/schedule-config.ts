import { Cron } from 'croner';
import { z } from 'zod';

/**
 * A workflow's `triggers` section: what starts a run besides a person. Checked when the config is
 * loaded, so a cron expression that cannot fire or a secret too short to protect anything fails at
 * startup with the option's path, not at the first tick or the first delivery.
 *
 * @example
 *   workflows:
 *     po-urgency:
 *       triggers:
 *         schedule: { cron: "0 6 * * 1-5", timezone: Europe/Berlin }
 *         webhook: { secret: "${PO_URGENCY_WEBHOOK_SECRET}" }
 */

/**
 * Why `timeZone` is not an IANA time zone the runtime knows, or undefined when it is. Pure.
 * `Intl.DateTimeFormat` is what croner uses to convert, so what it accepts croner can schedule.
 */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return `unknown time zone "${timeZone}": use an IANA name such as "Europe/Berlin" or "UTC"`;
  }
}

/**
 * Why `cron` cannot be a workflow's schedule, or undefined when it can. Pure (reads the clock only
 * to check that the expression still fires). Croner's own message says what is wrong with a
 * malformed expression. A date (croner would run it once) and an expression that never matches
 * (`0 0 30 2 *`) are refused too: a schedule repeats.
 *
 * Croner reads 5 fields (minute first), 6 (seconds first) or 7 (with a year), and nicknames such
 * as `@daily`.
 */
export function cronProblem(cron: string, timezone?: string): string | undefined {
  let job: Cron;
  try {
    // Without a function croner starts no timer: this only parses.
    job = new Cron(cron, timezone === undefined ? {} : { timezone });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `invalid cron expression "${cron}": ${reason}`;
  }
  if (job.getOnce() !== null) {
    return `"${cron}" is a date, and a schedule repeats: write a cron expression such as "0 6 * * 1-5"`;
  }
  if (job.nextRun() === null) return `cron expression "${cron}" never matches a date`;
  return undefined;
}

/** Runs the workflow on a cron schedule. */
export const ScheduleTrigger = z
  .strictObject({
    /** A cron expression: `0 6 * * 1-5` is 06:00 on weekdays. Seconds may come first (6 fields). */
    cron: z.string().trim().min(1, 'a schedule needs a cron expression, e.g. "0 6 * * 1-5"'),
    /** IANA time zone the expression is read in, e.g. `Europe/Berlin`. Default: the server's. */
    timezone: z.string().trim().min(1).optional(),
    /** Scheduled runs only plan (no write) when true. Default false. */
    dryRun: z.boolean().default(false),
  })
  .superRefine((schedule, context) => {
    const zoneProblem = schedule.timezone === undefined ? undefined : timeZoneProblem(schedule.timezone);
    if (zoneProblem) {
      context.addIssue({ code: 'custom', path: ['timezone'], message: zoneProblem });
    }
    // With an unknown zone, the expression is still checked on its own.
    const problem = cronProblem(schedule.cron, zoneProblem ? undefined : schedule.timezone);
    if (problem) context.addIssue({ code: 'custom', path: ['cron'], message: problem });
  });
export type ScheduleTrigger = z.infer<typeof ScheduleTrigger>;

/** Shortest webhook secret accepted: 16 characters, so it cannot be guessed by trying. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** Runs the workflow when a signed delivery arrives at `POST /hooks/<workflow>` (see docs/api.md). */
export const WebhookTrigger = z.strictObject({
  /**
   * The HMAC-SHA256 key senders sign with; at least 16 characters. Name a secret
   * (`${PO_URGENCY_WEBHOOK_SECRET}`) rather than writing it in the file.
   */
  secret: z
    .string()
    .min(
      MIN_WEBHOOK_SECRET_LENGTH,
      `a webhook secret needs at least ${MIN_WEBHOOK_SECRET_LENGTH} characters; generate one with "openssl rand -hex 32"`,
    ),
  /** How far a delivery's timestamp may be from the server's clock, in seconds. 1–3600, default 300. */
  toleranceSeconds: z.int().min(1).max(3600).default(300),
  /** What a delivery that does not say `dryRun` gets. Default false: a webhook applies. */
  dryRun: z.boolean().default(false),
});
export type WebhookTrigger = z.infer<typeof WebhookTrigger>;

/** `workflows.<name>.triggers`: a schedule, a webhook, both or neither. */
export const TriggersConfig = z.strictObject({
  schedule: ScheduleTrigger.optional(),
  webhook: WebhookTrigger.optional(),
});
export type TriggersConfig = z.infer<typeof TriggersConfig>;
