import { z } from 'zod';
import { PRIORITIES } from '../canonical/priority.ts';
import { PolicyConfig } from '../engine/policy.ts';
import { QueueConfig } from '../queue/queue-config.ts';
import { TriggersConfig } from '../triggers/schedule-config.ts';

/** A day in milliseconds: settings given in days (`outboxRetentionDays`, `retrainAfterDays`) become this. */
export const DAY_MS = 86_400_000;

/** The workflow kinds erpbridge ships; `workflows/index.ts` maps each to its factory. */
export const WORKFLOW_TASKS = ['po-urgency', 'gl-coding', 'invoice-match', 'price-anomalies'] as const;
export type WorkflowTask = (typeof WORKFLOW_TASKS)[number];

/**
 * Days an outbox row stays after the relay published it; `erpbridge serve` deletes older ones
 * hourly (unsent rows stay, however old). Default 7, at least 1. Any of these is safe: the relay
 * reads only unsent rows, and a row it published but died before marking is published again under
 * the same id, which BullMQ ignores for the 24 hours it keeps a completed job. The week is for a
 * person investigating a job that went missing, who wants to see when it was committed and
 * published, for as long as BullMQ keeps a failed job (7 days).
 */
const OutboxRetentionDays = z
  .number()
  .int('must be a whole number of days, e.g. 7')
  .min(1, 'must be at least 1 (days); the default is 7')
  .default(7);

/** The embedded store: one SQLite file. */
export const SqliteStoreConfig = z.strictObject({
  kind: z.literal('sqlite'),
  /** Relative paths resolve against the config file's folder. */
  path: z.string().min(1).default('.erpbridge/erpbridge.sqlite'),
  outboxRetentionDays: OutboxRetentionDays,
});

/** The distributed store: a PostgreSQL database shared by every erpbridge process. */
export const PostgresStoreConfig = z.strictObject({
  kind: z.literal('postgres'),
  /** `postgres://user:password@host:5432/database`; a `${ENV}` reference keeps the password out of the file. */
  url: z
    .string()
    .regex(
      /^postgres(ql)?:\/\/\S+$/,
      'must be a postgres:// URL (postgres://user:password@host:5432/database)',
    ),
  /** The schema holding erpbridge's tables, created on first start. Default `public`. */
  schema: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase identifier (a-z, 0-9, _), e.g. erpbridge')
    .default('public'),
  /** Connections per process. Default 10. */
  poolSize: z.number().int().min(1).max(200).default(10),
  outboxRetentionDays: OutboxRetentionDays,
});

/**
 * Where runs, changes, the audit log and models live. Embedded default: one SQLite file
 * (`kind` may be left out); `store: postgres://…` is short for `{ kind: postgres, url: postgres://… }`.
 */
export const StoreConfig = z.preprocess(
  (value) => {
    if (value === undefined) return { kind: 'sqlite' };
    if (typeof value === 'string') return { kind: 'postgres', url: value };
    if (typeof value === 'object' && value !== null && !('kind' in value))
      return { kind: 'sqlite', ...value };
    return value;
  },
  z.discriminatedUnion('kind', [SqliteStoreConfig, PostgresStoreConfig]),
);
export type StoreConfig = z.infer<typeof StoreConfig>;

/** A connector's own options are checked by its kind's schema when the config is loaded. */
export const ConnectorConfig = z.looseObject({ kind: z.string().min(1) });
export type ConnectorConfig = z.infer<typeof ConnectorConfig>;

/** Field names (or dotted paths) an LLM may be sent; at least one. */
const AllowFields = z
  .array(z.string().min(1))
  .min(1, 'list at least one field, or switch to provider: embedded');

export const AiConfig = z
  .strictObject({
    /** `embedded` (offline, learns from the ERP's history; the default) or `llm` (OpenAI-compatible). */
    provider: z.enum(['embedded', 'llm']).default('embedded'),
    /** Options for the `embedded` provider. */
    embedded: z
      .strictObject({
        /**
         * Days a trained model is used before a run trains it again on the ERP's history as it is
         * then, so what people coded since reaches the model; 0 trains on every run. Default 7.
         */
        retrainAfterDays: z.number().nonnegative().default(7),
      })
      .prefault({}),
    /** Options for the `llm` provider: baseUrl, model, apiKey, ... (checked when `provider: llm`). */
    llm: z.record(z.string(), z.unknown()).optional(),
    /**
     * The only fields of a task's `describe()` that may leave the process for the `llm` provider
     * (top-level keys or dotted paths); a workflow's own `ai.allowFields` replaces it. Required
     * with `provider: llm`: without a list nothing is sent (fail closed).
     */
    allowFields: AllowFields.optional(),
    /**
     * Where validated LLM answers are kept: `memory` (default; per process), `file` (JSON lines at
     * `path`, relative to the config file; holds redacted answers only) or `off`.
     */
    cache: z
      .strictObject({
        kind: z.enum(['memory', 'file', 'off']).default('memory'),
        path: z.string().min(1).default('.erpbridge/llm-cache.jsonl'),
        maxEntries: z.int().positive().default(50_000),
      })
      .prefault({}),
  })
  .prefault({});
export type AiConfig = z.infer<typeof AiConfig>;

/** A workflow's own AI guardrails: its field allowlist, replacing `ai.allowFields`. */
export const WorkflowAiConfig = z.strictObject({ allowFields: AllowFields.optional() });

const Filter = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/**
 * A declarative workflow: classify the records of an entity and write one field back.
 * TypeScript workflows (`defineWorkflow`) can do more; this is what YAML can say.
 */
export const WorkflowConfig = z.strictObject({
  description: z.string().optional(),
  /** Name of an entry under `connectors`. */
  connector: z.string().min(1),
  /** Which ERP mapping to use. */
  profile: z
    .enum([
      'sandbox',
      'dynamics-ax',
      'tryton',
      'odoo',
      'sap-ecc-tables',
      'oracle-ebs-tables',
      'oracle-ebs',
      'legacy-sqlserver',
      'sap-ecc',
    ])
    .default('sandbox'),
  /**
   * What the workflow does (`workflows/index.ts` builds each): `po-urgency` classifies purchase
   * orders as urgent / high / normal / low; `gl-coding` codes expense lines to GL accounts;
   * `invoice-match` matches invoices to orders and receipts; `price-anomalies` flags unit prices.
   */
  task: z.enum(WORKFLOW_TASKS).default('po-urgency'),
  /** Settings of the task's own, checked by its workflow (errors name `options.<key>`). */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Which records to read (vendor filter values). */
  source: z
    .strictObject({
      filter: Filter.default({ status: 'open' }),
      /**
       * Read only what changed since the last completed run (connectors that support it, e.g.
       * `sql` with a last-changed column). The watermark advances when a run completes.
       */
      incremental: z.boolean().default(false),
    })
    .prefault({}),
  /** Where the embedded model finds labeled history to learn from. */
  history: z.strictObject({ filter: Filter.default({ status: 'closed' }) }).prefault({}),
  /** What gets written: the predicted label into `field`, for these labels, when it differs. */
  write: z
    .strictObject({
      field: z.literal('priority').default('priority'),
      labels: z.array(z.enum(PRIORITIES)).min(1).default(['urgent']),
    })
    .prefault({}),
  policy: PolicyConfig,
  /** Records per extract page and per persisted batch. Default 500. */
  batchSize: z.number().int().min(1).max(5000).default(500),
  /** Writes in flight at once during apply. Default 8. */
  applyConcurrency: z.number().int().min(1).max(64).default(8),
  /** When `erpbridge serve` runs it on its own: a cron schedule, an inbound webhook. */
  triggers: TriggersConfig.optional(),
  /** This workflow's AI guardrails (`allowFields`). */
  ai: WorkflowAiConfig.optional(),
});
export type WorkflowConfig = z.infer<typeof WorkflowConfig>;

export const ErpbridgeConfig = z
  .strictObject({
    version: z.literal(1).default(1),
    store: StoreConfig,
    /** Distributed mode: the job queue workers take from (`redis://…`); absent, the embedded mode. */
    queue: QueueConfig.optional(),
    connectors: z.record(z.string(), ConnectorConfig).default({}),
    ai: AiConfig,
    workflows: z.record(z.string(), WorkflowConfig).default({}),
  })
  .superRefine((config, context) => {
    for (const [name, workflow] of Object.entries(config.workflows)) {
      if (!(workflow.connector in config.connectors)) {
        const known = Object.keys(config.connectors).join(', ') || 'none';
        context.addIssue({
          code: 'custom',
          path: ['workflows', name, 'connector'],
          message: `connector "${workflow.connector}" is not defined under connectors (defined: ${known})`,
        });
      }
    }
    for (const [name, workflow] of Object.entries(config.workflows)) {
      if (config.ai.provider === 'llm' && !workflow.ai?.allowFields && !config.ai.allowFields) {
        context.addIssue({
          code: 'custom',
          path: ['workflows', name],
          message:
            'provider "llm" sends records out, so the fields it may send must be listed: set ai.allowFields or ' +
            `workflows.${name}.ai.allowFields (nothing is sent without them)`,
        });
      }
    }
    if (config.ai.provider === 'llm' && config.ai.llm === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['ai', 'provider'],
        message: 'provider "llm" needs an ai.llm section with baseUrl and model',
      });
    }
  });
export type ErpbridgeConfig = z.infer<typeof ErpbridgeConfig>;
