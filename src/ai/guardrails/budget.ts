import { z } from 'zod';

/**
 * What LLM tokens cost and how much one run may spend. Prices are per 1,000 tokens, as providers
 * publish them; the currency is only a label. With no limits the budget only counts.
 *
 * @example
 * prices: { input1k: 0.00015, output1k: 0.0006, currency: USD }
 * budget: { maxTokensPerRun: 200000, maxCostPerRun: 0.50 }
 */
export const LlmPrices = z
  .strictObject({
    /** Price of 1,000 prompt (input) tokens. Default 0. */
    input1k: z.number().nonnegative().default(0),
    /** Price of 1,000 completion (output) tokens. Default 0. */
    output1k: z.number().nonnegative().default(0),
    /** Default `USD`. */
    currency: z.string().min(1).max(8).default('USD'),
  })
  .prefault({});
export type LlmPrices = z.output<typeof LlmPrices>;

export const LlmBudget = z
  .strictObject({
    /** Prompt plus completion tokens one run may use. Default: no limit. */
    maxTokensPerRun: z.int().positive().optional(),
    /** Cost one run may reach, in the prices' currency. Default: no limit. */
    maxCostPerRun: z.number().positive().optional(),
  })
  .prefault({});
export type LlmBudget = z.output<typeof LlmBudget>;

/** Tokens of one exchange. */
export interface TokenUsage {
  input: number;
  output: number;
}

/** A share of the budget held for a request in flight until its real usage is known. */
export interface Reservation {
  readonly tokens: number;
  readonly cost: number;
}

/** The budget allows the request, holding its estimate; or it does not, and says why in words. */
export type BudgetDecision = { ok: true; reservation: Reservation } | { ok: false; reason: string };

/** Tokens in a text, roughly: four characters each, as OpenAI's rule of thumb for English. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The cost of a usage at these prices. Pure. */
export function costOf(usage: TokenUsage, prices: LlmPrices): number {
  return (usage.input / 1000) * prices.input1k + (usage.output / 1000) * prices.output1k;
}

/**
 * One run's spending. Before a request, `reserve` its estimate: refused when what was spent plus
 * what is reserved plus the estimate would pass a limit. After the answer, `settle` with the real
 * usage. Requests in flight at once therefore cannot overrun the budget together; a request can
 * still overrun it by what its estimate missed, which the next reservation sees.
 */
export class RunBudget {
  readonly #limits: LlmBudget;
  readonly #prices: LlmPrices;
  #spentTokens = 0;
  #spentCost = 0;
  #reservedTokens = 0;
  #reservedCost = 0;
  #exhausted: string | undefined;

  constructor(limits: LlmBudget, prices: LlmPrices) {
    this.#limits = limits;
    this.#prices = prices;
  }

  reserve(estimate: TokenUsage): BudgetDecision {
    if (this.#exhausted !== undefined) return { ok: false, reason: this.#exhausted };
    const tokens = estimate.input + estimate.output;
    const cost = costOf(estimate, this.#prices);
    const { maxTokensPerRun, maxCostPerRun } = this.#limits;
    const tokensAfter = this.#spentTokens + this.#reservedTokens + tokens;
    const costAfter = this.#spentCost + this.#reservedCost + cost;
    if (maxTokensPerRun !== undefined && tokensAfter > maxTokensPerRun) {
      this.#exhausted =
        `the run's LLM budget of ${maxTokensPerRun} tokens is spent (${this.#spentTokens} used, ` +
        `the next request needs about ${tokens})`;
    } else if (maxCostPerRun !== undefined && costAfter > maxCostPerRun) {
      const { currency } = this.#prices;
      this.#exhausted =
        `the run's LLM budget of ${money(maxCostPerRun, currency)} is spent (${money(this.#spentCost, currency)} used, ` +
        `the next request costs about ${money(cost, currency)})`;
    }
    if (this.#exhausted !== undefined) return { ok: false, reason: this.#exhausted };
    this.#reservedTokens += tokens;
    this.#reservedCost += cost;
    return { ok: true, reservation: { tokens, cost } };
  }

  /** Releases a reservation and counts what the request really used (nothing, if it failed unsent). */
  settle(reservation: Reservation, actual: TokenUsage): number {
    this.#reservedTokens -= reservation.tokens;
    this.#reservedCost -= reservation.cost;
    const cost = costOf(actual, this.#prices);
    this.#spentTokens += actual.input + actual.output;
    this.#spentCost += cost;
    return cost;
  }

  /** What was spent so far, and why the budget refused, once it has. */
  spent(): { tokens: number; cost: number; currency: string; exhausted?: string } {
    return {
      tokens: this.#spentTokens,
      cost: this.#spentCost,
      currency: this.#prices.currency,
      ...(this.#exhausted === undefined ? {} : { exhausted: this.#exhausted }),
    };
  }
}

function money(amount: number, currency: string): string {
  return `${amount.toFixed(4)} ${currency}`;
}
