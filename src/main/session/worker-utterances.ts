import { AppError } from '../../shared/errors';
import {
  TranscriptResultSchema,
  WORKER_RECENT_FRAMES,
  type AsrSettings,
  type TranscriptResult,
} from '../../shared/worker-protocol';
import type { WorkerClient } from '../inference/worker-client';
import type { Logger } from '../log';
import type { FinalPass, FrameSeq, SessionTranscript, UtteranceAudio, UtteranceTranscriber } from './voice-session';

/**
 * Utterances transcribed by the inference worker on its live frame stream (`utterance-start`,
 * `utterance-finish`). The settings come from the active profile each time one starts.
 */
export class WorkerUtterances implements UtteranceTranscriber {
  private started = new Map<
    number,
    {
      request: Promise<unknown>;
      fromSeq: FrameSeq;
      asr: AsrSettings;
      /** The worker restarted during the utterance. */
      lost: boolean;
      /** Transcribed from main's copy when it ends, not live in the worker. */
      fromMain: boolean;
    }
  >();

  constructor(
    private readonly worker: WorkerClient,
    private readonly settings: () => { asr: AsrSettings; partialIntervalMs: number },
    /** Main's copy of the audio (the capture ring buffer), for when the worker loses an utterance. */
    private readonly audioFor: (fromSeq: FrameSeq, toSeq: FrameSeq) => Float32Array<ArrayBuffer> | undefined,
    /** Frames of a range that never reached the worker (dropped while it lagged). */
    private readonly framesLost: (fromSeq: FrameSeq, toSeq: FrameSeq) => number,
    private readonly log: Logger,
  ) {
    // A respawned worker knows nothing of the utterances its predecessor was recording.
    worker.onRestart(() => this.started.forEach((u) => (u.lost = true)));
  }

  start(utterance: UtteranceAudio): void {
    const { asr, partialIntervalMs } = this.settings();
    // The worker keeps only the last 2 s of frames: an utterance that starts earlier (a press
    // queued while transcribing) is transcribed from main's copy when it ends.
    if (utterance.latestSeq - utterance.fromSeq >= WORKER_RECENT_FRAMES) {
      this.started.set(utterance.id, {
        request: Promise.resolve(),
        fromSeq: utterance.fromSeq,
        asr,
        lost: false,
        fromMain: true,
      });
      return;
    }
    const request = this.worker.request({
      type: 'utterance-start',
      utterance: utterance.id,
      fromSeq: utterance.fromSeq,
      partialIntervalMs,
      asr,
    });
    // Awaited by `finish`; a failure to start surfaces there.
    request.catch(() => undefined);
    this.started.set(utterance.id, { request, fromSeq: utterance.fromSeq, asr, lost: false, fromMain: false });
  }

  /**
   * The final transcript. When the worker crashed during the utterance (or while finishing it),
   * or lagged so far behind that frames of it were dropped on their way, the worker transcribes
   * main's copy of the audio instead: the text comes later, with `recovered` set, and whole.
   */
  async finish(id: number, toSeq: FrameSeq): Promise<SessionTranscript> {
    const started = this.started.get(id);
    this.started.delete(id);
    let failure: unknown;
    const lost = started && !started.lost && !started.fromMain ? this.framesLost(started.fromSeq, toSeq) : 0;
    if (started && lost > 0) {
      this.log.warn(
        `${lost} frames of utterance ${id} never reached the worker; transcribing main's copy of its audio`,
      );
      started.lost = true;
      this.worker.request({ type: 'utterance-cancel', utterance: id }).catch(() => undefined);
    }
    if (started && !started.lost && !started.fromMain) {
      try {
        await started?.request;
        if (!started?.lost)
          return transcriptOf(await this.worker.request({ type: 'utterance-finish', utterance: id, toSeq }), false);
      } catch (error) {
        // WorkerOverloaded: the worker's own copy of the utterance has a gap (it fell behind).
        if (!(error instanceof AppError) || (error.code !== 'WorkerCrashed' && error.code !== 'WorkerOverloaded'))
          throw error;
        failure = error;
      }
    }
    if (!started) throw failure ?? new AppError('InvalidPayload', `No utterance ${id} was started.`);
    const samples = this.audioFor(started.fromSeq, toSeq);
    if (!samples)
      throw new AppError(
        'WorkerCrashed',
        `The inference worker stopped during utterance ${id}, and its audio is no longer in the buffer.`,
      );
    if (!started.fromMain)
      this.log.warn(
        `the worker lost utterance ${id} (${String(failure ?? 'restarted')}); transcribing main's copy of its audio`,
      );
    return transcriptOf(await this.worker.request({ type: 'transcribe', samples, ...started.asr }), !started.fromMain);
  }

  cancel(id: number): void {
    const started = this.started.get(id);
    this.started.delete(id);
    if (started?.fromMain) return;
    this.worker.request({ type: 'utterance-cancel', utterance: id }).catch((err: unknown) => {
      this.log.warn('could not cancel the utterance in the worker', err);
    });
  }
}

function transcriptOf(value: unknown, recovered: boolean): SessionTranscript {
  const result = TranscriptResultSchema.parse(value);
  return {
    text: result.text,
    language: result.language,
    noSpeech: result.noSpeech,
    encoderMs: result.timings.encoderMs,
    decoderMs: result.timings.decoderMs,
    framesWaitMs: result.timings.framesWaitMs,
    passWaitMs: result.timings.passWaitMs,
    work: {
      tokens: result.tokens,
      encoderCacheHits: result.cache.encoderHits,
      decoderRuns: result.decoderRuns,
      draftAccepted: result.draftAccepted,
      encoderCacheMisses: result.cache.encoderMisses,
    },
    finalPass: finalPassOf(result),
    recovered,
  };
}

/** The final reused what live partials computed when no encoder ran (and, reused whole, no decoder either). */
function finalPassOf(result: TranscriptResult): FinalPass {
  const cached = result.cache.encoderHits > 0 && result.cache.encoderMisses === 0;
  if (!cached) return 'full';
  return result.timings.decoderMs === 0 ? 'reused-partial' : 'cached-encoder';
}
