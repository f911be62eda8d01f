import { AppError } from '../../../shared/errors';
import {
  WORKER_RECENT_FRAMES,
  type TranscriptResult,
  type UtteranceStartRequest,
  type WorkerEvent,
} from '../../../shared/worker-protocol';
import { transcriptResult, type AsrService } from './asr-service';
import { PartialTranscriber } from './partial-transcriber';

/**
 * How long `finish` waits for the frames up to its end. Main sends every frame it captured unless
 * it dropped one while this worker lagged (and then transcribes its own copy instead), so they
 * do come, however busy the machine: this only guards against a stream that stopped for good.
 */
const FRAME_WAIT_MS = 15_000;
/**
 * A partial is skipped while the frames being processed are older than this: the ASR thread is
 * behind live audio (a busy machine, or its own last run), and a partial would only push it
 * further behind, and the final with it. Idle, frames arrive 5–30 ms after capture.
 */
const PARTIAL_MAX_LAG_MS = 250;

interface Open {
  id: number;
  fromSeq: number;
  lastSeq: number;
  /** Undefined while the model loads; the frames meanwhile wait in `held`. */
  transcriber: PartialTranscriber | undefined;
  held: { samples: Float32Array; voiced: boolean }[];
  /** Frames of the utterance that had left `recent` before it started: this copy has a gap. */
  missing: number;
  ticksEvery: number;
  frames: number;
  started: number;
  /** Finished or cancelled: its share of the worker's work is given back. */
  ended: boolean;
}

/**
 * Utterances on the live frame stream. Main says where one starts (a frame number, pre-roll
 * included: the worker keeps the last 2 s of frames for it) and where it ends; the frames in
 * between are the ones already streaming here for the wake word and the VAD, so no audio is sent
 * twice. Partials run at the profile's interval and go to main as `partial` events; `finish` waits
 * for the frames up to the end, then returns the final transcript.
 */
export class LiveUtterances {
  private readonly recent: { seq: number; samples: Float32Array; voiced: boolean }[] = [];
  private current: Open | undefined;
  private waiting: { toSeq: number; wake: () => void } | undefined;

  constructor(
    private readonly asr: AsrService,
    private readonly emit: (event: WorkerEvent) => void,
    /** How far behind live audio the frames reaching this thread are, in ms (StreamLag). */
    private readonly lagMs: () => number = () => 0,
  ) {}

  /** Every live frame, in order, with whether the VAD heard speech in it. */
  frame(samples: Float32Array, seq: number, voiced: boolean): void {
    this.recent.push({ seq, samples, voiced });
    if (this.recent.length > WORKER_RECENT_FRAMES) this.recent.shift();
    const open = this.current;
    if (!open || seq < open.fromSeq || seq <= open.lastSeq) return;
    this.append(open, samples, seq, voiced);
    if (this.waiting && seq >= this.waiting.toSeq) this.waiting.wake();
  }

  /** Frames stop coming until the next utterance starts: the ones kept would be stale by then. */
  forgetRecent(): void {
    this.recent.length = 0;
  }

  async start(request: UtteranceStartRequest): Promise<{ utterance: number; fromSeq: number }> {
    this.cancel(); // one at a time: main's session guarantees it; a stale one is dropped
    this.asr.beginWork();
    const oldest = this.recent[0]?.seq;
    const open: Open = {
      id: request.utterance,
      fromSeq: request.fromSeq,
      lastSeq: request.fromSeq - 1,
      transcriber: undefined,
      held: [],
      missing: oldest !== undefined && oldest > request.fromSeq ? oldest - request.fromSeq : 0,
      ticksEvery: request.partialIntervalMs > 0 ? Math.max(1, Math.round(request.partialIntervalMs / 80)) : 0,
      frames: 0,
      started: performance.now(),
      ended: false,
    };
    // Frames are kept from now on, not only once the model is ready: a first load takes seconds
    // on a busy machine, longer than `recent` reaches back. The pre-roll arrived before this request.
    this.current = open;
    for (const f of this.recent) if (f.seq >= open.fromSeq) this.append(open, f.samples, f.seq, f.voiced);
    let recognizer;
    try {
      recognizer = await this.asr.recognizerFor(request.asr);
    } catch (error) {
      if (this.current === open) this.current = undefined;
      this.done(open);
      throw error;
    }
    if (open.ended) return { utterance: open.id, fromSeq: open.fromSeq }; // cancelled while the model loaded
    open.transcriber = new PartialTranscriber(recognizer, this.asr.transcribeOptions(request.asr), (u) => {
      this.emit({
        type: 'partial',
        requestId: request.utterance,
        stable: u.stable,
        unstable: u.unstable,
        audio_s: u.audioS,
      });
      this.emitStageTimes(u.ms, u.melMs);
    });
    for (const frame of open.held.splice(0)) open.transcriber.append(frame.samples, frame.voiced);
    return { utterance: open.id, fromSeq: open.fromSeq };
  }

  async finish(utterance: number, toSeq: number): Promise<TranscriptResult> {
    const open = this.current;
    if (!open || open.id !== utterance)
      throw new AppError('InvalidPayload', `No utterance ${utterance} is being recorded.`);
    const waitFrom = performance.now();
    if (open.lastSeq < toSeq) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FRAME_WAIT_MS);
        this.waiting = {
          toSeq,
          wake: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
      this.waiting = undefined;
    }
    this.current = undefined;
    const { transcriber } = open;
    if (!transcriber || open.missing > 0) {
      this.done(open);
      // Main transcribes its own copy of the audio instead (WorkerUtterances).
      throw new AppError(
        'WorkerOverloaded',
        transcriber
          ? `The first ${open.missing} frames of utterance ${utterance} were gone before it started here.`
          : `Utterance ${utterance} ended before its speech model was ready.`,
      );
    }
    const started = performance.now();
    const framesWaitMs = started - waitFrom;
    let transcript;
    try {
      transcript = await transcriber.finish();
    } finally {
      this.done(open);
    }
    this.emitStageTimes(undefined, transcript.timings.melMs);
    return transcriptResult(transcript, transcriber.recognizer, {
      ...transcript.timings,
      loadMs: 0,
      vadMs: 0,
      totalMs: performance.now() - started,
      framesWaitMs,
      passWaitMs: transcriber.stats.finishWaitMs,
    });
  }

  cancel(): void {
    if (this.current) this.done(this.current);
    this.current = undefined;
    this.waiting?.wake();
  }

  /** A partial pass's time, and the log-mel time of a pass that computed one, for the Monitor. */
  private emitStageTimes(partialMs: number | undefined, melMs: number): void {
    if (partialMs !== undefined) this.emit({ type: 'stage-time', stage: 'partial_pass', ms: partialMs });
    if (melMs > 0) this.emit({ type: 'stage-time', stage: 'mel', ms: melMs });
  }

  /** The utterance's work is over (once, however it ended). */
  private done(open: Open): void {
    if (open.ended) return;
    open.ended = true;
    this.asr.endWork();
  }

  private append(open: Open, samples: Float32Array, seq: number, voiced: boolean): void {
    open.lastSeq = seq;
    open.frames++;
    const { transcriber } = open;
    if (!transcriber) {
      open.held.push({ samples, voiced });
      return;
    }
    transcriber.append(samples, voiced);
    if (open.ticksEvery > 0 && open.frames % open.ticksEvery === 0) {
      if (this.lagMs() > PARTIAL_MAX_LAG_MS) transcriber.skipBehind();
      else transcriber.tick();
    }
  }
}
