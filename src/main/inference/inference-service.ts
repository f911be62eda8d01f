import { AppError } from '../../shared/errors';
import type { Profile } from '../../shared/profiles';
import { MemoryFreedSchema, WorkerEventSchema, type MemoryFreed, type WorkerEvent } from '../../shared/worker-protocol';
import type { AudioEngine } from '../audio/audio-engine';
import type { Logger } from '../log';
import type { ProfileService } from '../profiles/profile-service';
import type { SettingsService } from '../settings/settings-service';
import { KEYWORD_MODELS } from '../worker/models/model-manifest';
import { FrameSender } from './frame-sender';
import { WorkerClient } from './worker-client';
import type { WorkerLauncher } from './worker-launcher';

export interface InferenceServiceOptions {
  launcher: WorkerLauncher;
  audio: AudioEngine;
  settings: SettingsService;
  profiles: ProfileService;
  log: Logger;
}

const LISTENING_STATE = 'listening';
const HOLDER = 'inference';

/**
 * Listening in the inference worker: while someone listens, audio frames flow from the engine
 * to the worker, and wake, VAD and score events flow back. The active profile and keywords are
 * the worker's replayed state, so a respawned worker listens exactly as before, and changes to
 * either apply live.
 */
export class InferenceService {
  readonly worker: WorkerClient;
  private sender: FrameSender | null = null;
  private stopFrames: (() => void) | null = null;
  private readonly listeners = new Set<(event: WorkerEvent) => void>();
  private readonly frameLatencyListeners = new Set<(ms: number) => void>();
  private readonly disposers: (() => void)[] = [];
  /** Wake words for this run only (`listen --keyword`); never saved. */
  private runKeywords: string[] | undefined;
  /** Frames dropped on their way to the worker by the senders of earlier listening runs. */
  private droppedEarlier = 0;

  constructor(private readonly options: InferenceServiceOptions) {
    this.worker = new WorkerClient(options.launcher, options.log);
    this.disposers.push(
      this.worker.onEvent((message) => {
        const event = WorkerEventSchema.safeParse(message);
        if (event.success) this.listeners.forEach((listener) => listener(event.data));
      }),
      this.worker.onRestart(() => this.sender?.forgetInFlight()),
      options.profiles.onActiveChanged(() => void this.reconfigure()),
      options.settings.onChange((next, previous) => {
        if (next.wake.keywords.join() !== previous.wake.keywords.join()) void this.reconfigure();
      }),
    );
  }

  get listening(): boolean {
    return this.sender !== null;
  }

  onEvent(listener: (event: WorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Each frame's capture → worker time (ms), while listening. */
  onFrameLatency(listener: (ms: number) => void): () => void {
    this.frameLatencyListeners.add(listener);
    return () => this.frameLatencyListeners.delete(listener);
  }

  /** Starts the worker with the active keywords and profile, then capture, and streams frames to it. */
  async startListening(): Promise<void> {
    if (this.sender) return;
    await this.worker.configure(LISTENING_STATE, this.listeningRequest(this.options.profiles.active()));
    const sender = new FrameSender(
      { post: (message) => this.worker.notify(message), onMessage: (handler) => this.worker.onEvent(handler) },
      {
        batchFrames: this.options.profiles.active().frameMs / 80,
        onLatency: (ms) => this.frameLatencyListeners.forEach((listener) => listener(ms)),
      },
    );
    this.sender = sender;
    this.stopFrames = this.options.audio.onFrame((samples, seq, captureTime) => sender.push(samples, seq, captureTime));
    try {
      await this.options.audio.start(HOLDER);
    } catch (err) {
      await this.stopListening();
      throw err;
    }
  }

  async stopListening(): Promise<void> {
    this.stopFrames?.();
    this.stopFrames = null;
    this.droppedEarlier += this.sender?.dropped ?? 0;
    this.sender?.dispose();
    this.sender = null;
    await this.options.audio.stop(HOLDER);
  }

  /**
   * Frames in [from, to] that never reached the worker: dropped while it lagged. An utterance
   * with any is transcribed from main's copy of its audio (WorkerUtterances).
   */
  framesLostBetween(from: number, to: number): number {
    return this.sender?.droppedBetween(from, to) ?? 0;
  }

  /** Captured frames the worker has not processed yet (the Monitor's frame-queue depth). */
  get framesPending(): number {
    return this.sender?.pending ?? 0;
  }

  /** Frames dropped on their way to the worker since start-up (the worker lagged 2 s behind). */
  get framesDropped(): number {
    return this.droppedEarlier + (this.sender?.dropped ?? 0);
  }

  /** Asks a running worker to free what it can (memory is low); a worker not running holds nothing. */
  async relieveMemory(): Promise<MemoryFreed> {
    if (this.worker.pid === undefined) return { encoderEntriesDropped: 0, modelsUnloaded: [], arenasReleased: [] };
    return MemoryFreedSchema.parse(await this.worker.request({ type: 'memory-pressure' }));
  }

  /** The wake words a user can choose from, with their licences. */
  availableKeywords(): { id: string; licence: string }[] {
    return Object.values(KEYWORD_MODELS).map((m) => ({ id: m.id, licence: m.licence }));
  }

  setKeywords(keywords: string[]): string[] {
    checkKeywords(keywords);
    this.options.settings.update({ wake: { keywords } });
    return keywords;
  }

  /** The wake words listened for: this run's, or the saved ones. */
  activeKeywords(): string[] {
    return this.runKeywords ?? this.options.settings.get().wake.keywords;
  }

  /** Listens for `keywords` until the process ends, without touching the saved choice. */
  useKeywordsForThisRun(keywords: string[]): void {
    checkKeywords(keywords);
    this.runKeywords = [...new Set(keywords)];
  }

  async dispose(): Promise<void> {
    this.disposers.splice(0).forEach((dispose) => dispose());
    await this.stopListening();
    await this.worker.shutdown();
  }

  private listeningRequest(profile: Profile) {
    return {
      type: 'configure-listening' as const,
      keywords: this.activeKeywords(),
      wake: profile.wake,
      vad: profile.vad,
      threads: { wake: profile.threads.wake, vad: profile.threads.vad },
      gate: true,
    };
  }

  private async reconfigure(): Promise<void> {
    if (!this.sender) return;
    const profile = this.options.profiles.active();
    this.sender.setBatchFrames(profile.frameMs / 80);
    try {
      await this.worker.configure(LISTENING_STATE, this.listeningRequest(profile));
    } catch (err) {
      this.options.log.error('could not apply the new profile or keywords to the inference worker', err);
    }
  }
}

function checkKeywords(keywords: string[]): void {
  const unknown = keywords.filter((k) => !(k in KEYWORD_MODELS));
  if (unknown.length) {
    throw new AppError(
      'InvalidPayload',
      `Unknown wake word ${unknown.join(', ')}. Choose from ${Object.keys(KEYWORD_MODELS).join(', ')}.`,
    );
  }
}
