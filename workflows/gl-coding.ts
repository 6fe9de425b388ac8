import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  type GlAccount as AccountChoice,
  type GlCodingInput,
  glCodingTask,
} from '../src/ai/tasks/gl-coding.ts';
import { ExpenseLine, GlAccount } from '../src/canonical/expense-line.ts';
import type { WorkflowConfig } from '../src/config/schema.ts';
import type { ModelInfo } from '../src/engine/engine.ts';
import { profileEntity } from '../src/engine/entities.ts';
import {
  defineWorkflow,
  type ReferenceReader,
  type WorkflowContext,
  type WorkflowDefinition,
} from '../src/engine/workflow.ts';
import { ConfigError } from '../src/errors/index.ts';
import { profiles } from '../src/profiles/index.ts';

/** Expense and invoice lines to code, as profiles map them under `entities.expenseLine`. */
export const expenseLineEntity = profileEntity<ExpenseLine>('expenseLine', ExpenseLine, {
  amount: (line) => Math.abs(line.amount),
  date: (line) => line.date,
});

/** The chart of accounts, under `entities.glAccount` (optional: without it, the history's codes are the labels). */
export const glAccountEntity = profileEntity<GlAccount>('glAccount', GlAccount);

/**
 * `workflows.<name>.options` of a gl-coding workflow.
 *
 * @example
 *   options:
 *     autoThreshold: 0.93                       # or:
 *     autoThreshold: model                      # the threshold the current model chose on validation; or:
 *     evalReport: reports/gl-coding/report.json # the threshold `erpbridge eval --report` chose
 */
export const GlCodingOptions = z
  .strictObject({
    /**
     * Confidence at or above which a code is applied without review (under policy `auto`); or
     * `model`: the threshold the answering model chose on its own validation slice for 95 %
     * precision, which follows the model each time it is retrained.
     */
    autoThreshold: z.union([z.number().gt(0).max(1), z.literal('model')]).optional(),
    /**
     * A `report.json` written by `erpbridge eval <workflow> --report DIR`: its embedded
     * candidate's threshold (chosen on validation for 95 % precision) becomes `autoThreshold`.
     */
    evalReport: z.string().min(1).optional(),
  })
  .refine((options) => options.autoThreshold === undefined || options.evalReport === undefined, {
    message: 'give autoThreshold or evalReport, not both',
  });
export type GlCodingOptions = z.infer<typeof GlCodingOptions>;

/** What a gl-coding run reads once: the accounts it may answer, and where they came from. */
export interface GlCodingReference {
  accounts: AccountChoice[];
  source: 'chart of accounts' | 'history';
}

/** The filters of the config's defaults (made for purchase orders), and what gl-coding reads instead. */
const DEFAULT_SOURCE = { status: 'open' };
const DEFAULT_HISTORY = { status: 'closed' };
const UNCODED = { coded: 'no' };
const CODED = { coded: 'yes' };

/**
 * gl-coding: suggest the general-ledger account of expense and invoice lines from their merchant,
 * amount, VAT code, directorate and cost centre, learned from the lines the finance team coded,
 * and write it back. Under policy `auto` only codes at or above the threshold evaluation found
 * (`options.autoThreshold`, or `options.evalReport`) are applied; the rest wait for review.
 * Without either, nothing is applied on its own.
 *
 * Reads uncoded lines (`source.filter`, default `{ coded: no }`) and learns from coded ones
 * (`history.filter`, default `{ coded: yes }`). The labels are the profile's chart of accounts
 * (`entities.glAccount`) when it maps one, else every code the history uses.
 */
export function glCodingWorkflow(
  name: string,
  config: WorkflowConfig,
): WorkflowDefinition<GlCodingInput, string, ExpenseLine> {
  const options = parseOptions(name, config.options);
  const fixed =
    options.autoThreshold === 'model'
      ? null
      : (options.autoThreshold ??
        (options.evalReport ? thresholdFromReport(name, options.evalReport) : null));
  /** The auto-apply threshold of one run: the configured one, or the answering model's own. */
  const thresholdOf = (context: WorkflowContext): number | null =>
    options.autoThreshold === 'model' ? modelThreshold(context.model) : fixed;
  let accounts: AccountChoice[] = [];
  const task = glCodingTask(() => accounts);
  const names = () => new Map(accounts.map((account) => [account.code, account.name]));
  const history = isDefault(config.history.filter, DEFAULT_HISTORY) ? CODED : config.history.filter;
  return defineWorkflow<GlCodingInput, string, ExpenseLine>({
    name,
    description: config.description ?? 'Code expense lines to general-ledger accounts',
    connector: config.connector,
    profile: profiles[config.profile],
    entity: expenseLineEntity,
    source: {
      ...config.source,
      filter: isDefault(config.source.filter, DEFAULT_SOURCE) ? UNCODED : config.source.filter,
    },
    history: { filter: history },
    task,
    reference: async (read): Promise<GlCodingReference> => {
      const reference = await readAccounts(read, history);
      if (reference.accounts.length < 2) {
        throw new Error(
          `gl-coding needs at least two GL accounts to choose from; the ${reference.source} has ${reference.accounts.length}`,
        );
      }
      accounts = reference.accounts;
      return reference;
    },
    fields: ['glAccount'],
    toInput: (line) => line,
    toExample: (line) => (line.glAccount === null ? null : { input: line, label: line.glAccount }),
    decide: (line, result, context) => {
      if (result.review !== undefined || line.glAccount === result.label) return null;
      const account = names().get(result.label);
      const threshold = thresholdOf(context);
      const automatic =
        threshold === null
          ? 'no auto-apply threshold is set, so a person reviews it'
          : result.confidence >= threshold
            ? `at or above the auto-apply threshold ${threshold.toFixed(3)}`
            : `below the auto-apply threshold ${threshold.toFixed(3)}, so a person reviews it`;
      return {
        after: { glAccount: result.label },
        reason: `coded ${result.label}${account ? ` ${account}` : ''} (confidence ${result.confidence.toFixed(2)}, ${automatic})`,
      };
    },
    // Nothing is applied on its own below the threshold evaluation found, or at all without one.
    policy: { ...config.policy, minConfidence: fixed ?? 1 },
    policyFor: (context) => ({ ...config.policy, minConfidence: thresholdOf(context) ?? 1 }),
    batchSize: config.batchSize,
    applyConcurrency: config.applyConcurrency,
  });
}

/**
 * The threshold a model chose on its own validation slice for 95 % precision
 * (`metrics.autoThreshold.threshold`, written by the embedded sparse model), or null: no model,
 * or no cut on validation reached 95 % — then nothing is applied on its own.
 */
export function modelThreshold(model: ModelInfo | null | undefined): number | null {
  const chosen = model?.metrics.autoThreshold;
  if (typeof chosen !== 'object' || chosen === null || !('threshold' in chosen)) return null;
  return typeof chosen.threshold === 'number' && chosen.threshold > 0 && chosen.threshold <= 1
    ? chosen.threshold
    : null;
}

/** The chart of accounts when the profile maps one, else the codes the coded history uses. */
async function readAccounts(
  read: ReferenceReader,
  history: Record<string, string | number | boolean>,
): Promise<GlCodingReference> {
  let chart: GlAccount[] = [];
  try {
    chart = await read.records(glAccountEntity);
  } catch (error) {
    // A profile without a chart of accounts is fine (the history's codes serve); any other failure is not.
    if (!(error instanceof Error && error.message.includes('maps no glAccount'))) throw error;
  }
  if (chart.length > 0) {
    return {
      accounts: chart.map((account) => ({ code: account.id, name: account.name || undefined })).sort(byCode),
      source: 'chart of accounts',
    };
  }
  const lines = await read.records(expenseLineEntity, history);
  const codes = [...new Set(lines.flatMap((line) => (line.glAccount === null ? [] : [line.glAccount])))];
  return { accounts: codes.map((code) => ({ code })).sort(byCode), source: 'history' };
}

function byCode(a: AccountChoice, b: AccountChoice): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

function isDefault(filter: Record<string, unknown>, defaults: Record<string, unknown>): boolean {
  const keys = Object.keys(filter);
  return keys.length === Object.keys(defaults).length && keys.every((key) => filter[key] === defaults[key]);
}

function parseOptions(name: string, options: unknown): GlCodingOptions {
  const parsed = GlCodingOptions.safeParse(options);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const key = ['workflows', name, 'options', ...(issue?.path ?? []).map(String)].join('.');
  throw new ConfigError(`${key}: ${issue?.message ?? 'invalid'}`, { key });
}

const ReportThreshold = z.object({
  candidates: z.array(z.object({ name: z.string(), threshold: z.object({ value: z.number().nullable() }) })),
});

/** The embedded candidate's threshold in an eval report; a ConfigError naming the option otherwise. */
function thresholdFromReport(name: string, file: string): number | null {
  const key = `workflows.${name}.options.evalReport`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `${key}: cannot read the eval report ${file}: ${error instanceof Error ? error.message : error}`,
      {
        key,
      },
    );
  }
  const parsed = ReportThreshold.safeParse(json);
  const embedded = parsed.success
    ? parsed.data.candidates.find((candidate) => candidate.name === 'embedded')
    : undefined;
  if (!embedded) {
    throw new ConfigError(
      `${key}: ${file} is not an eval report with an embedded candidate (erpbridge eval --report)`,
      {
        key,
      },
    );
  }
  return embedded.threshold.value;
}
