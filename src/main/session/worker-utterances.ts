import { TranscriptResultSchema, type AsrSettings } from '../../shared/worker-protocol';
import type { WorkerClient } from '../inference/worker-client';
import type { Logger } from '../log';
import type { FrameSeq, SessionTranscript, UtteranceAudio, UtteranceTranscriber } from './voice-session';

/**
 * Utterances transcribed by the inference worker on its live frame stream (`utterance-start`,
 * `utterance-finish`). The settings come from the active profile each time one starts.
 */
export class WorkerUtterances implements UtteranceTranscriber {
  private started = new Map<number, Promise<unknown>>();

  constructor(
    private readonly worker: WorkerClient,
    private readonly settings: () => { asr: AsrSettings; partialIntervalMs: number },
    private readonly log: Logger,
  ) {}

  start(utterance: UtteranceAudio): void {
    const { asr, partialIntervalMs } = this.settings();
    const request = this.worker.request({
      type: 'utterance-start',
      utterance: utterance.id,
      fromSeq: utterance.fromSeq,
      partialIntervalMs,
      asr,
    });
    // Awaited by `finish`; a failure to start surfaces there.
    request.catch(() => undefined);
    this.started.set(utterance.id, request);
  }

  async finish(id: number, toSeq: FrameSeq): Promise<SessionTranscript> {
    const started = this.started.get(id);
    this.started.delete(id);
    await started;
    const result = TranscriptResultSchema.parse(
      await this.worker.request({ type: 'utterance-finish', utterance: id, toSeq }),
    );
    return {
      text: result.text,
      language: result.language,
      noSpeech: result.noSpeech,
      encoderMs: result.timings.encoderMs,
      decoderMs: result.timings.decoderMs,
    };
  }

  cancel(id: number): void {
    this.started.delete(id);
    this.worker.request({ type: 'utterance-cancel', utterance: id }).catch((err: unknown) => {
      this.log.warn('could not cancel the utterance in the worker', err);
    });
  }
}
