/**
 * Miss rate against false accepts per hour over thresholds, from recorded per-frame scores: the
 * way Picovoice's wake-word benchmark reports engines (misses at a fixed false-accept rate), so a
 * threshold is chosen from the trade-off instead of guessed.
 */

/** Per-frame scores of one keyword over a stream; NaN where the heads did not run (gated). */
export type ScoreTrace = Float32Array;

export interface FiringRules {
  patience: number;
  refractoryFrames: number;
}

/**
 * The frames at which the detector would fire at `threshold`: `patience` scored frames in a row
 * at or above it, then silence for the refractory frames; an unscored frame breaks a run (as the
 * detector's `skip` does). Mirrors `WakeWordDetector.scoreFrame`.
 */
export function firingFrames(scores: ScoreTrace, threshold: number, rules: FiringRules): number[] {
  const fired: number[] = [];
  let streak = 0;
  let silent = 0;
  for (let f = 0; f < scores.length; f++) {
    const score = scores[f]!;
    if (Number.isNaN(score)) {
      streak = 0;
      if (silent > 0) silent--;
      continue;
    }
    if (silent > 0) {
      silent--;
      continue;
    }
    streak = score >= threshold ? streak + 1 : 0;
    if (streak >= rules.patience) {
      fired.push(f);
      streak = 0;
      silent = rules.refractoryFrames;
    }
  }
  return fired;
}

/** A wake phrase in a scored stream: its keyword's frames from the phrase's start to the end of the hit window. */
export interface PositiveCase {
  trace: ScoreTrace;
  from: number;
  to: number;
  /** A label to group by (the noise condition). */
  group: string;
}

export interface CurvePoint {
  threshold: number;
  falseAcceptsPerHour: number;
  missRate: number;
  missRateByGroup: Record<string, number>;
}

/** One keyword's curve: for each threshold, false accepts per hour on the negative streams and misses on the cases. */
export function missFalseAcceptCurve(
  negatives: readonly ScoreTrace[],
  hours: number,
  positives: readonly PositiveCase[],
  thresholds: readonly number[],
  rules: FiringRules,
): CurvePoint[] {
  // Each positive stream is simulated once per threshold; cases that share a trace share the run.
  const traces = [...new Set(positives.map((p) => p.trace))];
  return thresholds.map((threshold) => {
    const accepts = negatives.reduce((sum, trace) => sum + firingFrames(trace, threshold, rules).length, 0);
    const fired = new Map(traces.map((trace) => [trace, firingFrames(trace, threshold, rules)]));
    const missed = positives.map((p) => !fired.get(p.trace)!.some((f) => f >= p.from && f <= p.to));
    const groups = [...new Set(positives.map((p) => p.group))];
    const rate = (of: boolean[]) => (of.length ? of.filter(Boolean).length / of.length : NaN);
    return {
      threshold,
      falseAcceptsPerHour: accepts / hours,
      missRate: rate(missed),
      missRateByGroup: Object.fromEntries(
        groups.map((g) => [g, rate(missed.filter((_, i) => positives[i]!.group === g))]),
      ),
    };
  });
}

/** The point with the fewest misses among those at or under `maxPerHour` false accepts (the highest threshold on ties). */
export function bestUnder(curve: readonly CurvePoint[], maxPerHour: number): CurvePoint | undefined {
  let best: CurvePoint | undefined;
  for (const point of curve) {
    if (point.falseAcceptsPerHour > maxPerHour) continue;
    if (
      !best ||
      point.missRate < best.missRate ||
      (point.missRate === best.missRate && point.threshold > best.threshold)
    )
      best = point;
  }
  return best;
}
