/**
 * AI tasks and the providers that answer them. A task says what is asked (labels, features for the
 * embedded model, the fields an LLM may see); a provider answers a batch of inputs.
 */

/** What the embedded model learns from: named numbers and free text. */
export interface Features {
  numeric: Record<string, number>;
  text: string;
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
}

export interface ClassifyTask<Input, Label extends string = string> {
  name: string;
  labels: readonly Label[];
  /** Bump when `features` changes meaning; a cached model with another version is retrained. */
  featureVersion: number;
  features(input: Input): Features;
  /** Human names for feature keys, used in explanations (`slackDays` → `days of slack`). */
  featureNames?: Record<string, string>;
  /** Instructions for an LLM: what the labels mean and how to decide. */
  instructions: string;
  /** The only fields an LLM provider may send out for this input (redaction by construction). */
  describe(input: Input): Record<string, unknown>;
}

/** A labeled example from the ERP's own history. */
export interface Example<Input, Label extends string = string> {
  input: Input;
  label: Label;
}

export interface ClassifyProvider {
  readonly kind: 'embedded' | 'llm';
  classify<Input, Label extends string>(
    task: ClassifyTask<Input, Label>,
    inputs: readonly Input[],
    options?: { signal?: AbortSignal },
  ): Promise<Classification<Label>[]>;
}
