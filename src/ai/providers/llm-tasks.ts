import { z } from 'zod';
import { ErpError } from '../../errors/index.ts';
import {
  type AiTaskKind,
  type Classification,
  type ClassifyTask,
  type Detection,
  type DetectTask,
  type Extraction,
  type ExtractTask,
  reviewLabelOf,
} from '../contract.ts';
import {
  bindToMasterData,
  checkMasterData,
  type MasterDataBindings,
  matchLabel,
  outsideMessage,
} from '../guardrails/master-data.ts';
import { answerJsonSchema, answerSchema, probabilitiesOf, toClassification } from './llm-answer.ts';
import type { StructuredOutputMode } from './llm-config.ts';
import type { DescribingTask } from './llm-request.ts';
import { quoteAll, systemMessage } from './llm-request.ts';

/**
 * What the LLM provider needs to know about each kind of task: the answer schema (with master data
 * as its enums), the system message, how to check one answered record, and what a record routed to
 * review looks like. One provider loop (`llm-provider.ts`) runs all three kinds.
 */

/** A problem with one answered record; `outsideMasterData` when the value is well-formed but not allowed. */
export interface RecordIssue {
  path: readonly PropertyKey[];
  message: string;
  outsideMasterData: boolean;
}

export type RecordCheck<Result> = { ok: true; result: Result } | { ok: false; issues: RecordIssue[] };

export interface TaskSpec<Input, Result> {
  kind: AiTaskKind;
  task: DescribingTask<Input> & { instructions: string; promptVersion?: number; maxBatch?: number };
  /** `name` of the `json_schema` response format (OpenAI allows `[a-zA-Z0-9_-]{1,64}`). */
  responseName: string;
  jsonSchema: Record<string, unknown>;
  system(mode: StructuredOutputMode): string;
  /** A rough allowance for the budget's estimate of one record's answer. */
  outputTokensPerRecord: number;
  /** Checks one record of the answer, placeholders already restored. */
  check(record: Record<string, unknown>, model: string): RecordCheck<Result>;
  /** The result of a record a person must decide, with why; `draft` is what the model answered, if anything usable. */
  review(reason: string, model: string, draft?: Record<string, unknown>): Result;
}

const confidence = z.number().min(0).max(1);

/** The classify spec: the task's labels are the enum of `label`. */
export function classifySpec<Input, Label extends string>(
  task: ClassifyTask<Input, Label>,
): TaskSpec<Input, Classification<Label>> {
  if (task.labels.length === 0) {
    throw new ErpError('permanent', `task "${task.name}" has no labels to classify into`, {
      entity: task.name,
    });
  }
  const jsonSchema = answerJsonSchema(answerSchema(task.labels));
  const recordSchema = z.object({ label: z.string(), confidence, explanation: z.string() });
  const described = Object.entries(task.labelDescriptions ?? {}).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  const allowed = [`Allowed labels: ${quoteAll(task.labels)}.`];
  if (described.length > 0) {
    allowed.push(
      `What the labels mean:\n${described.map(([label, words]) => `- ${JSON.stringify(label)}: ${words}`).join('\n')}`,
    );
  }
  const answerShape =
    'Answer with a JSON object {"results": [...]} holding exactly one result per input, each {"id": the ' +
    'input\'s id, "label": one of the allowed labels, "confidence": your probability from 0 to 1 that the ' +
    'label is right, "explanation": one short sentence saying why}.';
  const reviewLabel = reviewLabelOf(task);
  return {
    kind: 'classify',
    task,
    responseName: 'classification_results',
    jsonSchema,
    system: (mode) =>
      systemMessage({ instructions: task.instructions, allowed, answerShape }, mode, jsonSchema),
    outputTokensPerRecord: 60,
    check(record, model) {
      const parsed = recordSchema.safeParse(record);
      if (!parsed.success) return { ok: false, issues: shapeIssues(parsed.error.issues) };
      const issues: RecordIssue[] = [];
      const label = matchLabel(parsed.data.label, task.labels);
      if (parsed.data.explanation.trim() === '') {
        issues.push({ path: ['explanation'], message: 'the explanation is empty', outsideMasterData: false });
      }
      if (label === undefined) {
        issues.push({
          path: ['label'],
          message: outsideMessage('label', parsed.data.label, task.labels),
          outsideMasterData: true,
        });
      }
      if (label === undefined || issues.length > 0) return { ok: false, issues };
      return { ok: true, result: toClassification({ ...parsed.data, label }, task.labels, model) };
    },
    review(reason, model) {
      const share = 1 / task.labels.length;
      return {
        label: reviewLabel,
        confidence: share,
        probabilities: probabilitiesOf(task.labels, () => share),
        explanation: `needs review: ${reason}`,
        model,
        review: { reason },
      };
    },
  };
}

/** The extract spec: the task's schema, with its master data as enums, is the shape of `fields`. */
export function extractSpec<Input, Schema extends z.ZodObject>(
  task: ExtractTask<Input, Schema>,
): TaskSpec<Input, Extraction<z.output<Schema>>> {
  refuseOptionalFields(task.name, task.schema);
  const bindings: MasterDataBindings = task.masterData ?? {};
  const bound = bindToMasterData(task.schema, bindings, task.name);
  let jsonSchema: Record<string, unknown>;
  try {
    jsonSchema = answerJsonSchema(
      z.object({
        results: z.array(z.object({ id: z.string(), fields: bound, confidence, explanation: z.string() })),
      }),
    );
  } catch (error) {
    throw new ErpError(
      'permanent',
      `task "${task.name}": its schema cannot be sent as JSON Schema: ${String(error)}`,
      {
        entity: task.name,
        cause: error,
        hint: 'use plain zod types (string, number, boolean, enum, nullable, object, array) without transforms',
      },
    );
  }
  const recordSchema = z.object({
    fields: z.record(z.string(), z.unknown()),
    confidence,
    explanation: z.string(),
  });
  const allowed = Object.entries(bindings)
    .filter((entry): entry is [string, readonly string[]] => entry[1] !== undefined)
    .map(([field, values]) => `Allowed values of "${field}": ${quoteAll(values)}.`);
  const answerShape =
    'Answer with a JSON object {"results": [...]} holding exactly one result per input, each {"id": the ' +
    `input's id, "fields": {${Object.keys(task.schema.shape)
      .map((key) => JSON.stringify(key))
      .join(', ')}} as found ` +
    'in the input (null where it does not say), "confidence": your probability from 0 to 1 that every field ' +
    'is right, "explanation": one short sentence saying where you found them}.';
  return {
    kind: 'extract',
    task,
    responseName: 'extraction_results',
    jsonSchema,
    system: (mode) =>
      systemMessage({ instructions: task.instructions, allowed, answerShape }, mode, jsonSchema),
    outputTokensPerRecord: 40 + 30 * Object.keys(task.schema.shape).length,
    check(record, model) {
      const parsed = recordSchema.safeParse(record);
      if (!parsed.success) return { ok: false, issues: shapeIssues(parsed.error.issues) };
      const fields = task.schema.safeParse(parsed.data.fields);
      const issues: RecordIssue[] = fields.success
        ? []
        : fields.error.issues.map((issue) => ({
            path: ['fields', ...issue.path],
            message: issue.message,
            outsideMasterData: false,
          }));
      for (const issue of checkMasterData(parsed.data.fields, bindings, task.schema)) {
        issues.push({ path: ['fields', issue.field], message: issue.message, outsideMasterData: true });
      }
      if (parsed.data.explanation.trim() === '') {
        issues.push({ path: ['explanation'], message: 'the explanation is empty', outsideMasterData: false });
      }
      if (!fields.success || issues.length > 0) return { ok: false, issues };
      return {
        ok: true,
        result: {
          fields: fields.data,
          confidence: parsed.data.confidence,
          explanation: parsed.data.explanation,
          model,
        },
      };
    },
    review(reason, model, draft) {
      const fields = draft !== undefined && isRecord(draft.fields) ? draft.fields : undefined;
      return {
        fields: null,
        confidence: 0,
        explanation: `needs review: ${reason}`,
        model,
        review: { reason },
        ...(fields === undefined ? {} : { draft: fields }),
      };
    },
  };
}

/** The detect spec: a score in [0, 1] and the reasons in words. */
export function detectSpec<Input>(task: DetectTask<Input>): TaskSpec<Input, Detection> {
  const answer = z.object({
    id: z.string(),
    score: confidence,
    reasons: z.array(z.string()),
    explanation: z.string(),
  });
  const jsonSchema = answerJsonSchema(z.object({ results: z.array(answer) }));
  const recordSchema = answer.omit({ id: true });
  const answerShape =
    'Answer with a JSON object {"results": [...]} holding exactly one result per input, each {"id": the ' +
    'input\'s id, "score": from 0 (ordinary) to 1 (certainly anomalous), "reasons": each thing that looks ' +
    'unusual, in one short sentence each (empty when nothing does), "explanation": one short sentence summing up}.';
  return {
    kind: 'detect',
    task,
    responseName: 'detection_results',
    jsonSchema,
    system: (mode) =>
      systemMessage({ instructions: task.instructions, allowed: [], answerShape }, mode, jsonSchema),
    outputTokensPerRecord: 90,
    check(record, model) {
      const parsed = recordSchema.safeParse(record);
      if (!parsed.success) return { ok: false, issues: shapeIssues(parsed.error.issues) };
      const reasons = parsed.data.reasons.map((reason) => reason.trim()).filter((reason) => reason !== '');
      const explanation =
        parsed.data.explanation.trim() || reasons.join('; ') || `score ${parsed.data.score}; no reason given`;
      return { ok: true, result: { score: parsed.data.score, reasons, explanation, model } };
    },
    review(reason, model) {
      return { score: 0, reasons: [], explanation: `needs review: ${reason}`, model, review: { reason } };
    },
  };
}

function shapeIssues(issues: readonly z.core.$ZodIssue[]): RecordIssue[] {
  return issues.map((issue) => ({ path: issue.path, message: issue.message, outsideMasterData: false }));
}

/**
 * Strict structured output sends every field as required; an `.optional()` field would be asked
 * for anyway and its absence could not be told from "not found". Refused before any request.
 */
function refuseOptionalFields(task: string, schema: z.ZodObject): void {
  for (const [field, type] of Object.entries(schema.shape)) {
    if (type.safeParse(undefined).success) {
      throw new ErpError('permanent', `task "${task}": field "${field}" of its schema is optional`, {
        entity: task,
        field,
        hint: 'make it .nullable() instead: the model answers null where the input does not say',
      });
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
