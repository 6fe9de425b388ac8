import { z } from 'zod';

/** Which requests a fault hits: reads are GET (and HEAD), writes are PATCH, PUT and POST, under `/api`. */
export const FAULT_TARGETS = ['reads', 'writes', 'both'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

/** How a rate-limit 429 says when to come back: `Retry-After: 3` or `Retry-After: <HTTP-date>`. */
export const RETRY_AFTER_FORMATS = ['seconds', 'http-date'] as const;
export type RetryAfterFormat = (typeof RETRY_AFTER_FORMATS)[number];

/** How a lost answer is lost: a 502 instead of the answer, a reset socket, or no answer at all. */
export const LOST_ANSWER_MODES = ['502', 'reset', 'hang'] as const;
export type LostAnswerMode = (typeof LOST_ANSWER_MODES)[number];

/** A request under `/api` that faults can hit. */
export const REQUEST_KINDS = ['reads', 'writes'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** Whether a fault aimed at `target` hits a request of this kind. */
export function targets(target: FaultTarget, kind: RequestKind): boolean {
  return target === 'both' || target === kind;
}

/** GET and HEAD are reads; PATCH, PUT and POST are writes; anything else is left alone by faults. */
export function requestKindOf(method: string): RequestKind | null {
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      return 'reads';
    case 'PATCH':
    case 'PUT':
    case 'POST':
      return 'writes';
    default:
      return null;
  }
}

const DAY_MS = 86_400_000;
const MAX_DELAY_MS = 60_000;

/**
 * A strict object whose message for an unknown key names it and lists the known ones, so a typo
 * such as `latency.fixed` reads `unknown key "fixed"; known keys: fixedMs, jitterMs, target`.
 */
function section<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((key) => `"${key}"`).join(', ')}; known keys: ${known}`
        : undefined,
  });
}

const probability = z
  .number({ error: 'must be a probability from 0 to 1' })
  .min(0, 'must be a probability from 0 to 1')
  .max(1, 'must be a probability from 0 to 1');

const milliseconds = (max: number) =>
  z
    .number({ error: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(0, 'must be at least 0')
    .max(max, `must be at most ${max}`);

const positiveMilliseconds = (max: number) => milliseconds(max).min(1, 'must be at least 1');

const target = z.enum(FAULT_TARGETS, { error: `must be one of ${FAULT_TARGETS.join(', ')}` }).optional();

const statusCode = z.string().regex(/^[45]\d\d$/, 'must be an HTTP status from 400 to 599, such as "503"');

/**
 * The sandbox's fault configuration: what goes wrong, how often, and for which requests. Every key
 * is optional; `{}` is no faults at all. Validate with `FaultConfig.parse(value)` (or
 * {@link parseFaultConfig} for a message naming the key). Defaults are applied when the config is
 * applied, so a config reads back exactly as it was written.
 *
 * Per `/api` request the faults are evaluated in this order: auth/oauth → maintenance → rate
 * limit, bursts429 → hangs, resets, errors (one draw; nothing reaches the handler) →
 * degradation, latency → the handler → lostAnswers (writes only, after the commit).
 *
 * @example
 * const faults = FaultConfig.parse({ seed: 7, errors: { rates: { '503': 0.05 } }, latency: { fixedMs: 20 } });
 */
export const FaultConfig = section({
  /** Seed of the fault draws (default 0): the same seed and request sequence give the same faults. */
  seed: z
    .number({ error: 'must be a whole number from 0 to 4294967295' })
    .int('must be a whole number from 0 to 4294967295')
    .min(0, 'must be a whole number from 0 to 4294967295')
    .max(0xffff_ffff, 'must be a whole number from 0 to 4294967295')
    .optional(),
  /** The target of each fault that names none; default `both`. */
  target,
  /** A delay of `fixedMs` plus a uniform 0..`jitterMs` before the handler. */
  latency: section({
    fixedMs: milliseconds(MAX_DELAY_MS).optional(),
    jitterMs: milliseconds(MAX_DELAY_MS).optional(),
    target,
  }).optional(),
  /** Per-status probabilities of an error answer instead of the handler's. */
  errors: section({
    rates: z.record(statusCode, probability, {
      error: (issue) => {
        if (issue.code === 'invalid_key') return 'must be an HTTP status from 400 to 599, such as "503"';
        if (issue.code === 'invalid_type') return 'must map statuses to probabilities, such as {"503": 0.05}';
        return undefined;
      },
    }),
    target,
  }).optional(),
  /** Probability of never answering (the socket stays open until the client gives up). */
  hangs: section({ rate: probability, target }).optional(),
  /** Probability of resetting the socket without an answer (ECONNRESET at the client). */
  resets: section({ rate: probability, target }).optional(),
  /** A token bucket: `burst` tokens (default ⌈requestsPerSecond⌉), refilled at `requestsPerSecond`. */
  rateLimit: section({
    requestsPerSecond: z
      .number({ error: 'must be a number above 0' })
      .positive('must be a number above 0')
      .max(1_000_000, 'must be at most 1000000'),
    burst: z
      .number({ error: 'must be a whole number from 1' })
      .int('must be a whole number from 1')
      .min(1, 'must be a whole number from 1')
      .max(1_000_000, 'must be at most 1000000')
      .optional(),
    retryAfter: z
      .enum(RETRY_AFTER_FORMATS, { error: `must be one of ${RETRY_AFTER_FORMATS.join(', ')}` })
      .optional(),
    target,
  }).optional(),
  /** After every `every` requests, the next `length` get 429 with `Retry-After: 1`. */
  bursts429: section({
    every: z
      .number({ error: 'must be a whole number from 1' })
      .int('must be a whole number from 1')
      .min(1, 'must be a whole number from 1')
      .max(1_000_000_000, 'must be at most 1000000000'),
    length: z
      .number({ error: 'must be a whole number from 1' })
      .int('must be a whole number from 1')
      .min(1, 'must be a whole number from 1'),
    target,
  }).optional(),
  /** A 503 window `startAfterMs` (default 0) after the config is applied, `durationMs` long. */
  maintenance: section({
    startAfterMs: milliseconds(DAY_MS).optional(),
    durationMs: positiveMilliseconds(DAY_MS),
    target,
  }).optional(),
  /**
   * An app server that slows with load: `baseLatencyMs + perConcurrentMs × (other requests in
   * flight)`, and past `workers` in flight, a queue (throughput stops growing; see `degradationMs`).
   */
  degradation: section({
    baseLatencyMs: milliseconds(MAX_DELAY_MS).optional(),
    perConcurrentMs: milliseconds(MAX_DELAY_MS).optional(),
    workers: z
      .number({ error: 'must be a whole number from 1 to 10000' })
      .int('must be a whole number from 1 to 10000')
      .min(1, 'must be a whole number from 1 to 10000')
      .max(10_000, 'must be a whole number from 1 to 10000')
      .optional(),
    target,
  }).optional(),
  /** OAuth 2 client credentials at `POST /oauth/token`; `/api` then takes only issued tokens. */
  oauth: section({
    clientId: z.string({ error: 'must be a non-empty string' }).min(1, 'must be a non-empty string'),
    clientSecret: z.string({ error: 'must be a non-empty string' }).min(1, 'must be a non-empty string'),
    /** Default 3600; fractions are allowed, for tests that watch a token expire. */
    tokenTtlSeconds: z
      .number({ error: 'must be a number of seconds above 0' })
      .positive('must be a number of seconds above 0')
      .max(30 * 86_400, 'must be at most 2592000 (30 days)')
      .optional(),
  }).optional(),
  /** Probability that a write is committed and its answer then lost (`mode`, default 502). */
  lostAnswers: section({
    rate: probability,
    mode: z
      .union([z.enum(LOST_ANSWER_MODES), z.literal(502)], {
        error: `must be one of ${LOST_ANSWER_MODES.join(', ')}`,
      })
      .optional(),
  }).optional(),
}).superRefine((config, context) => {
  if (config.bursts429 && config.bursts429.length >= config.bursts429.every) {
    context.addIssue({
      code: 'custom',
      path: ['bursts429', 'length'],
      message: `must be less than bursts429.every (${config.bursts429.every})`,
    });
  }
  for (const kind of REQUEST_KINDS) {
    const total = gateRatesFor(config, kind).reduce((sum, rate) => sum + rate, 0);
    if (total > 1 + 1e-9) {
      context.addIssue({
        code: 'custom',
        path: config.errors ? ['errors', 'rates'] : ['resets', 'rate'],
        message: `for ${kind}, hangs.rate + resets.rate + the errors.rates add up to ${Number(total.toFixed(6))}; at most 1`,
      });
      return;
    }
  }
});

/** A validated fault configuration, exactly as written (see {@link resolveFaults} for its defaults). */
export type FaultConfig = z.infer<typeof FaultConfig>;

function gateRatesFor(config: FaultConfig, kind: RequestKind): number[] {
  const fallback = config.target ?? 'both';
  const hits = (own: FaultTarget | undefined) => targets(own ?? fallback, kind);
  const rates: number[] = [];
  if (config.hangs && hits(config.hangs.target)) rates.push(config.hangs.rate);
  if (config.resets && hits(config.resets.target)) rates.push(config.resets.rate);
  if (config.errors && hits(config.errors.target)) rates.push(...Object.values(config.errors.rates));
  return rates;
}

/** The outcome of {@link parseFaultConfig}. */
export type FaultConfigParse =
  | { kind: 'valid'; config: FaultConfig }
  | {
      kind: 'invalid';
      /** The dotted key at fault, such as `latency.fixedMs` or `errors.rates.600`; `''` for the whole config. */
      key: string;
      /** The key path, for finding its line in a file. */
      path: PropertyKey[];
      message: string;
    };

/**
 * Validates a fault configuration. An invalid one is described by its first problem: the key
 * (an unknown key is named itself, not its parent) and what is wrong with it.
 */
export function parseFaultConfig(value: unknown): FaultConfigParse {
  const parsed = FaultConfig.safeParse(value);
  if (parsed.success) return { kind: 'valid', config: parsed.data };
  const issue = parsed.error.issues[0];
  if (!issue) return { kind: 'invalid', key: '', path: [], message: parsed.error.message };
  const path: PropertyKey[] = [...issue.path];
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
  const message = issue.code === 'invalid_type' && path.length === 0 ? 'must be an object' : issue.message;
  return { kind: 'invalid', key: path.map(String).join('.'), path, message };
}

/** A fault configuration with its defaults filled in and each fault's target resolved. */
export interface ResolvedFaults {
  seed: number;
  latency: { fixedMs: number; jitterMs: number; target: FaultTarget } | null;
  errors: { rates: { status: number; rate: number }[]; target: FaultTarget } | null;
  hangs: { rate: number; target: FaultTarget } | null;
  resets: { rate: number; target: FaultTarget } | null;
  rateLimit: {
    requestsPerSecond: number;
    burst: number;
    retryAfter: RetryAfterFormat;
    target: FaultTarget;
  } | null;
  bursts429: { every: number; length: number; target: FaultTarget } | null;
  maintenance: { startAfterMs: number; durationMs: number; target: FaultTarget } | null;
  degradation: {
    baseLatencyMs: number;
    perConcurrentMs: number;
    workers: number | null;
    target: FaultTarget;
  } | null;
  oauth: { clientId: string; clientSecret: string; tokenTtlSeconds: number } | null;
  lostAnswers: { rate: number; mode: LostAnswerMode } | null;
}

/**
 * Fills in the defaults: seed 0, target `both`, latency and degradation parts 0, rate-limit
 * burst ⌈requestsPerSecond⌉ and Retry-After in seconds, maintenance from the moment the config is
 * applied, token TTL 3600 s, lost answers as 502. Error statuses are sorted, so the draw that
 * picks one does not depend on the order they were written in.
 */
export function resolveFaults(config: FaultConfig): ResolvedFaults {
  const fallback = config.target ?? 'both';
  const {
    latency,
    errors,
    hangs,
    resets,
    rateLimit,
    bursts429,
    maintenance,
    degradation,
    oauth,
    lostAnswers,
  } = config;
  return {
    seed: config.seed ?? 0,
    latency: latency
      ? { fixedMs: latency.fixedMs ?? 0, jitterMs: latency.jitterMs ?? 0, target: latency.target ?? fallback }
      : null,
    errors: errors
      ? {
          rates: Object.entries(errors.rates)
            .map(([status, rate]) => ({ status: Number(status), rate }))
            .sort((a, b) => a.status - b.status),
          target: errors.target ?? fallback,
        }
      : null,
    hangs: hangs ? { rate: hangs.rate, target: hangs.target ?? fallback } : null,
    resets: resets ? { rate: resets.rate, target: resets.target ?? fallback } : null,
    rateLimit: rateLimit
      ? {
          requestsPerSecond: rateLimit.requestsPerSecond,
          burst: rateLimit.burst ?? Math.max(1, Math.ceil(rateLimit.requestsPerSecond)),
          retryAfter: rateLimit.retryAfter ?? 'seconds',
          target: rateLimit.target ?? fallback,
        }
      : null,
    bursts429: bursts429 ? { ...bursts429, target: bursts429.target ?? fallback } : null,
    maintenance: maintenance
      ? {
          startAfterMs: maintenance.startAfterMs ?? 0,
          durationMs: maintenance.durationMs,
          target: maintenance.target ?? fallback,
        }
      : null,
    degradation: degradation
      ? {
          baseLatencyMs: degradation.baseLatencyMs ?? 0,
          perConcurrentMs: degradation.perConcurrentMs ?? 0,
          workers: degradation.workers ?? null,
          target: degradation.target ?? fallback,
        }
      : null,
    oauth: oauth ? { ...oauth, tokenTtlSeconds: oauth.tokenTtlSeconds ?? 3600 } : null,
    lostAnswers: lostAnswers
      ? { rate: lostAnswers.rate, mode: lostAnswers.mode === 502 ? '502' : (lostAnswers.mode ?? '502') }
      : null,
  };
}
