import type { PromotionRule } from '../engine/policy.ts';
import type { PolicyName } from '../engine/run.ts';

/** The rule a workflow without `policy.promotion` is measured against. */
export const DEFAULT_PROMOTION_RULE: PromotionRule = { minAgreement: 0.98, minItems: 500, suggest: 'review' };

/** Where the workflow's `policy.mode` is written, so the suggestion can name the line. */
export interface ModeLocation {
  file: string;
  /** 1-based; null when the file does not say (the mode is the default). */
  line: number | null;
}

/** What the promotion rule says about a shadow workflow's measured agreement. */
export interface PromotionVerdict {
  rule: PromotionRule;
  /** The workflow's mode now. */
  mode: PolicyName;
  /** Whether the measured agreement meets the rule (regardless of the mode). */
  holds: boolean;
  /** Why, in words, with the numbers. */
  reason: string;
  /** Present when the rule holds and the workflow is in shadow: the config change a person may make. */
  suggestion: {
    to: PromotionRule['suggest'];
    /** The config key, e.g. `workflows.po-urgency.policy.mode`. */
    key: string;
    file: string | null;
    line: number | null;
    /** The instruction, e.g. `erpbridge.yaml line 57: change "mode: shadow" to "mode: review"`. */
    text: string;
  } | null;
}

/**
 * Applies the promotion rule: it holds when at least `minItems` decisions have been acted on by
 * people and at least `minAgreement` of them agree. Pure. It only ever suggests: the verdict names
 * the config line to change and nothing changes on its own.
 */
export function evaluatePromotion(input: {
  workflow: string;
  mode: PolicyName;
  rule: PromotionRule;
  decided: number;
  agreement: number | null;
  location: ModeLocation | null;
}): PromotionVerdict {
  const { workflow, mode, rule, decided, agreement } = input;
  const needs = `${percent(rule.minAgreement)} agreement over at least ${rule.minItems} decided items`;
  const enough = decided >= rule.minItems;
  const agrees = agreement !== null && agreement >= rule.minAgreement;
  const holds = enough && agrees;
  const measured =
    agreement === null
      ? 'nobody has acted on its decisions yet'
      : `${percent(agreement)} agreement over ${decided} decided items`;
  let reason: string;
  if (holds) reason = `the rule holds: ${measured} (needs ${needs})`;
  else if (!enough) reason = `the rule does not hold yet: ${measured}; it needs ${needs}`;
  else reason = `the rule does not hold: ${measured}, below the ${percent(rule.minAgreement)} it needs`;
  const key = `workflows.${workflow}.policy.mode`;
  if (mode !== 'shadow') {
    return {
      rule,
      mode,
      holds,
      reason: `${reason}; the workflow is already in ${mode} mode, so there is nothing to promote`,
      suggestion: null,
    };
  }
  if (!holds) return { rule, mode, holds, reason, suggestion: null };
  const where = input.location
    ? `${input.location.file}${input.location.line === null ? '' : ` line ${input.location.line}`}`
    : 'erpbridge.yaml';
  return {
    rule,
    mode,
    holds,
    reason,
    suggestion: {
      to: rule.suggest,
      key,
      file: input.location?.file ?? null,
      line: input.location?.line ?? null,
      text: `${where}: change "mode: shadow" to "mode: ${rule.suggest}" (${key}); erpbridge never changes it on its own`,
    },
  };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
