import { z } from 'zod';
import { PRIORITIES } from '../canonical/priority.ts';
import { PolicyConfig } from '../engine/policy.ts';
import { TriggersConfig } from '../triggers/schedule-config.ts';

/** The workflow kinds erpbridge ships; `workflows/index.ts` maps each to its factory. */
export const WORKFLOW_TASKS = ['po-urgency', 'gl-coding', 'invoice-match', 'price-anomalies'] as const;
export type WorkflowTask = (typeof WORKFLOW_TASKS)[number];

/** Where runs, changes, the audit log and models live. Embedded default: one SQLite file. */
export const StoreConfig = z
  .strictObject({
    kind: z.literal('sqlite').default('sqlite'),
    /** Relative paths resolve against the config file's folder. */
    path: z.string().min(1).default('.erpbridge/erpbridge.sqlite'),
  })
  .prefault({});
export type StoreConfig = z.infer<typeof StoreConfig>;

/** A connector's own options are checked by its kind's schema when the config is loaded. */
export const ConnectorConfig = z.looseObject({ kind: z.string().min(1) });
export type ConnectorConfig = z.infer<typeof ConnectorConfig>;

export const AiConfig = z
  .strictObject({
    /** `embedded` (offline, learns from the ERP's history; the default) or `llm` (OpenAI-compatible). */
    provider: z.enum(['embedded', 'llm']).default('embedded'),
    /** Options for the `llm` provider: baseUrl, model, apiKey, ... (checked when `provider: llm`). */
    llm: z.record(z.string(), z.unknown()).optional(),
  })
  .prefault({});
export type AiConfig = z.infer<typeof AiConfig>;

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
});
export type WorkflowConfig = z.infer<typeof WorkflowConfig>;

export const ErpbridgeConfig = z
  .strictObject({
    version: z.literal(1).default(1),
    store: StoreConfig,
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
    if (config.ai.provider === 'llm' && config.ai.llm === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['ai', 'provider'],
        message: 'provider "llm" needs an ai.llm section with baseUrl and model',
      });
    }
  });
export type ErpbridgeConfig = z.infer<typeof ErpbridgeConfig>;
