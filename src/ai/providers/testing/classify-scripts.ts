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
