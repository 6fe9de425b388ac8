import { z } from 'zod';
import type { Classification } from '../contract.ts';

/**
 * The shape an LLM must answer in, for a task's labels. The one source of both the JSON schema sent
 * to the server and the validation of what comes back, so the two cannot drift apart.
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

/** The answer schema of a task, as {@link answerSchema} builds it. */
export type AnswerSchema<Label extends string> = ReturnType<typeof answerSchema<Label>>;

/** One input's result as the model gave it, after validation. */
export type AnswerResult<Label extends string> = z.output<AnswerSchema<Label>>['results'][number];

/**
 * The JSON schema of {@link answerSchema}, for `response_format`. Draft-07, as the `openai` package's
 * own zod helper emits; every object is closed and every property required, as strict mode demands.
 */
export function answerJsonSchema(schema: AnswerSchema<string>): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-7' });
}

/** A reason an answer was rejected, with where in the answer it is (`[]` for the answer as a whole). */
export interface AnswerIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** A checked answer: its results in the order of the ids asked for, or why it was rejected. */
export type AnswerCheck<Label extends string> =
  | { ok: true; results: AnswerResult<Label>[] }
  | { ok: false; issues: AnswerIssue[] };

/**
 * Parses and validates a model's answer for one batch: JSON, the schema, and exactly one result for
 * each of `ids` (none missing, none unknown, none twice). Pure; never throws.
 */
export function checkAnswer<Label extends string>(
  content: string | null,
  schema: AnswerSchema<Label>,
  ids: readonly string[],
): AnswerCheck<Label> {
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
  const parsed = schema
    .superRefine((answer, ctx) => coverEachIdOnce(answer.results, ids, ctx))
    .safeParse(json);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues };
  const byId = new Map(parsed.data.results.map((result) => [result.id, result]));
  const results: AnswerResult<Label>[] = [];
  for (const id of ids) {
    const result = byId.get(id);
    // coverEachIdOnce guarantees every id; this only keeps the compiler and a future edit honest.
    if (result === undefined)
      return { ok: false, issues: [{ path: ['results'], message: `no result for id "${id}"` }] };
    results.push(result);
  }
  return { ok: true, results };
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

/** One line per issue: `results[3].label: Invalid option: expected one of "urgent"|"normal"`. */
export function formatIssues(issues: readonly AnswerIssue[]): string {
  return issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`).join('\n');
}

/**
 * Turns validated results into classifications. `confidence` is the model's own estimate that its
 * label is right — not a calibrated probability. `probabilities` gives the chosen label that
 * confidence and shares the remainder equally among the other labels: a stand-in of the same shape
 * the embedded model returns, not a distribution the model stated.
 */
export function toClassifications<Label extends string>(
  results: readonly AnswerResult<Label>[],
  labels: readonly Label[],
  model: string,
): Classification<Label>[] {
  // Parsing through an exhaustive record schema is how the type system learns every label has a value.
  const probabilitiesSchema = z.record(z.enum(labels), z.number().min(0).max(1));
  const others = Math.max(labels.length - 1, 1);
  return results.map((result) => {
    const remainder = (1 - result.confidence) / others;
    const probabilities = probabilitiesSchema.parse(
      Object.fromEntries(
        labels.map((label) => [label, label === result.label ? result.confidence : remainder]),
      ),
    );
    return {
      label: result.label,
      confidence: result.confidence,
      probabilities,
      explanation: result.explanation,
      model,
    };
  });
}
