/**
 * Calibration: does a confidence of 0.9 mean right nine times in ten? Predictions are put in
 * equal-width confidence bins; each bin's accuracy is compared with its mean confidence.
 */

/** One bin of a reliability diagram. */
export interface ReliabilityBin {
  /** The bin covers confidences in [from, to) (the last includes 1). */
  from: number;
  to: number;
  count: number;
  /** Mean confidence of the predictions in the bin (0 when empty). */
  confidence: number;
  /** Share of them that were right (0 when empty). */
  accuracy: number;
}

/**
 * Reliability bins and the expected calibration error they give (the count-weighted mean gap
 * between accuracy and confidence; the same number as `expectedCalibrationError`).
 */
export function reliability(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 10,
): { bins: ReliabilityBin[]; ece: number } {
  if (confidences.length !== correct.length) {
    throw new RangeError(`${confidences.length} confidences but ${correct.length} outcomes`);
  }
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be an integer ≥ 1, got ${bins}`);
  const result: ReliabilityBin[] = Array.from({ length: bins }, (_, b) => ({
    from: b / bins,
    to: (b + 1) / bins,
    count: 0,
    confidence: 0,
    accuracy: 0,
  }));
  for (let i = 0; i < confidences.length; i++) {
    const confidence = confidences[i] ?? Number.NaN;
    if (!(confidence >= 0 && confidence <= 1)) {
      throw new RangeError(`confidence ${i} must be in 0..1, got ${confidence}`);
    }
    const bin = result[Math.min(bins - 1, Math.floor(confidence * bins))];
    if (!bin) continue;
    bin.count++;
    bin.confidence += confidence;
    bin.accuracy += correct[i] ? 1 : 0;
  }
  let ece = 0;
  for (const bin of result) {
    if (bin.count === 0) continue;
    ece += Math.abs(bin.accuracy - bin.confidence) / confidences.length;
    bin.confidence /= bin.count;
    bin.accuracy /= bin.count;
  }
  return { bins: result, ece };
}
