import { z } from 'zod';
import { ConfigError } from '../src/errors/index.ts';
import { isIsoDate, todayUtc } from './calendar.ts';
import { FaultConfig } from './fault-config.ts';
import { FileExchangeOptions } from './file-exchange/file-exchange-options.ts';
import { MAX_ORDERS, SEED_DEFAULTS, type SeedParameters } from './seed-parameters.ts';
import { PERSONALITIES, type Personality, WindowsAccount } from './soap/personality.ts';

const count = (max: number) => z.number().int().min(0).max(max);

const isoDate = z.string().refine(isIsoDate, 'expected a real calendar date as YYYY-MM-DD');

/** The options of {@link startSandbox}, with their defaults. Unknown options are an error. */
export const SandboxOptionsSchema = z.strictObject({
  dataDir: z.string().min(1),
  port: z.number().int().min(0).max(65_535).default(4010),
  host: z.string().min(1).default('127.0.0.1'),
  seed: z.number().int().min(0).max(0xffff_ffff).default(SEED_DEFAULTS.seed),
  orders: count(MAX_ORDERS).default(SEED_DEFAULTS.orders),
  history: count(MAX_ORDERS).default(SEED_DEFAULTS.history),
  suppliers: z.number().int().min(1).max(99_999).default(SEED_DEFAULTS.suppliers),
  today: isoDate.optional(),
  apiKey: z.string().min(1).default('sandbox-key'),
  reset: z.boolean().default(false),
  logRequests: z.boolean().default(true),
  faults: FaultConfig.optional(),
  fileExchange: FileExchangeOptions.optional(),
  personality: z.enum(PERSONALITIES).optional(),
  windowsAccount: WindowsAccount.optional(),
  /** Expense lines to GL-code, from a CSV (sandbox/expense-lines). */
  expenseLines: z
    .strictObject({ file: z.string().min(1), codedBefore: isoDate.nullable().optional() })
    .optional(),
});

/** Options after defaults, with the seed parameters gathered. */
export interface ResolvedSandboxOptions {
  dataDir: string;
  port: number;
  host: string;
  apiKey: string;
  reset: boolean;
  logRequests: boolean;
  /** The fault config to start with; `{}` for none. */
  faults: FaultConfig;
  parameters: SeedParameters;
  /** The file exchange to run beside the API (sandbox/file-exchange), or null. */
  fileExchange: FileExchangeOptions | null;
  /** The SOAP personality served beside `/api`, or null for REST only. */
  personality: Personality | null;
  /** The account the dynamics-ax personality accepts over NTLM. */
  windowsAccount: WindowsAccount;
}

/**
 * Validates the options and fills in defaults (`today` defaults to today's UTC date). Throws a
 * ConfigError naming the first bad option before anything touches the disk.
 */
export function resolveSandboxOptions(options: unknown): ResolvedSandboxOptions {
  const parsed = SandboxOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String) ?? [];
    // Inside a nested option (faults), name the unknown key itself rather than its parent.
    if (issue?.code === 'unrecognized_keys' && path.length > 0 && issue.keys[0] !== undefined)
      path.push(issue.keys[0]);
    const key = path.join('.') || undefined;
    const message = issue?.message ?? parsed.error.message;
    const subject = key === undefined ? 'sandbox options' : `sandbox option ${key}`;
    throw new ConfigError(`${subject}: ${message}`, {
      key: key === undefined ? 'sandbox' : `sandbox.${key}`,
    });
  }
  const { dataDir, port, host, apiKey, reset, logRequests, seed, orders, history, suppliers } = parsed.data;
  return {
    dataDir,
    port,
    host,
    apiKey,
    reset,
    logRequests,
    faults: parsed.data.faults ?? {},
    fileExchange: parsed.data.fileExchange ?? null,
    personality: parsed.data.personality ?? null,
    windowsAccount: parsed.data.windowsAccount ?? WindowsAccount.parse({}),
    parameters: { seed, orders, history, suppliers, today: parsed.data.today ?? todayUtc() },
  };
}
