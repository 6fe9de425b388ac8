/**
 * Precision at coverage: if only answers at or above a confidence threshold are applied
 * automatically, what share of the lines is that (coverage) and how many of those are right
 * (precision)? The curve has one point per distinct confidence, from the most confident down.
 */

/** One cut of the curve: answers with confidence ≥ `threshold`. */
export interface CoveragePoint {
  threshold: number;
  /** Share of all answers at or above the threshold. */
  coverage: number;
  /** Share of those that are right. */
  precision: number;
  /** How many answers are at or above the threshold. */
  count: number;
}

/**
 * The precision–coverage curve, most confident first. Ties share one point (a threshold cannot
 * split them).
 *
 * @example
 * precisionCoverageCurve([0.9, 0.8, 0.8], [true, false, true]);
 * // [{ threshold: 0.9, coverage: 1/3, precision: 1, count: 1 }, { threshold: 0.8, coverage: 1, precision: 2/3, count: 3 }]
 */
export function precisionCoverageCurve(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean>,
): CoveragePoint[] {
  if (confidences.length !== correct.length) {
    throw new RangeError(`${confidences.length} confidences but ${correct.length} outcomes`);
  }
  const order = Array.from({ length: confidences.length }, (_, i) => i).sort(
    (a, b) => (confidences[b] ?? 0) - (confidences[a] ?? 0),
  );
  const points: CoveragePoint[] = [];
  let right = 0;
  order.forEach((index, position) => {
    const confidence = confidences[index] ?? Number.NaN;
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new RangeError(`confidence ${index} must be in 0..1, got ${confidence}`);
    }
    if (correct[index]) right++;
    const next = order[position + 1];
    if (next !== undefined && confidences[next] === confidence) return;
    const count = position + 1;
    points.push({ threshold: confidence, coverage: count / order.length, precision: right / count, count });
  });
  return points;
}

/**
 * The cut with the most coverage whose precision is at least `precision` (and that holds at least
 * `minCount` answers, so two lucky answers do not set a threshold), or null when none does.
 */
export function thresholdForPrecision(
  curve: readonly CoveragePoint[],
  precision: number,
  minCount = 1,
): CoveragePoint | null {
  if (!(precision > 0 && precision <= 1))
    throw new RangeError(`precision must be in (0, 1], got ${precision}`);
  let best: CoveragePoint | null = null;
  for (const point of curve) {
    if (point.count >= minCount && point.precision >= precision) best = point;
  }
  return best;
}

/** Coverage and precision of the answers at or above `threshold` (precision 0 when there are none). */
export function coverageAt(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  threshold: number,
): { coverage: number; precision: number; count: number } {
  if (confidences.length !== correct.length) {
    throw new RangeError(`${confidences.length} confidences but ${correct.length} outcomes`);
  }
  let count = 0;
  let right = 0;
  for (let i = 0; i < confidences.length; i++) {
    if ((confidences[i] ?? 0) < threshold) continue;
    count++;
    if (correct[i]) right++;
  }
  return {
    coverage: confidences.length === 0 ? 0 : count / confidences.length,
    precision: count === 0 ? 0 : right / count,
    count,
  };
}

/**
 * The curve thinned to at most `points` cuts (evenly by coverage, always keeping the last), for
 * charts and reports.
 */
export function thinCurve(curve: readonly CoveragePoint[], points = 100): CoveragePoint[] {
  if (curve.length <= points) return [...curve];
  const kept: CoveragePoint[] = [];
  let nextCoverage = 0;
  curve.forEach((point, i) => {
    if (point.coverage >= nextCoverage || i === curve.length - 1) {
      kept.push(point);
      nextCoverage = point.coverage + 1 / points;
    }
  });
  return kept;
}
