/**
 * A per-frame energy gate in front of Silero VAD: it answers "could this frame hold speech?"
 * for a few microseconds, so that a silent room costs (almost) no model runs. It only has to
 * be cheap and never miss speech; false openings merely cost a model run, because the VAD
 * decides what is speech.
 *
 * The noise floor follows the quiet frames: it falls fast to a quieter frame and rises slowly
 * towards a louder one (a minimum tracker). The gate opens when a frame is well above that
 * floor, or loud in absolute terms, and holds open a little after the last such frame.
 * Frames are 16 kHz mono in [-1, 1]; any frame length works (time constants are in seconds).
 */

const SAMPLE_RATE = 16000;

/**
 * Open when a frame is this far above the floor. Steady room noise varies by 1–3 dB from one
 * 80 ms frame to the next and the floor sits near its quiet frames, so 10 dB keeps fans and
 * hum closed, while soft speech (−35 dBFS) in a quiet room (−55 dBFS or below) is 20 dB over.
 */
const OPEN_MARGIN_DB = 10;
/** Open at this level whatever the floor: normal speech into a desktop mic is −30 to −15 dBFS RMS. */
const ABSOLUTE_OPEN_DBFS = -30;
/**
 * The floor never goes below this. Digital silence would otherwise drag it to −120 dB and any
 * dither would open the gate; a real quiet room with a real microphone is above −80 dBFS.
 */
const MIN_FLOOR_DBFS = -80;
/**
 * Where the floor starts (or the first frame's level, if quieter). Low enough that speech at
 * the very start of a stream opens the gate; a noisier room lifts it at the rise rate below.
 */
const INITIAL_FLOOR_DBFS = -50;
/**
 * How fast the floor climbs towards louder frames. Speech returns to the floor between words
 * every fraction of a second, so it can lift the floor only a few dB; a new steady noise
 * (a fan switched on, +20 dB) is learnt in about 7 s, during which the gate merely stays open.
 */
const RISE_DB_PER_S = 3;
/** Fraction of the gap to a quieter frame that the floor closes per frame (falls within a frame or two). */
const FALL_PER_FRAME = 0.5;
/**
 * Stay open this long after the last loud frame: Silero's probability lags the sound by a
 * chunk or two, and soft word endings and short gaps fall below the margin. Once the VAD is
 * in speech it runs regardless of the gate.
 */
const HOLD_S = 0.3;
/** Below any real signal (−120 dBFS); keeps log10 finite on digital silence. */
const POWER_EPSILON = 1e-12;

export class EnergyGate {
  private floorDb = NaN;
  private holdLeftS = 0;
  private lastLevelDb = -Infinity;
  private openNow = false;

  /** True when the frame may contain speech (or the hold from a recent loud frame is running). */
  process(frame: Float32Array): boolean {
    const n = frame.length;
    if (n === 0) return this.openNow;
    const duration = n / SAMPLE_RATE;
    // RMS around the frame's mean: a DC offset from a cheap microphone is not sound.
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const v = frame[i]!;
      sum += v;
      sumSquares += v * v;
    }
    const mean = sum / n;
    const power = Math.max(0, sumSquares / n - mean * mean);
    const level = 10 * Math.log10(power + POWER_EPSILON);
    this.lastLevelDb = level;

    if (Number.isNaN(this.floorDb)) this.floorDb = Math.max(MIN_FLOOR_DBFS, Math.min(INITIAL_FLOOR_DBFS, level));
    // Decide against the floor as it was before this frame, so a loud frame cannot raise its own bar.
    const loud = level >= this.floorDb + OPEN_MARGIN_DB || level >= ABSOLUTE_OPEN_DBFS;
    if (level < this.floorDb) this.floorDb += (level - this.floorDb) * FALL_PER_FRAME;
    else this.floorDb = Math.min(level, this.floorDb + RISE_DB_PER_S * duration);
    this.floorDb = Math.max(MIN_FLOOR_DBFS, this.floorDb);

    if (loud) this.holdLeftS = HOLD_S;
    else this.holdLeftS = Math.max(0, this.holdLeftS - duration);
    this.openNow = loud || this.holdLeftS > 0;
    return this.openNow;
  }

  /** Whether the last frame opened the gate. */
  get open(): boolean {
    return this.openNow;
  }

  /** The tracked noise floor in dBFS (NaN before the first frame). */
  get floorDbfs(): number {
    return this.floorDb;
  }

  /** The last frame's RMS level in dBFS. */
  get levelDbfs(): number {
    return this.lastLevelDb;
  }

  /** Forgets the floor and the hold, as for a new stream (another device). */
  reset(): void {
    this.floorDb = NaN;
    this.holdLeftS = 0;
    this.lastLevelDb = -Infinity;
    this.openNow = false;
  }
}
