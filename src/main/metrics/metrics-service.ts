import { freemem, totalmem } from 'node:os';
import type {
  AlertEvent,
  GpuAdapter,
  LoadedModel,
  MemoryRelief,
  MetricsHistory,
  MetricsSample,
  MetricsSnapshot,
  ProcessUsage,
  WindowGpu,
} from '../../shared/metrics';
import type { AlertThresholds } from '../../shared/settings';
import { AlertRules } from './alert-rules';
import { FRAME_MS } from '../../shared/audio';
import type { WorkerEvent } from '../../shared/worker-protocol';
import type { Logger } from '../log';
import type { SessionUpdate } from '../session/session-service';
import type { ProcessUsageSource } from './process-usage';
import { PrometheusRegistry } from './prometheus-registry';
import { SampleRing } from './sample-ring';

/** What the metrics service watches; each source is one of the app's own services. */
export interface MetricsSources {
  processes: ProcessUsageSource;
  /** The active profile's monitoring interval (ms). */
  intervalMs(): number;
  onIntervalChange(listener: () => void): () => void;
  onSessionUpdate(listener: (update: SessionUpdate) => void): () => void;
  onWorkerEvent(listener: (event: WorkerEvent) => void): () => void;
  onWorkerRestart(listener: () => void): () => void;
  /** Captured frames, with their capture time (wall-clock ms, as `preciseNow`). */
  onFrame(listener: (seq: number, captureTime: number) => void): () => void;
  /** Each audio frame's capture → worker time (ms). */
  onFrameLatency(listener: (ms: number) => void): () => void;
  /** Frames dropped on their way to the worker since start-up. */
  framesDropped(): number;
  /** Captured frames the worker has not processed yet (queued in main, or sent and not acknowledged). */
  frameQueueDepth(): number;
  /** GPU adapters (nvidia-smi); read every few seconds, not every sample (it starts a process). */
  gpus(): Promise<GpuAdapter[]>;
  /** The GPU the desktop app's window draws with (Chromium's report); absent outside Electron. */
  windowGpu?(): Promise<WindowGpu | null>;
  /** The alert thresholds in the settings (read at each sample, so a change applies at once). */
  thresholds(): AlertThresholds;
  /** Frees what the worker can (encoder cache, models the active profile does not use) when memory runs low. */
  relieveMemory(): Promise<Omit<MemoryRelief, 'at'>>;
  /** System memory; the OS's by default (os.freemem is MemAvailable on Linux). */
  systemMemory?(): { totalBytes: number; availableBytes: number };
  /** Wall-clock ms, comparable with capture times. */
  now?(): number;
  log: Logger;
}

/** At least 15 minutes of 1 s samples; samples come at most twice a second. */
const HISTORY_SECONDS = 15 * 60;
const MIN_INTERVAL_MS = 500;
/** GPUs are read this often while some are found, and looked for again this often while none are. */
const GPU_READ_MS = 5000;
const GPU_LOOK_AGAIN_MS = 60_000;
/** Capture times kept for wake → recording: the wake event names a frame from the last second or two. */
const CAPTURE_TIMES_KEPT = 64;
/** The worker reports the wake pipeline's load about once a second while frames flow; older is stale. */
const WAKE_LOAD_STALE_MS = 5000;

/**
 * Metrics in main: per-process CPU and memory and system memory sampled at the profile's
 * monitoring interval into a ring (so a Monitor opened late is already full), and the pipeline's
 * latencies and counters as they happen, in prom-client summaries and counters (the Prometheus
 * export and the snapshot read the same objects).
 */
export class MetricsService {
  readonly prometheus = new PrometheusRegistry();
  private readonly ring: SampleRing<MetricsSample>;
  private readonly sampleListeners = new Set<(sample: MetricsSample) => void>();
  private readonly disposers: (() => void)[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private sampling: Promise<void> | undefined;
  private readonly captureTimes = new Map<number, number>();
  private droppedSeen = 0;
  /** The wake word's frame (captured at) and the recording that followed, paired whichever comes first. */
  private wakeCapturedAt: number | undefined;
  private recordingAt: number | undefined;
  private gpus: { adapters: GpuAdapter[]; readAt: number } | undefined;
  private readonly alertRules = new AlertRules();
  private readonly alertListeners = new Set<(event: AlertEvent) => void>();
  private memoryRelief: MemoryRelief | null = null;
  /** Model sessions open in the worker, by the worker's id for each. */
  private readonly models = new Map<string, LoadedModel>();
  private wakeLoad: { factor: number; at: number } | undefined;

  constructor(private readonly sources: MetricsSources) {
    this.ring = new SampleRing(Math.ceil((HISTORY_SECONDS * 1000) / MIN_INTERVAL_MS));
    this.disposers.push(
      sources.onSessionUpdate((update) => this.sessionUpdate(update)),
      sources.onWorkerEvent((event) => this.workerEvent(event)),
      sources.onWorkerRestart(() => {
        this.prometheus.add('workerRestarts');
        // The worker's models went with it; the new one reports its own as it loads them.
        this.models.clear();
        this.prometheus.setModels([]);
        this.wakeLoad = undefined;
      }),
      sources.onFrame((seq, captureTime) => {
        this.captureTimes.set(seq, captureTime);
        if (this.captureTimes.size > CAPTURE_TIMES_KEPT)
          this.captureTimes.delete(this.captureTimes.keys().next().value!);
      }),
      sources.onIntervalChange(() => this.restartTimer()),
      sources.onFrameLatency((ms) => this.prometheus.observe('frame_to_worker', ms)),
    );
    this.restartTimer();
  }

  get intervalMs(): number {
    return Math.max(MIN_INTERVAL_MS, this.sources.intervalMs());
  }

  onSample(listener: (sample: MetricsSample) => void): () => void {
    this.sampleListeners.add(listener);
    return () => this.sampleListeners.delete(listener);
  }

  /** Alerts as they are raised and cleared. */
  onAlert(listener: (event: AlertEvent) => void): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  async snapshot(): Promise<MetricsSnapshot> {
    return {
      at: this.now(),
      intervalMs: this.intervalMs,
      sample: this.ring.latest() ?? null,
      latency: await this.prometheus.latencyStats(),
      counters: await this.prometheus.counterValues(),
      alerts: this.alertRules.alerts,
      thresholds: this.sources.thresholds(),
      memoryRelief: this.memoryRelief,
      models: [...this.models.values()],
      windowGpu: (await this.sources.windowGpu?.().catch(() => null)) ?? null,
    };
  }

  /** Samples of the last `seconds` (all that are kept when not given), oldest first. */
  history(seconds?: number): MetricsHistory {
    const samples = this.ring.toArray();
    if (seconds === undefined) return { samples };
    const from = this.now() - seconds * 1000;
    return { samples: samples.filter((s) => s.at >= from) };
  }

  /** Takes one sample now (the timer's job; also for a snapshot of a process with no timer yet). */
  sampleNow(): Promise<void> {
    // One at a time: a slow sample (pidusage spawns `ps` on macOS) never piles up behind itself.
    this.sampling ??= this.takeSample().finally(() => (this.sampling = undefined));
    return this.sampling;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.disposers.splice(0).forEach((dispose) => dispose());
    this.sampleListeners.clear();
  }

  private restartTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.sampleNow(), this.intervalMs);
    // Sampling never keeps a CLI process alive.
    this.timer.unref?.();
  }

  private async takeSample(): Promise<void> {
    let processes: ProcessUsage[];
    try {
      processes = await this.sources.processes();
    } catch (error) {
      this.sources.log.warn('could not measure the processes', error);
      processes = [];
    }
    const dropped = this.sources.framesDropped();
    this.prometheus.add('framesDropped', dropped - this.droppedSeen);
    this.droppedSeen = Math.max(this.droppedSeen, dropped);
    const memory = this.sources.systemMemory?.() ?? { totalBytes: totalmem(), availableBytes: freemem() };
    const latency = await this.prometheus.latencyStats();
    const sample: MetricsSample = {
      at: this.now(),
      processes,
      system: { memoryTotalBytes: memory.totalBytes, memoryAvailableBytes: memory.availableBytes },
      gpus: await this.currentGpus(),
      latency: { release_to_final: latency.release_to_final, wake_to_recording: latency.wake_to_recording },
      pipeline: {
        wakeRealtimeFactor:
          this.wakeLoad && this.now() - this.wakeLoad.at < WAKE_LOAD_STALE_MS ? this.wakeLoad.factor : null,
        frameQueueDepth: this.sources.frameQueueDepth(),
      },
    };
    this.ring.push(sample);
    this.prometheus.setSample(sample);
    this.sampleListeners.forEach((listener) => listener(sample));
    await this.checkAlerts(sample, latency.release_to_final);
  }

  private async checkAlerts(
    sample: MetricsSample,
    releaseToFinal: MetricsSnapshot['latency']['release_to_final'],
  ): Promise<void> {
    const thresholds = this.sources.thresholds();
    const from = sample.at - (thresholds.cpuSustainSeconds + 5) * 1000;
    const changes = this.alertRules.evaluate({
      now: sample.at,
      samples: this.ring.toArray().filter((s) => s.at >= from),
      releaseToFinal,
      counters: await this.prometheus.counterValues(),
      thresholds,
    });
    for (const alert of changes.cleared) this.alertListeners.forEach((l) => l({ state: 'cleared', alert }));
    for (const alert of changes.raised) {
      if (alert.id === 'system-memory') await this.relieveMemory(sample.at);
      this.alertListeners.forEach((l) => l({ state: 'raised', alert }));
    }
  }

  /** Once per low-memory episode (when its alert is raised): what the worker frees is recorded for the Monitor. */
  private async relieveMemory(at: number): Promise<void> {
    try {
      this.memoryRelief = { at, ...(await this.sources.relieveMemory()) };
      this.sources.log.warn(
        `memory is low: the worker dropped ${this.memoryRelief.encoderEntriesDropped} encoder outputs and unloaded ${this.memoryRelief.modelsUnloaded.join(', ') || 'no models'}, released the encoder arena of ${this.memoryRelief.arenasReleased.join(', ') || 'none'}`,
      );
    } catch (error) {
      this.sources.log.warn('could not relieve memory in the worker', error);
    }
  }

  private async currentGpus(): Promise<GpuAdapter[]> {
    const now = this.now();
    const gpus = this.gpus;
    const due = !gpus || now - gpus.readAt >= (gpus.adapters.length > 0 ? GPU_READ_MS : GPU_LOOK_AGAIN_MS);
    if (!due) return gpus.adapters;
    let adapters: GpuAdapter[];
    try {
      adapters = await this.sources.gpus();
    } catch (error) {
      this.sources.log.warn('could not read the GPUs', error);
      adapters = [];
    }
    this.gpus = { adapters, readAt: now };
    return adapters;
  }

  private sessionUpdate(update: SessionUpdate): void {
    if (update.channel === 'session:state' && update.payload.state === 'recording') {
      // Only a recording the wake word started (push-to-talk's reason is "key pressed").
      if (!update.payload.reason.startsWith('wake word')) return;
      this.recordingAt = this.now();
      this.pairWake();
      return;
    }
    if (update.channel !== 'session:final') return;
    const final = update.payload;
    const { prometheus } = this;
    prometheus.countUtterance(final.trigger);
    prometheus.observe(final.trigger === 'ptt' ? 'release_to_final' : 'speech_end_to_final', final.timings.endToTextMs);
    if (final.recovered) prometheus.add('recoveredUtterances');
    if (final.finalPass === 'reused-partial') prometheus.add('reusedPartials');
    if (final.timings.encoderMs > 0) prometheus.observe('encoder', final.timings.encoderMs);
    if (final.work) {
      if (final.work.tokens > 0 && final.timings.decoderMs > 0)
        prometheus.observe('decoder_token', final.timings.decoderMs / final.work.tokens);
      prometheus.add('encoderCacheHits', final.work.encoderCacheHits);
      prometheus.add('encoderCacheMisses', final.work.encoderCacheMisses);
    }
  }

  private workerEvent(event: WorkerEvent): void {
    switch (event.type) {
      case 'stage-time':
        this.prometheus.observe(event.stage, event.ms);
        return;
      case 'wake':
        this.prometheus.countWake(event.keyword);
        this.wakeCapturedAt = this.captureTimes.get(event.seq);
        this.pairWake();
        return;
      case 'wake-rejected':
        this.prometheus.countRejectedWake(event.keyword, event.reason);
        return;
      case 'listening-load':
        this.wakeLoad = { factor: event.busyMs / (event.frames * FRAME_MS), at: this.now() };
        return;
      case 'model-loaded':
        this.prometheus.add('modelLoads');
        this.prometheus.observe('model_load', event.ms);
        this.models.set(event.id, {
          model: event.model,
          provider: event.provider,
          bytes: event.bytes,
          loadMs: event.ms,
        });
        this.prometheus.setModels([...this.models.values()]);
        return;
      case 'model-released':
        this.models.delete(event.id);
        this.prometheus.setModels([...this.models.values()]);
        return;
    }
  }

  /**
   * Wake → recording: the session records on the worker's wake event, and this service may hear
   * of either first; they belong together when the recording started within 2 s of the capture.
   */
  private pairWake(): void {
    const { wakeCapturedAt, recordingAt } = this;
    if (wakeCapturedAt === undefined || recordingAt === undefined) return;
    const ms = recordingAt - wakeCapturedAt;
    if (ms >= 0 && ms < 2000) this.prometheus.observe('wake_to_recording', ms);
    this.wakeCapturedAt = undefined;
    this.recordingAt = undefined;
  }

  private now(): number {
    return this.sources.now?.() ?? performance.timeOrigin + performance.now();
  }
}
