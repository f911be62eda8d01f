import type * as OrtModule from 'onnxruntime-node';
import { seededRandom } from '../../../shared/seeded-random';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { AppError } from '../../../shared/errors';
import { onnxRuntime, type ModelLoader } from '../models/model-loader';
import { EMBEDDING, KEYWORD_MODELS, MELSPECTROGRAM } from '../models/model-manifest';

/** Samples per frame: openWakeWord's 80 ms step at 16 kHz. */
export const WAKE_FRAME_SAMPLES = 1280;
export const WAKE_FRAME_MS = 80;

/** Extra audio before each frame so that its 512-sample STFT windows (hop 160) yield 8 whole mel frames. */
const CONTEXT = 480;
const MEL_INPUT_SAMPLES = CONTEXT + WAKE_FRAME_SAMPLES;
const MEL_HOP = 160;
const MELS_PER_FRAME = WAKE_FRAME_SAMPLES / MEL_HOP;
const MEL_BINS = 32;
/** Mel frames per embedding window; one embedding per frame (a stride of 8 mel frames). */
const WINDOW = 76;
const EMBEDDING_SIZE = 96;
/** The mel model's input is int16-scaled float (openWakeWord feeds it raw 16-bit PCM). */
const INT16_SCALE = 32767;
/** Frames (4 s) of faint random audio that pre-fill every history; a whole number of frames, so mel frames align. */
const PREFILL_FRAMES = 50;
const PREFILL_AMPLITUDE = 1000;
/**
 * Phase slots: embedding streams whose windows end 0, 20, 40 and 60 ms (0, 2, 4, 6 mel frames)
 * before each frame's end. A phrase scores very differently depending on where it falls against
 * the 80 ms grid (alexa: 0.21 to 0.98 for a 40 ms shift); scoring more than one phase and taking
 * the best removes most of that luck. The mel frames are shared: each phase costs one more
 * embedding window and one more head run per frame.
 */
const PHASE_SLOTS = 4;
const SLOT_STRIDE = MELS_PER_FRAME / PHASE_SLOTS;
const MAX_OFFSET = (PHASE_SLOTS - 1) * SLOT_STRIDE;
/** Phase counts a profile may ask for: evenly spaced over the 80 ms grid. */
export const WAKE_PHASES = [1, 2, 4] as const;

export interface WakeSettings {
  /** Score in (0, 1] at or above which a frame counts towards a detection. */
  threshold: number;
  /** Consecutive frames at or above the threshold needed to fire (≥ 1). */
  patience: number;
  /** After a detection the keyword stays silent this long (frames count as 80 ms each). */
  refractoryMs: number;
  /** Per-keyword thresholds that replace `threshold`. */
  thresholds?: Partial<Record<string, number>>;
  /** Embedding phases scored per frame (1, 2 or 4, see PHASE_SLOTS); a keyword's score is the best. Default 1. */
  phases?: number;
}

export const DEFAULT_WAKE_SETTINGS: Readonly<WakeSettings> = {
  threshold: 0.5,
  patience: 1,
  refractoryMs: 2000,
  phases: 1,
};

export interface WakeDetection {
  keyword: string;
  score: number;
}

export interface WakeFrameResult {
  /** Raw head score of every active keyword for this frame, before patience and refractory time. */
  scores: Record<string, number>;
  detections: WakeDetection[];
  rejections: WakeRejection[];
}

/**
 * A keyword that scored at or above its threshold without firing: a phrase (frames above it, with
 * dips under EPISODE_GAP_FRAMES between them) that ended without reaching the patience, or one
 * that began in the refractory time after a detection. Reported once per phrase.
 */
export interface WakeRejection {
  keyword: string;
  reason: 'patience' | 'refractory';
}

/**
 * Frames below the threshold that end a phrase's scores: a phrase dips for a frame or two (alexa
 * in alexa_test.wav: 0.55, 0.15, 0.62, 0.73, 0.60, 0.37, 0.69), a repeat comes later.
 */
const EPISODE_GAP_FRAMES = 4;

export interface WakeWordDetectorOptions {
  keywords: readonly string[];
  /**
   * Intra-op threads for the embedding model, the dominant cost. The mel model (~0.35 ms) and the
   * heads run on 1: each session with more owns a thread pool whose spinning workers only compete
   * for the same cores.
   */
  threads: number;
  loader: ModelLoader;
}

interface Head {
  keyword: string;
  session: InferenceSession;
  /** Per phase slot: the head's input over that slot's embeddings, and its output. */
  feeds: Record<string, Tensor>[];
  fetches: Record<string, Tensor>[];
  outputs: Float32Array[];
  /** Consecutive frames at or above threshold. */
  streak: number;
  /** Frames left in the refractory period. */
  silentFrames: number;
  /** Frames since the last one at or above the threshold (a phrase's scores, EPISODE_GAP_FRAMES). */
  sinceAbove: number;
  /** The phrase being scored: none, waiting to fire, fired, or rejected already. */
  phrase: 'none' | 'open' | 'done';
  threshold: number;
}

/**
 * Streaming openWakeWord: 80 ms frames of 16 kHz audio → mel spectrogram → speech embeddings →
 * one score per keyword head, with patience and a refractory period per keyword.
 *
 * Streaming follows openWakeWord's `AudioFeatures`: each frame goes to the mel model with the 480
 * samples before it, giving 8 new mel frames (`x/10 + 2`); the newest 76 give one embedding.
 * A fresh or reset detector starts pre-filled (see `computePrefill`), so a quiet start and a
 * phrase shorter than the heads' 1.28 s window still score. Every buffer is allocated once and
 * tensors are views over them. Calls are queued, so a caller may fire `process` and `skip`
 * without awaiting, in frame order.
 */
export class WakeWordDetector {
  /** Frames of audio kept for catching up after `skip`: enough to rebuild the whole mel history. */
  private readonly catchUpFrames: number;
  /** Mel frames kept: the windows of the whole embedding history. */
  private readonly melFrames: number;
  /** Int16-scaled audio, newest at the end: the last `catchUpFrames` frames plus context. */
  private readonly audio: Float32Array;
  private readonly melIn = new Float32Array(MEL_INPUT_SAMPLES);
  private readonly melOut = new Float32Array(MELS_PER_FRAME * MEL_BINS);
  private readonly melFeeds: Record<string, Tensor>;
  private readonly melFetches: Record<string, Tensor>;
  /** Transformed mel frames (`x/10 + 2`), newest at the end. */
  private readonly melHistory: Float32Array;
  /** Embedding-model input: up to `historyFrames` windows of 76 mel frames. */
  private readonly windows: Float32Array;
  private readonly embeddingOut: Float32Array;
  /** Tensors over `windows` and `embeddingOut`, by batch size (1 while streaming, more after a skip). */
  private readonly embeddingBatches = new Map<
    number,
    { feeds: Record<string, Tensor>; fetches: Record<string, Tensor> }
  >();
  /** Per phase slot, the keyword heads' input, newest embedding at the end; each head reads its last N. */
  private readonly embeddings: Float32Array[];
  /** The pre-filled state that `reset` restores. */
  private readonly prefill: { audio: Float32Array; mel: Float32Array; embeddings: Float32Array[] };
  /** Frames whose audio is buffered but not yet through the mel model (capped). */
  private melPending = 0;
  /** Frames not yet through the embedding model (capped at the history length). */
  private embeddingPending = 0;
  /** The phase slots scored (slot s: windows end s × SLOT_STRIDE mel frames early). */
  private slots: number[] = [0];
  /** Slots whose embedding history follows the stream; one left unscored goes stale and is rebuilt when used again. */
  private readonly fresh: boolean[] = new Array<boolean>(PHASE_SLOTS).fill(true);
  private settings: WakeSettings = { ...DEFAULT_WAKE_SETTINGS };
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    private readonly ort: typeof OrtModule,
    private readonly mel: InferenceSession,
    private readonly embedding: InferenceSession,
    private readonly heads: Head[],
    /** Embeddings kept: the longest head input (16 for the wake phrases, 22 weather, 34 timer). */
    private readonly historyFrames: number,
  ) {
    // The windows of the whole history, for the latest phase too.
    this.melFrames = WINDOW + (historyFrames - 1) * MELS_PER_FRAME + MAX_OFFSET;
    // Enough audio to rebuild every mel frame the history needs after a long skip.
    this.catchUpFrames = Math.ceil(this.melFrames / MELS_PER_FRAME);
    this.audio = new Float32Array(CONTEXT + this.catchUpFrames * WAKE_FRAME_SAMPLES);
    this.melHistory = new Float32Array(this.melFrames * MEL_BINS);
    this.melFeeds = { input: new ort.Tensor('float32', this.melIn, [1, MEL_INPUT_SAMPLES]) };
    this.melFetches = { output: new ort.Tensor('float32', this.melOut, [1, 1, MELS_PER_FRAME, MEL_BINS]) };
    this.windows = new Float32Array(PHASE_SLOTS * historyFrames * WINDOW * MEL_BINS);
    this.embeddingOut = new Float32Array(PHASE_SLOTS * historyFrames * EMBEDDING_SIZE);
    const slotBuffers = () =>
      Array.from({ length: PHASE_SLOTS }, () => new Float32Array(historyFrames * EMBEDDING_SIZE));
    this.embeddings = slotBuffers();
    this.prefill = {
      audio: new Float32Array(this.audio.length),
      mel: new Float32Array(this.melHistory.length),
      embeddings: slotBuffers(),
    };
  }

  /** Verifies and opens the mel, embedding and keyword models; an unknown keyword is refused. */
  static async create(options: WakeWordDetectorOptions): Promise<WakeWordDetector> {
    const keywords = [...new Set(options.keywords)];
    const unknown = keywords.filter((k) => !Object.hasOwn(KEYWORD_MODELS, k));
    if (unknown.length > 0 || keywords.length === 0) {
      const problem =
        unknown.length > 0 ? `Unknown wake word ${unknown.map((k) => `"${k}"`).join(', ')}` : 'No wake word';
      throw new AppError('InvalidPayload', `${problem}. Choose from ${Object.keys(KEYWORD_MODELS).join(', ')}.`);
    }
    const ort = onnxRuntime();
    const threads = Math.max(1, Math.floor(options.threads));
    const [mel, embedding, ...headSessions] = await Promise.all([
      options.loader.session(MELSPECTROGRAM, 1),
      options.loader.session(EMBEDDING, threads),
      ...keywords.map((k) => options.loader.session(KEYWORD_MODELS[k] as (typeof KEYWORD_MODELS)[string], 1)),
    ]);
    if (!mel || !embedding) throw new AppError('Internal', 'The wake-word feature models did not open.');
    const inputFrames = headSessions.map((s) => headInputFrames(s));
    const history = Math.max(...inputFrames);
    const heads = headSessions.map((session, i): Head => {
      return {
        keyword: keywords[i] as string,
        session,
        feeds: [],
        fetches: [],
        outputs: [],
        streak: 0,
        silentFrames: 0,
        sinceAbove: Infinity,
        phrase: 'none',
        threshold: DEFAULT_WAKE_SETTINGS.threshold,
      };
    });
    const detector = new WakeWordDetector(ort, mel, embedding, heads, history);
    await detector.initialise(inputFrames);
    return detector;
  }

  /** Takes effect from the next frame; a keyword's threshold override wins over `threshold`. */
  configure(settings: WakeSettings): void {
    const problems: string[] = [];
    const validThreshold = (v: number) => Number.isFinite(v) && v > 0 && v <= 1;
    if (!validThreshold(settings.threshold)) problems.push(`threshold ${settings.threshold} is not in (0, 1]`);
    if (!Number.isInteger(settings.patience) || settings.patience < 1)
      problems.push(`patience ${settings.patience} is not a whole number of frames ≥ 1`);
    if (!Number.isFinite(settings.refractoryMs) || settings.refractoryMs < 0)
      problems.push(`refractoryMs ${settings.refractoryMs} is not ≥ 0`);
    const phases = settings.phases ?? 1;
    if (!(WAKE_PHASES as readonly number[]).includes(phases))
      problems.push(`phases ${phases} is not one of ${WAKE_PHASES.join(', ')}`);
    for (const [keyword, value] of Object.entries(settings.thresholds ?? {})) {
      if (!Object.hasOwn(KEYWORD_MODELS, keyword)) problems.push(`"${keyword}" is not a wake word`);
      else if (value !== undefined && !validThreshold(value))
        problems.push(`the threshold ${value} for ${keyword} is not in (0, 1]`);
    }
    if (problems.length > 0)
      throw new AppError('InvalidPayload', `Wake-word settings refused: ${problems.join('; ')}.`);
    this.settings = { ...settings, thresholds: { ...settings.thresholds } };
    for (const head of this.heads) head.threshold = settings.thresholds?.[head.keyword] ?? settings.threshold;
    const slots = Array.from({ length: phases }, (_, i) => (i * PHASE_SLOTS) / phases);
    if (slots.join() !== this.slots.join()) this.enqueue(async () => this.useSlots(slots)).catch(() => undefined);
  }

  /** Scores these phase slots from the next frame on; a slot that was not followed is rebuilt then. */
  private useSlots(slots: number[]): void {
    for (let slot = 0; slot < PHASE_SLOTS; slot++) if (!slots.includes(slot)) this.fresh[slot] = false;
    this.slots = slots;
  }

  /** Scores one frame of exactly 1280 samples (80 ms at 16 kHz, full scale ±1). */
  process(frame: Float32Array): Promise<WakeFrameResult> {
    return this.enqueue(async () => {
      checkFrame(frame);
      this.pushAudio(frame);
      await this.updateFeatures();
      return this.scoreFrame();
    });
  }

  /**
   * Takes a frame the caller chose not to score (e.g. silence behind a VAD gate): only its audio is
   * kept, so skipping costs a copy (~10 µs). The next `process` catches up on what the heads'
   * window needs (the mel model for up to 26 skipped frames, one by one; the embedding model for
   * up to 16 per phase, in one batch: ~23 ms once for one phase with 1 thread, ~18 ms with 2, or
   * 11–14 frames' worth; twice that for two phases), so its scores equal those of scoring every frame.
   * Skipped frames break a patience streak and count towards the refractory time.
   */
  skip(frame: Float32Array): Promise<WakeRejection[]> {
    return this.enqueue(async () => {
      checkFrame(frame);
      this.pushAudio(frame);
      const rejections: WakeRejection[] = [];
      for (const head of this.heads) {
        head.streak = 0;
        if (head.silentFrames > 0) head.silentFrames--;
        // A phrase that ends among skipped frames is still a rejected one.
        below(head, rejections);
      }
      return rejections;
    });
  }

  /** Back to the pre-filled state of a fresh detector (settings are kept). */
  reset(): Promise<void> {
    return this.enqueue(async () => this.resetState());
  }

  /** Releases the models once queued work is done; later calls are refused. */
  dispose(): Promise<void> {
    const done = this.enqueue(async () => {
      await Promise.all([this.mel.release(), this.embedding.release(), ...this.heads.map((h) => h.session.release())]);
    });
    this.disposed = true;
    return done;
  }

  get keywords(): string[] {
    return this.heads.map((h) => h.keyword);
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new AppError('Internal', 'The wake-word detector was closed.'));
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async initialise(inputFrames: number[]): Promise<void> {
    for (const [i, head] of this.heads.entries()) {
      const frames = inputFrames[i] as number;
      head.feeds = this.embeddings.map((embeddings) => ({
        [head.session.inputNames[0] as string]: new this.ort.Tensor(
          'float32',
          embeddings.subarray((this.historyFrames - frames) * EMBEDDING_SIZE),
          [1, frames, EMBEDDING_SIZE],
        ),
      }));
    }
    await this.computePrefill();
    this.resetState();
    // One run per head learns its output size (1, or one per class for multi-class heads like timer).
    for (const head of this.heads) {
      const name = head.session.outputNames[0] as string;
      const out = (await head.session.run(head.feeds[0]!))[name];
      if (!out || out.type !== 'float32') throw new AppError('Internal', `The ${head.keyword} model gave no scores.`);
      head.outputs = this.embeddings.map(() => new Float32Array(out.size));
      head.fetches = head.outputs.map((output) => ({ [name]: new this.ort.Tensor('float32', output, out.dims) }));
    }
  }

  /**
   * The pre-filled state: as if the detector had already heard 4 s of faint noise (uniform 16-bit
   * values in ±1000, seeded so reset is repeatable). openWakeWord fills its embedding history this
   * way but its mel history with ones; measured here, that mismatch makes the first second of a
   * stream that starts in noise score like a wake word (alexa 0.62–0.89 on white noise at -30 dBFS
   * RMS, 0.91 on pink noise), while a history built from the same noise scores ≤ 0.002 there and
   * the short wake-phrase clips in shared/audio still score 1.0. Windows are aligned to the end of
   * the audio, where streaming continues.
   */
  private async computePrefill(): Promise<void> {
    const samples = PREFILL_FRAMES * WAKE_FRAME_SAMPLES;
    const audio = new Float32Array(samples);
    const random = seededRandom(0x5eed);
    for (let i = 0; i < samples; i++) audio[i] = Math.floor(random() * 2 * PREFILL_AMPLITUDE) - PREFILL_AMPLITUDE;
    const out = (await this.mel.run({ input: new this.ort.Tensor('float32', audio, [1, samples]) })).output;
    if (!out) throw new AppError('Internal', 'The mel model gave no output.');
    const mel = out.data as Float32Array;
    if (mel.length < this.melHistory.length) throw new AppError('Internal', 'The wake-word pre-fill is too short.');
    const history = this.prefill.mel;
    const from = mel.length - history.length;
    for (let i = 0; i < history.length; i++) history[i] = (mel[from + i] as number) / 10 + 2;
    this.prefill.audio.set(audio.subarray(samples - this.audio.length));
    this.melHistory.set(history);
    // Every slot's history, so that any phase count starts from the same pre-filled state.
    const all = Array.from({ length: PHASE_SLOTS }, (_, slot) => slot);
    this.windowsFromHistory(this.historyFrames, all);
    await this.runEmbeddings(this.historyFrames * PHASE_SLOTS);
    const values = this.historyFrames * EMBEDDING_SIZE;
    for (const slot of all)
      this.prefill.embeddings[slot]!.set(this.embeddingOut.subarray(slot * values, (slot + 1) * values));
  }

  private resetState(): void {
    this.audio.set(this.prefill.audio);
    this.melHistory.set(this.prefill.mel);
    this.embeddings.forEach((embeddings, slot) => embeddings.set(this.prefill.embeddings[slot]!));
    this.fresh.fill(true);
    this.melPending = 0;
    this.embeddingPending = 0;
    for (const head of this.heads) {
      head.streak = 0;
      head.silentFrames = 0;
      head.sinceAbove = Infinity;
      head.phrase = 'none';
    }
  }

  private pushAudio(frame: Float32Array): void {
    const audio = this.audio;
    audio.copyWithin(0, WAKE_FRAME_SAMPLES);
    const at = audio.length - WAKE_FRAME_SAMPLES;
    for (let i = 0; i < WAKE_FRAME_SAMPLES; i++) {
      const v = (frame[i] as number) * INT16_SCALE;
      audio[at + i] = v > INT16_SCALE ? INT16_SCALE : v < -32768 ? -32768 : v;
    }
    this.melPending = Math.min(this.melPending + 1, this.catchUpFrames);
    this.embeddingPending = Math.min(this.embeddingPending + 1, this.historyFrames);
  }

  /**
   * Mel frames, then embeddings, for every frame pushed since the last call. The mel model runs
   * once per frame even when catching up: it clips its output at 80 dB below the loudest bin of
   * its whole input (digital silence reads -100 alone, but 80 below the loudest value when run
   * together with louder audio), so a longer or batched input would not give the same frames.
   */
  private async updateFeatures(): Promise<void> {
    const history = this.melHistory;
    const newValues = MELS_PER_FRAME * MEL_BINS;
    for (let back = this.melPending - 1; back >= 0; back--) {
      const end = this.audio.length - back * WAKE_FRAME_SAMPLES;
      this.melIn.set(this.audio.subarray(end - MEL_INPUT_SAMPLES, end));
      await this.mel.run(this.melFeeds, this.melFetches);
      history.copyWithin(0, newValues);
      const at = history.length - newValues;
      for (let i = 0; i < newValues; i++) history[at + i] = (this.melOut[i] as number) / 10 + 2;
    }
    this.melPending = 0;

    // A slot scored again after a pause is rebuilt whole, from the mel history.
    const stale = this.slots.some((slot) => !this.fresh[slot]);
    const count = stale ? this.historyFrames : this.embeddingPending;
    this.windowsFromHistory(count, this.slots);
    await this.runEmbeddings(count * this.slots.length);
    const values = count * EMBEDDING_SIZE;
    for (const [i, slot] of this.slots.entries()) {
      const embeddings = this.embeddings[slot]!;
      embeddings.copyWithin(0, values);
      embeddings.set(this.embeddingOut.subarray(i * values, (i + 1) * values), embeddings.length - values);
      this.fresh[slot] = true;
    }
    this.embeddingPending = 0;
  }

  /**
   * The windows of the `count` newest frames for each slot, slot by slot, oldest first: window w
   * of slot s ends `count - 1 - w` frames and `s × SLOT_STRIDE` mel frames back.
   */
  private windowsFromHistory(count: number, slots: readonly number[]): void {
    for (const [i, slot] of slots.entries()) {
      for (let w = 0; w < count; w++) {
        const end = this.melFrames - slot * SLOT_STRIDE - (count - 1 - w) * MELS_PER_FRAME;
        this.windows.set(
          this.melHistory.subarray((end - WINDOW) * MEL_BINS, end * MEL_BINS),
          (i * count + w) * WINDOW * MEL_BINS,
        );
      }
    }
  }

  private async runEmbeddings(count: number): Promise<void> {
    let batch = this.embeddingBatches.get(count);
    batch ??= {
      feeds: {
        input_1: new this.ort.Tensor('float32', this.windows.subarray(0, count * WINDOW * MEL_BINS), [
          count,
          WINDOW,
          MEL_BINS,
          1,
        ]),
      },
      fetches: {
        conv2d_19: new this.ort.Tensor('float32', this.embeddingOut.subarray(0, count * EMBEDDING_SIZE), [
          count,
          1,
          1,
          EMBEDDING_SIZE,
        ]),
      },
    };
    this.embeddingBatches.set(count, batch);
    await this.embedding.run(batch.feeds, batch.fetches);
  }

  private async scoreFrame(): Promise<WakeFrameResult> {
    const scores: Record<string, number> = {};
    const detections: WakeDetection[] = [];
    const rejections: WakeFrameResult['rejections'] = [];
    const refractoryFrames = Math.ceil(this.settings.refractoryMs / WAKE_FRAME_MS);
    // Every head on every phase scored; each writes its own output buffer.
    await Promise.all(
      this.heads.flatMap((head) => this.slots.map((slot) => head.session.run(head.feeds[slot]!, head.fetches[slot]!))),
    );
    for (const head of this.heads) {
      let score = 0;
      for (const slot of this.slots) score = Math.max(score, headScore(head.outputs[slot]!));
      scores[head.keyword] = score;
      const above = score >= head.threshold;
      const refractory = head.silentFrames > 0;
      if (refractory) head.silentFrames--;
      if (above) {
        if (head.sinceAbove > EPISODE_GAP_FRAMES) {
          // A new phrase. The detection's own phrase stays above for a while: that is not a new one.
          head.phrase = refractory ? 'done' : 'open';
          if (refractory) rejections.push({ keyword: head.keyword, reason: 'refractory' });
        }
        head.sinceAbove = 0;
      } else below(head, rejections);
      if (refractory) continue;
      head.streak = above ? head.streak + 1 : 0;
      if (head.streak >= this.settings.patience) {
        detections.push({ keyword: head.keyword, score });
        head.streak = 0;
        head.silentFrames = refractoryFrames;
        head.phrase = 'done';
      }
    }
    return { scores, detections, rejections };
  }
}

function checkFrame(frame: Float32Array): void {
  if (frame.length !== WAKE_FRAME_SAMPLES) {
    throw new AppError(
      'InvalidPayload',
      `A wake-word frame must hold ${WAKE_FRAME_SAMPLES} samples (80 ms at 16 kHz), not ${frame.length}.`,
    );
  }
}

/** Embedding frames a keyword head reads (its input is [1, frames, EMBEDDING_SIZE]). */
function headInputFrames(session: InferenceSession): number {
  const meta = session.inputMetadata[0];
  const frames = meta?.isTensor ? meta.shape[1] : undefined;
  if (typeof frames !== 'number' || frames < 1)
    throw new AppError('Internal', 'A keyword model has an unexpected input.');
  return frames;
}

/** One output is the score; a multi-class head (timer) scores the best class after class 0, "none". */
function headScore(output: Float32Array): number {
  if (output.length === 1) return output[0] as number;
  let best = 0;
  for (let i = 1; i < output.length; i++) best = Math.max(best, output[i] as number);
  return best;
}

/** A frame below the threshold (or skipped): a phrase that ends here without firing is rejected. */
function below(head: Head, rejections: WakeRejection[]): void {
  head.sinceAbove++;
  if (head.sinceAbove <= EPISODE_GAP_FRAMES || head.phrase !== 'open') return;
  head.phrase = 'none';
  rejections.push({ keyword: head.keyword, reason: 'patience' });
}
