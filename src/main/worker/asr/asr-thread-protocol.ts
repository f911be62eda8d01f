import type { AppErrorData } from '../../../shared/errors';
import type { WorkerEvent, WorkerRequest } from '../../../shared/worker-protocol';

/** The worker requests that Whisper answers: they run on the ASR thread. */
export type AsrRequest = Extract<
  WorkerRequest,
  {
    type:
      'transcribe' | 'utterance-start' | 'utterance-finish' | 'utterance-cancel' | 'asr-prepare' | 'memory-pressure';
  }
>;

/**
 * Messages between the worker's main thread and its ASR thread (one process, trusted: the
 * requests were validated against the worker protocol before they got here).
 */
export type ToAsrThread =
  | { kind: 'request'; call: number; request: AsrRequest }
  /** A live frame after the VAD, for the utterance being recorded (and the pre-roll). */
  | { kind: 'frame'; samples: Float32Array; seq: number; voiced: boolean; captureTime: number }
  /** No utterance is open: frames stop until the next starts, and the ones kept are stale. */
  | { kind: 'frames-paused' }
  /** Releases every model; the thread answers, then may be terminated. */
  | { kind: 'dispose'; call: number };

export type FromAsrThread =
  | { kind: 'response'; call: number; ok: true; value: unknown }
  | { kind: 'response'; call: number; ok: false; error: AppErrorData }
  /** A worker event (partials) for main, sent on as it is. */
  | { kind: 'event'; event: WorkerEvent };
