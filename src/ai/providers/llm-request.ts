import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ResponseFormatJSONObject, ResponseFormatJSONSchema } from 'openai/resources/shared';
import { ErpError } from '../../errors/index.ts';
import type { ClassifyTask } from '../contract.ts';
import type { StructuredOutputMode } from './llm-config.ts';

/**
 * What leaves the process for a classify request, and nothing else: the task's instructions and
 * labels, and per input the provider's id plus exactly the fields `task.describe()` returned.
 */

/** One input as the LLM sees it: the id answers are matched by, and its JSON as sent. */
export interface DescribedInput {
  id: string;
  json: string;
}

/** `name` of the `json_schema` response format (OpenAI allows `[a-zA-Z0-9_-]{1,64}`). */
export const RESPONSE_FORMAT_NAME = 'classification_results';

/**
 * Describes every input before any request is made, so a task whose `describe()` cannot be sent
 * fails before I/O. The id is the input's position (`"0"`, `"1"`, …); a `describe()` result with
 * its own `id` field is refused rather than silently shadowed.
 */
export function describeInputs<Input>(
  task: ClassifyTask<Input, string>,
  inputs: readonly Input[],
): DescribedInput[] {
  return inputs.map((input, index) => {
    const id = String(index);
    let fields: Record<string, unknown>;
    try {
      fields = task.describe(input);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ErpError('permanent', `task "${task.name}": describe() failed for input ${id}: ${reason}`, {
        entity: task.name,
        key: id,
        cause: error,
      });
    }
    if (Object.hasOwn(fields, 'id')) {
      throw new ErpError('permanent', `task "${task.name}": describe() returned a field named "id"`, {
        entity: task.name,
        key: id,
        field: 'id',
        hint: 'rename it (e.g. "orderNumber"); the LLM provider uses "id" to match answers to inputs',
      });
    }
    let json: string;
    try {
      json = JSON.stringify({ id, ...fields });
    } catch (error) {
      throw new ErpError('permanent', `task "${task.name}": describe() returned a value that is not JSON`, {
        entity: task.name,
        key: id,
        cause: error,
        hint: 'return plain strings, numbers, booleans, arrays and objects from describe()',
      });
    }
    return { id, json };
  });
}

/**
 * The system and user messages for one batch. In `json_object` mode the server does not know our
 * schema, so the system message spells it out (and says "JSON", which OpenAI requires in that mode).
 */
export function classifyMessages(
  task: Pick<ClassifyTask<never, string>, 'instructions' | 'labels'>,
  batch: readonly DescribedInput[],
  mode: StructuredOutputMode,
  jsonSchema: Record<string, unknown>,
): ChatCompletionMessageParam[] {
  const system = [
    task.instructions.trim(),
    `Allowed labels: ${quoteAll(task.labels)}.`,
    'The user message is a JSON array of inputs, each with an "id". Answer with a JSON object ' +
      '{"results": [...]} holding exactly one result per input, each {"id": the input\'s id, ' +
      '"label": one of the allowed labels, "confidence": your probability from 0 to 1 that the label ' +
      'is right, "explanation": one short sentence saying why}.',
  ];
  if (mode === 'json_object')
    system.push(`The JSON object must match this JSON Schema: ${JSON.stringify(jsonSchema)}`);
  return [
    { role: 'system', content: system.join('\n\n') },
    { role: 'user', content: `[${batch.map((input) => input.json).join(',')}]` },
  ];
}

/**
 * The conversation for the one repair attempt: the original messages, the rejected answer as the
 * assistant said it, and what was wrong with it.
 */
export function repairMessages(
  original: readonly ChatCompletionMessageParam[],
  rejectedAnswer: string,
  problems: string,
  batch: readonly DescribedInput[],
): ChatCompletionMessageParam[] {
  return [
    ...original,
    { role: 'assistant', content: rejectedAnswer },
    {
      role: 'user',
      content:
        `Your answer was rejected:\n${problems}\n\n` +
        'Answer again with the complete, corrected JSON object: exactly one result for each of the ids ' +
        `${quoteAll(batch.map((input) => input.id))}, with labels only from the allowed labels.`,
    },
  ];
}

/** The `response_format` for a mode; the schema is only sent where the server can enforce it. */
export function responseFormat(
  mode: StructuredOutputMode,
  jsonSchema: Record<string, unknown>,
): ResponseFormatJSONSchema | ResponseFormatJSONObject {
  if (mode === 'json_object') return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: { name: RESPONSE_FORMAT_NAME, strict: true, schema: jsonSchema },
  };
}

function quoteAll(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}
