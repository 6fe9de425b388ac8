import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import type { ConnectorFigures } from '../resilience/index.ts';
import type { Metrics } from './metrics.ts';

/**
 * Test helpers: a scrape parsed by an independent parser (`parse-prometheus-text-format`, the
 * format as Prometheus's own Python client reads it), and connector figures to feed it.
 */

/** One scrape: its text, and its families parsed, by name. */
export interface Scrape {
  text: string;
  families: Map<string, ParsedFamily>;
}

/** Renders `metrics` and parses the text. */
export async function scrape(metrics: Metrics): Promise<Scrape> {
  const text = await metrics.render();
  return { text, families: new Map(parsePrometheusTextFormat(text).map((parsed) => [parsed.name, parsed])) };
}

/** The family `name`; throws when the scrape does not have it. */
export function family(scraped: Scrape, name: string): ParsedFamily {
  const found = scraped.families.get(name);
  if (!found) throw new Error(`the scrape has no metric ${name}`);
  return found;
}

const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length &&
  Object.entries(a).every(([key, value]) => b[key] === value);

/** The value of the sample of `name` whose labels are exactly `labels`, or undefined. */
export function sampleValue(
  scraped: Scrape,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const sample = family(scraped, name).metrics.find((candidate) =>
    sameLabels(candidate.labels ?? {}, labels),
  );
  return sample?.value === undefined ? undefined : Number(sample.value);
}

/** The label sets of every sample of `name`. */
export function labelSets(scraped: Scrape, name: string): Record<string, string>[] {
  return family(scraped, name).metrics.map((sample) => sample.labels ?? {});
}

/** One label set of a histogram: cumulative counts by upper bound (`le`), count and sum. */
export interface HistogramSample {
  buckets: Record<string, number>;
  count: number;
  sum: number;
}

const SAMPLE_LINE = /^([a-z0-9_]+)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * The histogram `name`'s sample whose labels are exactly `labels`, or undefined. Read from the text:
 * parse-prometheus-text-format merges the label sets of a histogram into one sample and drops their
 * `_count` and `_sum`.
 */
export function histogram(
  scraped: Scrape,
  name: string,
  labels: Record<string, string>,
): HistogramSample | undefined {
  let found: HistogramSample | undefined;
  for (const line of scraped.text.split('\n')) {
    const match = SAMPLE_LINE.exec(line);
    const part = match?.[1]?.startsWith(`${name}_`) ? match[1].slice(name.length + 1) : undefined;
    if (!match || (part !== 'bucket' && part !== 'count' && part !== 'sum')) continue;
    const { le, ...rest } = Object.fromEntries(
      [...(match[2] ?? '').matchAll(LABEL)].map(([, key = '', text = '']) => [key, text]),
    );
    if (!sameLabels(rest, labels)) continue;
    found ??= { buckets: {}, count: 0, sum: 0 };
    const value = Number(match[3]);
    if (part === 'bucket' && le !== undefined) found.buckets[le] = value;
    else if (part === 'count') found.count = value;
    else found.sum = value;
  }
  return found;
}

/** Figures of a connection that has done nothing yet, with `overrides` applied. */
export function connectorFigures(
  connector: string,
  overrides: Partial<ConnectorFigures> = {},
): ConnectorFigures {
  return {
    connector,
    calls: 0,
    requests: 0,
    retries: 0,
    rateLimited: 0,
    failures: { auth: 0, rate_limited: 0, transient: 0, validation: 0, conflict: 0, permanent: 0 },
    breaker: { state: 'closed', opens: 0 },
    concurrency: { inFlight: 0, peakInFlight: 0, limit: 8, max: 8, history: [{ at: 0, limit: 8 }] },
    latencyMs: { count: 0, p50: 0, p95: 0, p99: 0, max: 0 },
    ...overrides,
  };
}
