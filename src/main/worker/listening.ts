import type { WorkerEvent, WorkerRequest } from '../../shared/worker-protocol';
import { AppError } from '../../shared/errors';
import type { ModelLoader } from './models/model-loader';
import { EnergyGate } from './vad/energy-gate';
import { isVoiced, VoiceActivity } from './vad/voice-activity';
import { WakeWordDetector, type WakeRejection } from './wake/wake-word-detector';

type Configure = Extract<WorkerRequest, { type: 'configure-listening' }>;

/** Scores for the UI meter are sent at most this often. */
const SCORES_INTERVAL_MS = 100;
/** The wake pipeline's load (its real-time factor, for the Monitor) is reported about this often. */
const LOAD_INTERVAL_MS = 1000;

/**
 * The detectors on the live frame stream: an energy gate, Silero VAD, and openWakeWord for the
 * active keywords. With gating on, the keyword heads run only while the gate is open or the VAD
 * hears speech; otherwise the detector just keeps its audio context (`skip`).
 */
export class Listening {
  private detector: WakeWordDetector | null = null;
  private detectorKey = '';
  private vad: VoiceActivity | null = null;
  private vadThreads = 0;
  private readonly gate = new EnergyGate();
  private gating = true;
  private lastScoresAt = 0;
  /** Frames processed and the time it took, since the last `listening-load` report. */
  private load = { frames: 0, busyMs: 0, since: performance.now() };
  /** Frames are processed strictly in order, one at a time. */
  private chain: Promise<void> = Promise.resolve();

  /** Outside speech segments, a frame below this VAD probability is unvoiced (the profile's end threshold). */
  private voicedThreshold = 0.35;

  constructor(
    private readonly loader: ModelLoader,
    private readonly emit: (event: WorkerEvent) => void,
    /** Each processed frame, after the VAD: where live utterances get their audio. */
    private readonly onFrame: (samples: Float32Array, seq: number, voiced: boolean, captureTime: number) => void = () =>
      undefined,
  ) {}

  /** Loads what changed (models stay loaded when only thresholds change) and applies the settings. */
  async configure(request: Configure): Promise<{ keywords: string[] }> {
    await this.chain;
    const key = `${request.threads.wake}|${request.keywords.join(',')}`;
    if (key !== this.detectorKey) {
      const next = request.keywords.length
        ? await WakeWordDetector.create({
            keywords: request.keywords,
            threads: request.threads.wake,
            loader: this.loader,
          })
        : null;
      await this.detector?.dispose();
      this.detector = next;
      this.detectorKey = key;
    }
    this.detector?.configure({ ...request.wake, thresholds: request.wake.keywordThresholds });
    if (!this.vad || this.vadThreads !== request.threads.vad) {
      await this.vad?.dispose();
      this.vad = await VoiceActivity.create({ threads: request.threads.vad, loader: this.loader });
      this.vadThreads = request.threads.vad;
    }
    this.vad.configure(request.vad);
    this.voicedThreshold = request.vad.endThreshold;
    this.gating = request.gate;
    return { keywords: [...request.keywords] };
  }

  /** Queues one 80 ms frame; resolves when it has been processed. */
  frame(samples: Float32Array, seq: number, captureTime: number): Promise<void> {
    this.chain = this.chain
      .then(() => this.process(samples, seq, captureTime))
      .catch((err: unknown) => {
        const error = err instanceof AppError ? err.toData() : { code: 'Internal' as const, message: String(err) };
        this.emit({ type: 'frame-error', error });
      });
    return this.chain;
  }

  async dispose(): Promise<void> {
    await this.chain;
    await this.detector?.dispose();
    await this.vad?.dispose();
  }

  private async process(samples: Float32Array, seq: number, captureTime: number): Promise<void> {
    const vad = this.vad;
    if (!vad) return; // not configured yet
    const started = performance.now();
    try {
      await this.listen(vad, samples, seq, captureTime);
    } finally {
      this.measure(started);
    }
  }

  /** The wake pipeline's real-time factor comes from this: its time per frame against the frame's 80 ms. */
  private measure(started: number): void {
    const now = performance.now();
    const load = this.load;
    load.frames++;
    load.busyMs += now - started;
    if (now - load.since < LOAD_INTERVAL_MS) return;
    this.emit({ type: 'listening-load', frames: load.frames, busyMs: load.busyMs });
    this.load = { frames: 0, busyMs: 0, since: now };
  }

  private async listen(vad: VoiceActivity, samples: Float32Array, seq: number, captureTime: number): Promise<void> {
    const gateOpen = this.gate.process(samples);
    const voice = await vad.process(samples, gateOpen);
    for (const event of voice.events) this.emit({ type: 'vad', event: event.type, time_s: event.time_s, seq });
    this.onFrame(samples, seq, isVoiced(voice, this.voicedThreshold), captureTime);
    if (!this.detector) return;
    if (this.gating && !gateOpen && !voice.speaking) {
      this.emitRejections(await this.detector.skip(samples));
      return;
    }
    const wake = await this.detector.process(samples);
    for (const detection of wake.detections) this.emit({ type: 'wake', ...detection, seq });
    this.emitRejections(wake.rejections);
    const now = performance.now();
    if (now - this.lastScoresAt >= SCORES_INTERVAL_MS) {
      this.lastScoresAt = now;
      this.emit({ type: 'wake-scores', scores: wake.scores });
    }
  }

  private emitRejections(rejections: readonly WakeRejection[]): void {
    for (const rejection of rejections) this.emit({ type: 'wake-rejected', ...rejection });
  }
}
