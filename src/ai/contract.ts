import type { z } from 'zod';
import { ErpError } from '../errors/index.ts';

/**
 * AI tasks and the providers that answer them. A task says what is asked (labels or fields, the
 * features for the embedded model, the fields an LLM may see); a provider answers a batch of inputs,
 * one result per input, in input order.
 *
 * Three kinds of task, one provider contract ({@link AiProvider}):
 * - `classify`: one label of a closed set, with confidence and explanation;
 * - `extract`: fields described by a zod object, from text (a document's text, a free-text note);
 * - `detect`: an anomaly score in [0, 1] with the reasons in words.
 */

/** The kinds of AI task. A provider declares which it answers ({@link AiProvider.supports}). */
export const AI_TASK_KINDS = ['classify', 'extract', 'detect'] as const;
export type AiTaskKind = (typeof AI_TASK_KINDS)[number];

/** The providers there are: offline models and rules, or an OpenAI-compatible LLM. */
export const AI_PROVIDER_KINDS = ['embedded', 'llm'] as const;
export type AiProviderKind = (typeof AI_PROVIDER_KINDS)[number];

/**
 * Set on a result a person must look at before anything is written: an answer outside the allowed
 * values after one repair, a spent budget, a document the rules could not read. The policy never
 * approves a result that carries it (`initialChangeState` in `src/engine/policy.ts`).
 */
export interface ReviewFlag {
  /** Why, in words a reviewer understands: what was answered and what was allowed. */
  reason: string;
}

/** What the embedded model learns from: named numbers and free text. */
export interface Features {
  numeric: Record<string, number>;
  text: string;
}

/**
 * Settings every task shares, for what leaves the process and for caching LLM answers.
 */
export interface TaskPrompt {
  /** Instructions for an LLM: what is asked and how to decide. */
  instructions: string;
  /**
   * Bump when `instructions` or `describe` change meaning: cached LLM answers carry the version and
   * answers of another version are not reused. Default 1.
   */
  promptVersion?: number;
  /**
   * Keys of `describe()`'s result that hold a person's name (a buyer, a contact). Their values are
   * replaced by placeholders («NAME_1») before a request leaves, and so is each name wherever else
   * it appears in the same record's text.
   */
  personFields?: readonly string[];
  /**
   * Records per LLM request at most: 1 for long documents, more where several records fit one
   * prompt. Default: the provider's `batchSize`.
   */
  maxBatch?: number;
}

export interface Classification<Label extends string = string> {
  label: Label;
  /** Calibrated probability of `label`, 0..1. */
  confidence: number;
  probabilities: Record<Label, number>;
  /** Why, in words a buyer understands: the top contributing features. */
  explanation: string;
  /** Which provider and model version answered. */
  model: string;
  /**
   * Present when a person must decide: `label` is then only the task's `reviewLabel` (or its first
   * label), never the model's answer, and the policy keeps any change from it pending.
   */
  review?: ReviewFlag;
}

export interface ClassifyTask<Input, Label extends string = string> extends TaskPrompt {
  name: string;
  /** The closed set of answers: the enum of the LLM's output schema (master data, e.g. GL accounts). */
  labels: readonly Label[];
  /** Optional words per label an LLM is shown with it (`"6100": "Office supplies"`). */
  labelDescriptions?: Partial<Record<Label, string>>;
  /**
   * The label a result that needs review carries (see {@link Classification.review}). Default: the
   * first of `labels`, so order them with the one a person must see first.
   */
  reviewLabel?: Label;
  /** Bump when `features` changes meaning; a cached model with another version is retrained. */
  featureVersion: number;
  features(input: Input): Features;
  /** Human names for feature keys, used in explanations (`slackDays` → `days of slack`). */
  featureNames?: Record<string, string>;
  /** The only fields an LLM provider may send out for this input (then narrowed by the allowlist). */
  describe(input: Input): Record<string, unknown>;
}

/** A labeled example from the ERP's own history. */
export interface Example<Input, Label extends string = string> {
  input: Input;
  label: Label;
}

/** What the rules of an extract task found in one input, before validation. */
export interface RuleExtraction {
  /** Field values as found; checked against the task's schema and master data. */
  fields: Record<string, unknown>;
  /** How sure the rules are, 0..1. Default 1: a rule either matched or it did not. */
  confidence?: number;
  /** Which rule found what, in words (`invoice number from "Invoice No."`). */
  explanation?: string;
}

/**
 * Fields from text by schema. The schema is a zod object; with strict structured output every field
 * is sent as required, so a field that may be absent is `.nullable()`, not `.optional()` (the LLM
 * provider refuses `.optional()` before any request).
 */
export interface ExtractTask<Input, Schema extends z.ZodObject = z.ZodObject> extends TaskPrompt {
  name: string;
  schema: Schema;
  /**
   * Allowed values of fields, from the ERP's master data (supplier ids, cost centres): they become
   * the enum of the output schema, and a value outside them is repaired once, then sent to review.
   */
  masterData?: Partial<Record<keyof z.output<Schema> & string, readonly string[]>>;
  /** What an LLM is shown of the input, e.g. `{ text: documentText }`; narrowed by the allowlist. */
  describe(input: Input): Record<string, unknown>;
  /** The offline extractor (rules, regular expressions) the embedded provider runs. */
  rules?(input: Input): RuleExtraction;
}

export interface Extraction<Fields = Record<string, unknown>> {
  /** The fields, valid against the task's schema and master data; null when `review` says why not. */
  fields: Fields | null;
  /** 0..1. */
  confidence: number;
  explanation: string;
  model: string;
  review?: ReviewFlag;
  /** When `fields` is null: what was found, unvalidated, for the person reviewing it. */
  draft?: Record<string, unknown>;
}

/** What an offline detector says about one input. */
export interface DetectorVerdict {
  /** 0 (ordinary) .. 1 (certainly anomalous). */
  score: number;
  /** Each reason in words: `unit price 412.00 is 6.1× the supplier's median of 67.50`. */
  reasons: string[];
}

/** Anomaly detection: how unusual each input is, and why. */
export interface DetectTask<Input> extends TaskPrompt {
  name: string;
  /** What an LLM is shown of the input; narrowed by the allowlist. */
  describe(input: Input): Record<string, unknown>;
  /**
   * The offline detector the embedded provider runs (robust statistics, isolation forest, rules).
   * It gets the whole batch, so it can compare records with each other; one verdict per input.
   */
  detector?(inputs: readonly Input[]): readonly DetectorVerdict[] | Promise<readonly DetectorVerdict[]>;
}

export interface Detection {
  /** 0..1. */
  score: number;
  reasons: string[];
  /** Never empty: the reasons in one sentence, or that nothing unusual was found. */
  explanation: string;
  model: string;
  review?: ReviewFlag;
}

/** What a caller may pass to any task call. */
export interface AiCallOptions {
  /** Aborts requests in flight; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The run the call belongs to, recorded with every LLM exchange in the audit log. */
  runId?: string;
  /** The workflow the call belongs to (its per-workflow guardrails; recorded in the audit log). */
  workflow?: string;
}

export interface ClassifyProvider {
  readonly kind: AiProviderKind;
  classify<Input, Label extends string>(
    task: ClassifyTask<Input, Label>,
    inputs: readonly Input[],
    options?: AiCallOptions,
  ): Promise<Classification<Label>[]>;
}

/**
 * The one provider contract. Every method exists; a kind the provider does not answer is left out
 * of `supports` and its method rejects with a `permanent` ErpError saying so, before any work.
 * Results are one per input, in input order; `signal` is honoured.
 */
export interface AiProvider extends ClassifyProvider {
  readonly supports: readonly AiTaskKind[];
  extract<Input, Schema extends z.ZodObject>(
    task: ExtractTask<Input, Schema>,
    inputs: readonly Input[],
    options?: AiCallOptions,
  ): Promise<Extraction<z.output<Schema>>[]>;
  detect<Input>(
    task: DetectTask<Input>,
    inputs: readonly Input[],
    options?: AiCallOptions,
  ): Promise<Detection[]>;
}

/** The prompt version a task declares; 1 when it declares none. */
export function promptVersionOf(task: { promptVersion?: number }): number {
  return task.promptVersion ?? 1;
}

/** The label a classification routed to review carries: the task's `reviewLabel`, else its first label. */
export function reviewLabelOf<Label extends string>(task: {
  name: string;
  labels: readonly Label[];
  reviewLabel?: Label;
}): Label {
  const label = task.reviewLabel ?? task.labels[0];
  if (label === undefined) throw new TypeError(`task "${task.name}" has no labels`);
  return label;
}

/**
 * The error a provider rejects with when asked a kind of task it does not answer (see
 * {@link AiProvider.supports}), or a task that lacks what this provider needs for it.
 */
export function unsupportedTask(
  provider: AiProviderKind,
  kind: AiTaskKind,
  task: string,
  why?: string,
): ErpError {
  return new ErpError(
    'permanent',
    `the ${provider} provider cannot answer ${kind} task "${task}"${why ? `: ${why}` : ''}`,
    {
      entity: task,
      hint:
        provider === 'embedded'
          ? `give the task what the embedded provider needs (${kind === 'extract' ? 'rules' : kind === 'detect' ? 'a detector' : 'labels and features'}), or use provider: llm`
          : 'use a provider that supports it',
    },
  );
}
