import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { DEFAULT_PROFILE_ID, findPreset, type Profile } from '../../../shared/profiles';
import { onnxRuntime, type ModelLoader } from '../models/model-loader';
import { SILERO_VAD } from '../models/model-manifest';

/**
 * Streaming voice activity detection with Silero VAD (v4: 512-sample chunks at 16 kHz, LSTM
 * state `h`/`c` [2, 1, 64] carried from chunk to chunk).
 *
 * Frames of any length are cut into 32 ms chunks; the remainder waits for the next frame.
 * A hysteresis state machine turns chunk probabilities into segments:
 * - idle → candidate when a chunk's probability reaches `startThreshold`;
 * - candidate → speaking once the segment is `minSpeechMs` long; `speech-start` is then
 *   emitted, dated at the candidate's first chunk;
 * - silence is confirmed by a chunk below `endThreshold` and began right after the last chunk
 *   at or above `startThreshold` (chunks in between are speech if the probability climbs back,
 *   silence if it falls through): that is the hysteresis;
 * - `silenceHangoverMs` of silence ends the segment: `speech-end` is emitted, dated when the
 *   silence began, or nothing at all for a candidate that never reached `minSpeechMs`.
 * Times are seconds of audio since the stream began (or since `reset()`), to the chunk.
 */

export type VadSettings = Profile['vad'];

export type VadEvent = { type: 'speech-start'; time_s: number } | { type: 'speech-end'; time_s: number };

export interface VadFrameResult {
  /** Silero's speech probability: the highest of the chunks this frame completed (0 when gated). */
  probability: number;
  /** Inside a confirmed segment (from `speech-start` until `speech-end` is emitted). */
  speaking: boolean;
  /** Events confirmed during this frame, oldest first. */
  events: VadEvent[];
}

/**
 * Whether a frame counts as voiced for live partials: Silero hears speech in it (at least the end
 * threshold). The segment's hang-over is not voiced: a pause is seen where speech stops, not when
 * the hang-over confirms it, so the pass made at the pause (with the final's options) starts
 * 600 ms sooner in Balanced and is usually done, or nearly, when the key goes up or the segment
 * ends. The end is not clipped: Silero's probability stays high for 2–4 chunks (64–128 ms) after
 * the last sound, and the encoder window pads with silence of its own. The live worker and the
 * file replay share the rule, so a replay measures what a live session does.
 */
export function isVoiced(frame: VadFrameResult, endThreshold: number): boolean {
  return frame.probability >= endThreshold;
}

type Ort = typeof OrtModule;
type Feeds = Record<'input' | 'sr' | 'h' | 'c', Tensor>;

const SAMPLE_RATE = 16000;
/** Silero v4 at 16 kHz takes exactly 512 samples per call. */
const CHUNK = 512;
/** 32 ms, exactly. */
const CHUNK_MS = (CHUNK * 1000) / SAMPLE_RATE;
const STATE_SIZE = 2 * 1 * 64;
/**
 * Silero's probability stays above 0.5 for 2–4 chunks of digital silence after speech stops
 * (LSTM memory; measured on espeak-ng, flite and festival voices). Ends are dated this many
 * chunks before the probability fell, which centres the end error on about +10 ms instead of
 * +75 ms. Starts need no correction: the first chunk that holds voicing already scores high.
 */
const END_LAG_CHUNKS = 2;
/**
 * Gated silence and the LSTM state. After this many skipped chunks (1 s) the state is zeroed,
 * as Silero's examples do between recordings (`reset_states()`): a state last updated long ago
 * says nothing about the audio that opens the gate. When the gate opens, the skipped chunks (the last this
 * many of them) are run first, in order, before the new one: a zeroed LSTM needs about a second
 * of the background before it scores speech as it would have ungated (shorter warm-ups moved
 * segment ends by 32–64 ms in noise), and a gate closed for less than this changes nothing
 * at all. Each chunk still runs at most once, so the gate never costs more runs than no gate;
 * opening after a long silence costs one burst of 32 runs (~15 ms).
 */
const WARM_UP_CHUNKS = Math.ceil(1000 / CHUNK_MS);

/** Until `configure()`: the default profile's settings. */
const DEFAULT_SETTINGS: VadSettings = findPreset(DEFAULT_PROFILE_ID)!.vad;

type Phase = 'idle' | 'candidate' | 'speaking';

export class VoiceActivity {
  private settings: VadSettings = DEFAULT_SETTINGS;
  private endThreshold = Math.min(DEFAULT_SETTINGS.endThreshold, DEFAULT_SETTINGS.startThreshold);

  // The model's inputs, allocated once and refilled in place before each run.
  private readonly chunk = new Float32Array(CHUNK);
  private readonly h = new Float32Array(STATE_SIZE);
  private readonly c = new Float32Array(STATE_SIZE);
  private readonly feeds: Feeds;
  /** The last skipped chunks, by chunk index modulo WARM_UP_CHUNKS, each with its own feeds. */
  private readonly skipped: { samples: Float32Array; feeds: Feeds }[];

  private filled = 0;
  /** Chunks completed since the stream began (run or skipped): the stream clock. */
  private chunks = 0;
  private runs = 0;
  private gatedChunks = 0;
  private lastProbability = 0;

  private phase: Phase = 'idle';
  /** First chunk of the current (candidate or confirmed) segment. */
  private segmentStart = 0;
  /** Last chunk at or above startThreshold in the current segment. */
  private lastSpeech = 0;
  /** First chunk of confirmed silence in the current segment (lastSpeech + 1), or -1. */
  private silenceStart = -1;

  /** Calls run one after another even if a caller does not await (the state is sequential). */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly session: InferenceSession,
    ort: Ort,
  ) {
    const sr = new ort.Tensor('int64', BigInt64Array.of(BigInt(SAMPLE_RATE)), []);
    const h = new ort.Tensor('float32', this.h, [2, 1, 64]);
    const c = new ort.Tensor('float32', this.c, [2, 1, 64]);
    const feedsOf = (samples: Float32Array): Feeds => ({
      input: new ort.Tensor('float32', samples, [1, CHUNK]),
      sr,
      h,
      c,
    });
    this.feeds = feedsOf(this.chunk);
    this.skipped = Array.from({ length: WARM_UP_CHUNKS }, () => {
      const samples = new Float32Array(CHUNK);
      return { samples, feeds: feedsOf(samples) };
    });
  }

  /** Loads Silero VAD through the loader (which verifies its pinned sha256 first). */
  static async create(options: { threads: number; loader: ModelLoader }): Promise<VoiceActivity> {
    const session = await options.loader.session(SILERO_VAD, options.threads);
    return new VoiceActivity(session, onnxRuntime());
  }

  /** Applies a profile's VAD settings from the next chunk on, also in the middle of a segment. */
  configure(vad: VadSettings): void {
    this.settings = { ...vad };
    // The profile schema guarantees end ≤ start; without it the state machine would flap.
    this.endThreshold = Math.min(vad.endThreshold, vad.startThreshold);
  }

  /** Chunks the model actually ran on since creation (or `reset()`): what the gate saves shows here. */
  get modelRuns(): number {
    return this.runs;
  }

  /** Inside a confirmed segment. */
  get speaking(): boolean {
    return this.phase === 'speaking';
  }

  /**
   * Feeds one frame (16 kHz mono, [-1, 1], any length). With `gateOpen` false and no segment
   * under way, the model is skipped: its chunks count as silence (probability 0).
   */
  process(frame: Float32Array, gateOpen = true): Promise<VadFrameResult> {
    return this.serialise(() => this.step(frame, gateOpen));
  }

  /**
   * Ends the stream: a confirmed segment still open ends where its silence began, or at the
   * end of the audio received so far; an unconfirmed candidate is dropped. Then resets.
   */
  finish(): Promise<VadEvent[]> {
    return this.serialise(() => {
      const events: VadEvent[] = [];
      if (this.phase === 'speaking') {
        const end = this.silenceStart >= 0 ? this.endTime() : (this.chunks * CHUNK + this.filled) / SAMPLE_RATE;
        events.push({ type: 'speech-end', time_s: end });
      }
      this.reset();
      return events;
    });
  }

  /** Starts a new stream: clock, recurrent state, segment and run count back to zero (call between frames). */
  reset(): void {
    this.filled = 0;
    this.chunks = 0;
    this.runs = 0;
    this.gatedChunks = 0;
    this.lastProbability = 0;
    this.phase = 'idle';
    this.silenceStart = -1;
    this.h.fill(0);
    this.c.fill(0);
  }

  async dispose(): Promise<void> {
    await this.tail;
    await this.session.release();
  }

  private serialise<T>(work: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async step(frame: Float32Array, gateOpen: boolean): Promise<VadFrameResult> {
    const events: VadEvent[] = [];
    let probability = -1;
    let offset = 0;
    while (offset < frame.length) {
      const take = Math.min(CHUNK - this.filled, frame.length - offset);
      this.chunk.set(frame.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled < CHUNK) break;
      this.filled = 0;
      if (gateOpen || this.phase !== 'idle') {
        probability = Math.max(probability, await this.replaySkipped(events));
        const p = await this.run(this.feeds);
        probability = Math.max(probability, p);
        this.advance(p, this.chunks, events);
      } else {
        this.skip();
        probability = Math.max(probability, 0);
      }
      this.chunks++;
    }
    if (probability >= 0) this.lastProbability = probability;
    return { probability: this.lastProbability, speaking: this.phase === 'speaking', events };
  }

  private async run(feeds: Feeds): Promise<number> {
    this.runs++;
    const out = await this.session.run(feeds);
    this.h.set(out.hn!.data as Float32Array);
    this.c.set(out.cn!.data as Float32Array);
    return (out.output!.data as Float32Array)[0]!;
  }

  private skip(): void {
    this.skipped[this.chunks % WARM_UP_CHUNKS]!.samples.set(this.chunk);
    if (++this.gatedChunks === WARM_UP_CHUNKS) {
      this.h.fill(0);
      this.c.fill(0);
    }
  }

  /** Runs the most recent skipped chunks (skipped while idle, so replaying them is exact). */
  private async replaySkipped(events: VadEvent[]): Promise<number> {
    const count = Math.min(this.gatedChunks, WARM_UP_CHUNKS);
    this.gatedChunks = 0;
    let highest = -1;
    for (let index = this.chunks - count; index < this.chunks; index++) {
      const p = await this.run(this.skipped[index % WARM_UP_CHUNKS]!.feeds);
      highest = Math.max(highest, p);
      this.advance(p, index, events);
    }
    return highest;
  }

  /** Moves the state machine by chunk `now`, of probability `p`. */
  private advance(p: number, now: number, events: VadEvent[]): void {
    const { startThreshold, minSpeechMs, silenceHangoverMs } = this.settings;
    if (this.phase === 'idle') {
      if (p < startThreshold) return;
      this.phase = 'candidate';
      this.segmentStart = now;
      this.silenceStart = -1;
    }
    if (p >= startThreshold) {
      this.lastSpeech = now;
      this.silenceStart = -1;
    } else if (p < this.endThreshold && this.silenceStart < 0) {
      this.silenceStart = this.lastSpeech + 1;
    }

    if (this.phase === 'candidate') {
      const speechEnd = this.silenceStart >= 0 ? this.silenceStart : now + 1;
      if ((speechEnd - this.segmentStart) * CHUNK_MS >= minSpeechMs) {
        this.phase = 'speaking';
        events.push({ type: 'speech-start', time_s: seconds(this.segmentStart) });
      }
    }
    if (this.silenceStart >= 0 && (now + 1 - this.silenceStart) * CHUNK_MS >= silenceHangoverMs) {
      if (this.phase === 'speaking') events.push({ type: 'speech-end', time_s: this.endTime() });
      this.phase = 'idle';
      this.silenceStart = -1;
    }
  }

  /** When the current segment's silence began, corrected for the model's lag (never before its start). */
  private endTime(): number {
    return seconds(Math.max(this.segmentStart + 1, this.silenceStart - END_LAG_CHUNKS));
  }
}

/** Start time of chunk `index` (integer arithmetic first, so 3.296 prints as 3.296). */
function seconds(index: number): number {
  return (index * CHUNK) / SAMPLE_RATE;
}
