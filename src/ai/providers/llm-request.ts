import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ResponseFormatJSONObject, ResponseFormatJSONSchema } from 'openai/resources/shared';
import { ErpError } from '../../errors/index.ts';
import { allowFields, checkSomethingAllowed } from '../guardrails/allowlist.ts';
import { personNames, RedactionVault, redactFields } from '../guardrails/redaction.ts';
import type { StructuredOutputMode } from './llm-config.ts';

/**
 * The one place LLM requests are built. What leaves the process is the task's instructions and
 * answer schema, and per input its position id plus the fields `describe()` returned, narrowed to
 * the allowlist and with personal data behind placeholders. Nothing else about an input is sent.
 */

/** One input as the LLM sees it, and what is needed to read its answer back. */
export interface PreparedRecord {
  /** The input's position in the call (`"0"`, `"1"`, …): answers are matched by it. */
  id: string;
  /** `{"id": …, …fields}` exactly as sent. */
  json: string;
  /** The fields as sent, without the id: what the cache key hashes. */
  fieldsJson: string;
  /** The placeholders of this record and what they stand for; never leaves the process. */
  vault: RedactionVault;
  /** Paths the allowlist held back. */
  withheld: string[];
}

/** What a task gives the request builder. */
export interface DescribingTask<Input> {
  name: string;
  describe(input: Input): Record<string, unknown>;
  personFields?: readonly string[];
}

/**
 * Describes, narrows and redacts every input before any request is made, so a task whose
 * `describe()` cannot be sent fails before I/O. The id is the input's position; a `describe()`
 * result with its own `id` field is refused rather than silently shadowed, and so is an input none
 * of whose fields the allowlist lets out.
 */
export function prepareRecords<Input>(
  task: DescribingTask<Input>,
  inputs: readonly Input[],
  allow: readonly string[],
): PreparedRecord[] {
  return inputs.map((input, index) => {
    const id = String(index);
    let described: Record<string, unknown>;
    try {
      described = task.describe(input);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ErpError('permanent', `task "${task.name}": describe() failed for input ${id}: ${reason}`, {
        entity: task.name,
        key: id,
        cause: error,
      });
    }
    if (Object.hasOwn(described, 'id')) {
      throw new ErpError('permanent', `task "${task.name}": describe() returned a field named "id"`, {
        entity: task.name,
        key: id,
        field: 'id',
        hint: 'rename it (e.g. "orderNumber"); the LLM provider uses "id" to match answers to inputs',
      });
    }
    const allowed = allowFields(described, allow);
    checkSomethingAllowed(allowed, allow, task.name, id);
    const vault = new RedactionVault();
    const fields = redactFields(allowed.sent, vault, personNames(described, task.personFields));
    let fieldsJson: string;
    try {
      fieldsJson = JSON.stringify(fields);
    } catch (error) {
      throw new ErpError('permanent', `task "${task.name}": describe() returned a value that is not JSON`, {
        entity: task.name,
        key: id,
        cause: error,
        hint: 'return plain strings, numbers, booleans, arrays and objects from describe()',
      });
    }
    const json =
      fieldsJson === '{}'
        ? `{"id":${JSON.stringify(id)}}`
        : `{"id":${JSON.stringify(id)},${fieldsJson.slice(1)}`;
    return { id, json, fieldsJson, vault, withheld: allowed.withheld };
  });
}

/** Said to the model in every system message, so it keeps placeholders as they are. */
export const PLACEHOLDER_NOTE =
  'Values like «EMAIL_1» or «NAME_2» stand for personal data that was hidden; when you refer to one, ' +
  'write the placeholder exactly as given.';

/**
 * A system message: the task's instructions, what is allowed, how to answer, and — in
 * `json_object` mode, where the server does not know our schema — the schema spelled out (with the
 * word "JSON", which OpenAI requires in that mode).
 */
export function systemMessage(
  parts: { instructions: string; allowed: readonly string[]; answerShape: string },
  mode: StructuredOutputMode,
  jsonSchema: Record<string, unknown>,
): string {
  const system = [
    parts.instructions.trim(),
    ...parts.allowed,
    `The user message is a JSON array of inputs, each with an "id". ${parts.answerShape}`,
    PLACEHOLDER_NOTE,
  ];
  if (mode === 'json_object')
    system.push(`The JSON object must match this JSON Schema: ${JSON.stringify(jsonSchema)}`);
  return system.join('\n\n');
}

/** The system and user messages for one batch. */
export function batchMessages(
  system: string,
  batch: readonly PreparedRecord[],
): ChatCompletionMessageParam[] {
  return [
    { role: 'system', content: system },
    { role: 'user', content: `[${batch.map((record) => record.json).join(',')}]` },
  ];
}

/**
 * The conversation for the one repair attempt: the original messages, the rejected answer, and
 * what was wrong with it. `ids` are the inputs to answer again — all of the batch after a malformed
 * answer, only those with values outside their allowed set otherwise.
 */
export function repairMessages(
  original: readonly ChatCompletionMessageParam[],
  rejectedAnswer: string,
  problems: string,
  ids: readonly string[],
  wholeBatch: boolean,
): ChatCompletionMessageParam[] {
  const which = wholeBatch
    ? `Answer again with the complete, corrected JSON object: exactly one result for each of the ids ${quoteAll(ids)}`
    : `Answer again with a corrected JSON object holding results only for the ids ${quoteAll(ids)}`;
  return [
    ...original,
    { role: 'assistant', content: rejectedAnswer },
    {
      role: 'user',
      content: `Your answer was rejected:\n${problems}\n\n${which}, with values only from the allowed ones.`,
    },
  ];
}

/** The `response_format` for a mode; the schema is only sent where the server can enforce it. */
export function responseFormat(
  mode: StructuredOutputMode,
  name: string,
  jsonSchema: Record<string, unknown>,
): ResponseFormatJSONSchema | ResponseFormatJSONObject {
  if (mode === 'json_object') return { type: 'json_object' };
  return { type: 'json_schema', json_schema: { name, strict: true, schema: jsonSchema } };
}

/** `"a", "b"`. */
export function quoteAll(values: readonly string[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}
