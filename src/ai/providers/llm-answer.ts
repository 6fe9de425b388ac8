import { z } from 'zod';
import type { Classification } from '../contract.ts';

/**
 * Reading an LLM's answer for one batch: the `{ "results": [...] }` envelope every task kind answers
 * in, one result per input id. What each result must hold is the task kind's business
 * (`llm-tasks.ts`); this file checks the envelope and names problems by their path in the answer.
 */

/**
 * The classify answer shape for a task's labels: the source of the JSON schema sent to the server,
 * so the labels are its enum.
 */
export function answerSchema<Label extends string>(labels: readonly Label[]) {
  return z.object({
    results: z.array(
      z.object({
        id: z.string(),
        label: z.enum(labels),
        confidence: z.number().min(0).max(1),
        explanation: z.string(),
      }),
    ),
  });
}

/** The answer schema of a classify task, as {@link answerSchema} builds it. */
export type AnswerSchema<Label extends string> = ReturnType<typeof answerSchema<Label>>;

/**
 * A zod schema as JSON schema for `response_format`: draft-07, as the `openai` package's own zod
 * helper emits, with every object closed and every property required, as strict mode demands.
 */
export function answerJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return closeObjects(z.toJSONSchema(schema, { target: 'draft-7' }));
}

/** Every object schema with `additionalProperties: false` and all its properties required. Pure. */
export function closeObjects(schema: Record<string, unknown>): Record<string, unknown> {
  const closed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (Array.isArray(value)) closed[key] = value.map((item) => (isRecord(item) ? closeObjects(item) : item));
    else if (isRecord(value)) {
      closed[key] =
        key === 'properties' || key === '$defs' || key === 'definitions'
          ? Object.fromEntries(
              Object.entries(value).map(([name, inner]) => [
                name,
                isRecord(inner) ? closeObjects(inner) : inner,
              ]),
            )
          : closeObjects(value);
    } else closed[key] = value;
  }
  if (closed.type === 'object' || isRecord(closed.properties)) {
    const properties = isRecord(closed.properties) ? closed.properties : {};
    closed.properties = properties;
    closed.additionalProperties = false;
    closed.required = Object.keys(properties);
  }
  return closed;
}

/** A reason an answer was rejected, with where in the answer it is (`[]` for the answer as a whole). */
export interface AnswerIssue {
  path: readonly PropertyKey[];
  message: string;
}

const envelopeSchema = z.object({ results: z.array(z.looseObject({ id: z.string() })) });

/** One input's result as the model wrote it, and where it stands in the answer. */
export interface AnsweredRecord {
  index: number;
  record: Record<string, unknown>;
}

/** A checked envelope: each asked-for id's raw result, or why the answer as a whole is rejected. */
export type EnvelopeCheck =
  | { ok: true; records: Map<string, AnsweredRecord> }
  | { ok: false; issues: AnswerIssue[] };

/**
 * Parses the answer's JSON and checks its envelope: a `results` array with exactly one result for
 * each of `ids` (none missing, none unknown, none twice). Pure; never throws.
 */
export function checkEnvelope(content: string | null, ids: readonly string[]): EnvelopeCheck {
  if (content === null || content.trim() === '') {
    return { ok: false, issues: [{ path: [], message: 'the answer was empty' }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, issues: [{ path: [], message: `the answer is not valid JSON (${reason})` }] };
  }
  const parsed = envelopeSchema
    .superRefine((answer, ctx) => coverEachIdOnce(answer.results, ids, ctx))
    .safeParse(json);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues };
  const records = new Map<string, AnsweredRecord>();
  parsed.data.results.forEach((record, index) => {
    records.set(record.id, { index, record });
  });
  return { ok: true, records };
}

function coverEachIdOnce(
  results: readonly { id: string }[],
  ids: readonly string[],
  ctx: z.RefinementCtx,
): void {
  const expected = new Set(ids);
  const seen = new Set<string>();
  results.forEach(({ id }, index) => {
    if (!expected.has(id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['results', index, 'id'],
        message: `id "${id}" was not asked for`,
      });
    } else if (seen.has(id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['results', index, 'id'],
        message: `id "${id}" is answered twice`,
      });
    }
    seen.add(id);
  });
  const missing = ids.filter((id) => !seen.has(id));
  if (missing.length > 0) {
    const list = missing.map((id) => `"${id}"`).join(', ');
    ctx.addIssue({
      code: 'custom',
      path: ['results'],
      message: `no result for id${missing.length > 1 ? 's' : ''} ${list}`,
    });
  }
}

/** `results[3].label`; `(answer)` for the answer as a whole. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(answer)';
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      const name = String(part);
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

/** One line per issue: `results[3].label: label "panic" is not one of the allowed values: …`. */
export function formatIssues(issues: readonly AnswerIssue[]): string {
  return issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`).join('\n');
}

/**
 * One classification from a validated result. `confidence` is the model's own estimate that its
 * label is right — not a calibrated probability. `probabilities` gives the chosen label that
 * confidence and shares the remainder equally among the other labels: a stand-in of the same shape
 * the embedded model returns, not a distribution the model stated.
 */
export function toClassification<Label extends string>(
  result: { label: Label; confidence: number; explanation: string },
  labels: readonly Label[],
  model: string,
): Classification<Label> {
  const remainder = (1 - result.confidence) / Math.max(labels.length - 1, 1);
  return {
    label: result.label,
    confidence: result.confidence,
    probabilities: probabilitiesOf(labels, (label) =>
      label === result.label ? result.confidence : remainder,
    ),
    explanation: result.explanation,
    model,
  };
}

/** A probability per label; parsing through an exhaustive record schema is how the type system learns every label has one. */
export function probabilitiesOf<Label extends string>(
  labels: readonly Label[],
  probability: (label: Label) => number,
): Record<Label, number> {
  const schema = z.record(z.enum(labels), z.number().min(0).max(1));
  return schema.parse(Object.fromEntries(labels.map((label) => [label, probability(label)])));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
