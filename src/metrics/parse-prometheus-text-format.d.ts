/**
 * Types for `parse-prometheus-text-format` (a devDependency the tests parse scrapes with; it ships
 * none). Every value is a string, as in the text format (`"+Inf"`, `"1e3"`).
 */
declare module 'parse-prometheus-text-format' {
  export interface ParsedSample {
    value?: string;
    labels?: Record<string, string>;
    /** Histograms: cumulative count by upper bound (`"0.5"`, `"+Inf"`). */
    buckets?: Record<string, string>;
    /** Summaries: value by quantile. */
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }

  export interface ParsedFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: ParsedSample[];
  }

  export default function parsePrometheusTextFormat(text: string): ParsedFamily[];
}
