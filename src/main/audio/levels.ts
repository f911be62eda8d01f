/** Input level in dBFS (full scale = 1.0), floored at `SILENCE_DB`. */
export interface AudioLevel {
  rmsDb: number;
  peakDb: number;
}

/** What digital silence reads as; `-Infinity` would not survive JSON on its way to the renderer. */
export const SILENCE_DB = -100;

/** Level of `samples[0 .. length)`. */
export function measureLevel(samples: Float32Array, length: number = samples.length): AudioLevel {
  const n = Math.min(length, samples.length);
  let sumSquares = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const s = samples[i]!;
    sumSquares += s * s;
    const a = Math.abs(s);
    if (a > peak) peak = a;
  }
  return toLevel(sumSquares, peak, n);
}

/**
 * Meters a stream of chunks for the UI: accumulates across chunks and emits at most once per
 * `intervalMs` (50 ms by default, about 20 updates per second), so the level covers every
 * sample since the previous emission, not just the chunk that happened to arrive last.
 */
export class LevelMeter {
  private sumSquares = 0;
  private peak = 0;
  private count = 0;
  private lastEmitMs = -Infinity;

  constructor(readonly intervalMs: number = 50) {}

  /**
   * Adds `samples[0 .. length)` captured at `nowMs` (any monotonic ms clock). Returns the level
   * over everything since the last emission once `intervalMs` has passed, else null. The first
   * push emits at once so a meter shows something as soon as audio arrives.
   */
  push(samples: Float32Array, length: number, nowMs: number): AudioLevel | null {
    const n = Math.min(length, samples.length);
    for (let i = 0; i < n; i++) {
      const s = samples[i]!;
      this.sumSquares += s * s;
      const a = Math.abs(s);
      if (a > this.peak) this.peak = a;
    }
    this.count += n;
    // A clock that went backwards (a restarted test clock) re-arms rather than going silent.
    if (nowMs - this.lastEmitMs < this.intervalMs && nowMs >= this.lastEmitMs) return null;
    const level = toLevel(this.sumSquares, this.peak, this.count);
    this.lastEmitMs = nowMs;
    this.sumSquares = 0;
    this.peak = 0;
    this.count = 0;
    return level;
  }

  /** Forgets accumulated samples; the next push emits at once. */
  reset(): void {
    this.sumSquares = 0;
    this.peak = 0;
    this.count = 0;
    this.lastEmitMs = -Infinity;
  }
}

function toLevel(sumSquares: number, peak: number, count: number): AudioLevel {
  return { rmsDb: toDb(count === 0 ? 0 : Math.sqrt(sumSquares / count)), peakDb: toDb(peak) };
}

function toDb(amplitude: number): number {
  return amplitude > 0 ? Math.max(SILENCE_DB, 20 * Math.log10(amplitude)) : SILENCE_DB;
}
