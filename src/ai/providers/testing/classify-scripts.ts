import { z } from 'zod';
import type { ChatCompletionRequest, FakeReply, FakeScript, ScriptContext } from './fake-openai-server.ts';

/**
 * Building blocks for fake-server scripts that play the model behind erpbridge's LLM classify
 * provider: they read the inputs the way a model would (the JSON array in the first user message)
 * and answer in the `{ "results": [...] }` shape the provider asks for.
 */

const inputsSchema = z.array(z.looseObject({ id: z.string() }));

/** One input as the provider sent it: its id and the fields the task's `describe()` chose. */
export type SentInput = z.output<typeof inputsSchema>[number];

/** The inputs of a classify request: the JSON array in its first user message. Throws if there is none. */
export function sentInputs(request: ChatCompletionRequest): SentInput[] {
  const first = request.messages.find((message) => message.role === 'user');
  if (typeof first?.content !== 'string') throw new Error('no user message with text content in the request');
  return inputsSchema.parse(JSON.parse(first.content));
}

/** True for the provider's repair attempt: the conversation already holds a rejected answer. */
export function isRepair(request: ChatCompletionRequest): boolean {
  return request.messages.some((message) => message.role === 'assistant');
}

/** How the fake model decides one input. `confidence` defaults to 0.9, `explanation` to a stock sentence. */
export interface FakeDecision {
  label: string;
  confidence?: number;
  explanation?: string;
}

/** The JSON answer text for decisions keyed by input id, in the shape the provider asks for. */
export function resultsJson(decisions: readonly (FakeDecision & { id: string })[]): string {
  return JSON.stringify({
    results: decisions.map(({ id, label, confidence = 0.9, explanation = `decided ${label}` }) => ({
      id,
      label,
      confidence,
      explanation,
    })),
  });
}

/** A script that answers every input of every request with `decide(input)`, well-formed. */
export function answerEach(decide: (input: SentInput) => FakeDecision): FakeScript {
  return (request) => ({
    content: resultsJson(sentInputs(request).map((input) => ({ id: input.id, ...decide(input) }))),
  });
}

/**
 * A script that plays `steps` in turn, one per call; the last repeats. A step is a fixed reply or a
 * script of its own.
 *
 * @example inTurn({ status: 429, headers: { 'retry-after': '1' } }, answerEach(() => ({ label: 'urgent' })))
 */
export function inTurn(...steps: readonly (FakeReply | FakeScript)[]): FakeScript {
  if (steps.length === 0) throw new Error('inTurn needs at least one step');
  let taken = 0;
  return (request: ChatCompletionRequest, context: ScriptContext) => {
    const step = steps[Math.min(taken, steps.length - 1)];
    taken++;
    if (step === undefined) return {};
    return typeof step === 'function' ? step(request, context) : step;
  };
}

/** The task kind a request asks for, from its `response_format` name or, in `json_object` mode, its system message. */
export function taskKindOf(request: ChatCompletionRequest): 'classify' | 'extract' | 'detect' {
  const format = request.response_format;
  const name = format?.type === 'json_schema' ? format.json_schema.name : '';
  const system = JSON.stringify(request.messages[0]?.content ?? '');
  if (name === 'extraction_results' || (name === '' && system.includes('\\"fields\\"'))) return 'extract';
  if (name === 'detection_results' || (name === '' && system.includes('\\"score\\"'))) return 'detect';
  return 'classify';
}

/**
 * The ids a request wants answered: every input, or — in a repair that asks again only for some
 * ("results only for the ids "2", "5"") — those.
 */
export function askedIds(request: ChatCompletionRequest): string[] {
  const last = request.messages.at(-1);
  const text = typeof last?.content === 'string' ? last.content : '';
  const only = /results only for the ids ([^\n]*?), with values/.exec(text);
  if (isRepair(request) && only?.[1])
    return [...only[1].matchAll(/"([^"]*)"/g)].map((match) => match[1] ?? '');
  return sentInputs(request).map((input) => input.id);
}

/**
 * A script for any task kind: answers each asked-for input with `answer(kind, input)` (the result
 * without its id), as a faithful model would.
 */
export function answerTasks(
  answer: (kind: 'classify' | 'extract' | 'detect', input: SentInput) => Record<string, unknown>,
): FakeScript {
  return (request) => {
    const kind = taskKindOf(request);
    const inputs = new Map(sentInputs(request).map((input) => [input.id, input]));
    const results = askedIds(request).map((id) => {
      const input = inputs.get(id);
      if (input === undefined) throw new Error(`the request asks for id ${id}, which it did not send`);
      return { id, ...answer(kind, input) };
    });
    return { content: JSON.stringify({ results }) };
  };
}
