// The metrics in main: the sample ring keeps the newest samples in order within its bounds, the latency percentiles (prom-client's summaries) agree with exact percentiles of the same values, and the service turns session and worker events into counters and stages (wake → recording paired whichever arrives first).
import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusRegistry } from '../../../src/main/metrics/prometheus-registry';
import { MetricsService, type MetricsSources } from '../../../src/main/metrics/metrics-service';
import { SampleRing } from '../../../src/main/metrics/sample-ring';
import type { SessionUpdate } from '../../../src/main/session/session-service';
import type { WorkerEvent } from '../../../src/shared/worker-protocol';
import { seededRandom } from '../../../src/shared/seeded-random';
import { DEFAULT_ALERT_THRESHOLDS } from '../../../src/shared/settings';
import { memoryLog } from '../../support/memory-log';

/** Exact percentile by nearest rank, the reference. */
function exact(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('sample ring', () => {
  it('keeps the newest items, oldest first, never more than its capacity', () => {
    const ring = new SampleRing<number>(3);
    expect(ring.toArray()).toEqual([]);
    expect(ring.latest()).toBeUndefined();
    ring.push(1);
    ring.push(2);
    expect(ring.toArray()).toEqual([1, 2]);
    for (let i = 3; i <= 10; i++) ring.push(i);
    expect(ring.toArray()).toEqual([8, 9, 10]);
    expect(ring.size).toBe(3);
    expect(ring.latest()).toBe(10);
    expect(() => new SampleRing(0)).toThrow(RangeError);
  });
});

describe('latency percentiles', () => {
  it('match exact percentiles of a skewed latency distribution within 2 %', async () => {
    const registry = new PrometheusRegistry();
    const random = seededRandom(7);
    // Log-normal around 200 ms with a long tail, as release → final is.
    const values = Array.from({ length: 2000 }, () => {
      const normal = Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
      return 200 * Math.exp(0.5 * normal);
    });
    for (const v of values) registry.observe('release_to_final', v);
    const stats = (await registry.latencyStats()).release_to_final;
    expect(stats.count).toBe(values.length);
    for (const [p, got] of [
      [50, stats.p50],
      [95, stats.p95],
      [99, stats.p99],
    ] as const)
      expect(Math.abs(got! - exact(values, p)) / exact(values, p), `p${p}`).toBeLessThan(0.02);
  });

  it('reports an empty stage as a count of 0 with no percentiles', async () => {
    const stats = await new PrometheusRegistry().latencyStats();
    expect(stats.encoder).toEqual({ count: 0, p50: null, p95: null, p99: null });
  });
});

/** The service's sources as plain event emitters: what the app's services deliver, in order. */
function sources(now: () => number) {
  const listeners = {
    session: new Set<(u: SessionUpdate) => void>(),
    worker: new Set<(e: WorkerEvent) => void>(),
    frame: new Set<(seq: number, at: number) => void>(),
    frameLatency: new Set<(ms: number) => void>(),
    restart: new Set<() => void>(),
  };
  const on =
    <T>(set: Set<T>) =>
    (listener: T) => {
      set.add(listener);
      return () => set.delete(listener);
    };
  let dropped = 0;
  const options: MetricsSources = {
    processes: async () => [{ process: 'main', pid: process.pid, cpuPercent: 12.5, residentBytes: 100 * 2 ** 20 }],
    intervalMs: () => 1000,
    onIntervalChange: () => () => undefined,
    onSessionUpdate: on(listeners.session),
    onWorkerEvent: on(listeners.worker),
    onWorkerRestart: on(listeners.restart),
    onFrame: on(listeners.frame),
    onFrameLatency: on(listeners.frameLatency),
    framesDropped: () => dropped,
    frameQueueDepth: () => 3,
    gpus: async () => [],
    thresholds: () => DEFAULT_ALERT_THRESHOLDS,
    relieveMemory: async () => ({ encoderEntriesDropped: 0, modelsUnloaded: [], arenasReleased: [] }),
    systemMemory: () => ({ totalBytes: 8 * 2 ** 30, availableBytes: 3 * 2 ** 30 }),
    now,
    log: memoryLog().log,
  };
  return {
    options,
    session: (u: SessionUpdate) => listeners.session.forEach((l) => l(u)),
    worker: (e: WorkerEvent) => listeners.worker.forEach((l) => l(e)),
    frame: (seq: number, at: number) => listeners.frame.forEach((l) => l(seq, at)),
    restart: () => listeners.restart.forEach((l) => l()),
    frameLatency: (ms: number) => listeners.frameLatency.forEach((l) => l(ms)),
    drop: (n: number) => (dropped += n),
  };
}

function final(
  trigger: 'wake' | 'ptt',
  endToTextMs: number,
  extra: Partial<Record<string, unknown>> = {},
): SessionUpdate {
  return {
    channel: 'session:final',
    payload: {
      historyId: 1,
      text: 'turn on the lights',
      language: 'en',
      trigger,
      keyword: trigger === 'wake' ? 'hey_jarvis' : null,
      noSpeech: false,
      finalPass: 'full',
      recovered: false,
      output: { delivered: 'history', app: null },
      timings: { startedAt: 0, endedAt: 1, recordingMs: 1000, encoderMs: 80, decoderMs: 120, endToTextMs },
      work: { tokens: 12, encoderCacheHits: 1, encoderCacheMisses: 0, decoderRuns: 3, draftAccepted: 10 },
      ...extra,
    },
  } as SessionUpdate;
}

describe('metrics service', () => {
  let service: MetricsService | undefined;
  afterEach(() => service?.dispose());

  it('counts utterances, wakes, restarts, drops and cache use, and times each stage of a final', async () => {
    let clock = 1_000_000;
    const s = sources(() => clock);
    service = new MetricsService(s.options);
    s.session(final('ptt', 240));
    s.session(final('wake', 15, { recovered: true, finalPass: 'reused-partial' }));
    s.restart();
    s.drop(3);
    for (const ms of [4, 6, 5]) s.frameLatency(ms);
    // The worker times its own steps of live passes.
    s.worker({ type: 'stage-time', stage: 'partial_pass', ms: 120 });
    s.worker({ type: 'stage-time', stage: 'mel', ms: 2 });
    s.worker({ type: 'stage-time', stage: 'mel', ms: 4 });
    await service.sampleNow();
    const snap = await service.snapshot();
    expect(snap.counters).toEqual({
      utterances: { wake: 1, ptt: 1 },
      wakes: {},
      framesDropped: 3,
      workerRestarts: 1,
      recoveredUtterances: 1,
      reusedPartials: 1,
      encoderCacheHits: 2,
      encoderCacheMisses: 0,
      rejectedWakes: {},
      modelLoads: 0,
    });
    expect(snap.latency.release_to_final).toMatchObject({ count: 1, p50: 240 });
    expect(snap.latency.speech_end_to_final).toMatchObject({ count: 1, p50: 15 });
    expect(snap.latency.encoder.count).toBe(2);
    expect(snap.latency.decoder_token.p50).toBeCloseTo(10, 5);
    expect(snap.latency.frame_to_worker).toMatchObject({ count: 3, p50: 5 });
    expect(snap.latency.partial_pass).toMatchObject({ count: 1, p50: 120 });
    expect(snap.latency.mel).toMatchObject({ count: 2 });
    expect(snap.sample).toMatchObject({
      processes: [{ process: 'main', cpuPercent: 12.5 }],
      system: { memoryAvailableBytes: 3 * 2 ** 30 },
      latency: { release_to_final: { count: 1 } },
    });
    // Drops are counted once, however many samples see them.
    clock += 1000;
    await service.sampleNow();
    expect((await service.snapshot()).counters.framesDropped).toBe(3);
    expect(service.history().samples).toHaveLength(2);
    expect(service.history(0.5).samples).toHaveLength(1);
  });

  it("keeps the worker's loaded models, rejected wakes and wake-pipeline load, and exports them to Prometheus", async () => {
    let clock = 1_000_000;
    const s = sources(() => clock);
    service = new MetricsService(s.options);
    const loaded = (id: string, model: string, bytes: number, ms: number): WorkerEvent => ({
      type: 'model-loaded',
      id,
      model,
      provider: 'cpu',
      bytes,
      ms,
    });
    s.worker(loaded('1.1', 'silero-vad', 2_000_000, 40));
    s.worker(loaded('2.1', 'whisper-tiny encoder', 30_000_000, 400));
    s.worker(loaded('2.2', 'whisper-tiny decoder', 90_000_000, 600));
    s.worker({ type: 'model-released', id: '2.1' });
    s.worker({ type: 'wake-rejected', keyword: 'alexa', reason: 'patience' });
    s.worker({ type: 'wake-rejected', keyword: 'alexa', reason: 'refractory' });
    s.worker({ type: 'wake-rejected', keyword: 'hey_jarvis', reason: 'patience' });
    // 12 frames of 80 ms took 48 ms in all: 5 % of real time.
    s.worker({ type: 'listening-load', frames: 12, busyMs: 48 });
    await service.sampleNow();
    const snap = await service.snapshot();
    expect(snap.models).toEqual([
      { model: 'silero-vad', provider: 'cpu', bytes: 2_000_000, loadMs: 40 },
      { model: 'whisper-tiny decoder', provider: 'cpu', bytes: 90_000_000, loadMs: 600 },
    ]);
    expect(snap.counters).toMatchObject({ modelLoads: 3, rejectedWakes: { alexa: 2, hey_jarvis: 1 } });
    expect(snap.latency.model_load).toMatchObject({ count: 3, p50: 400 });
    expect(snap.sample?.pipeline).toEqual({ wakeRealtimeFactor: 0.05, frameQueueDepth: 3 });
    // Outside the desktop app there is no window GPU to report.
    expect(snap.windowGpu).toBeNull();

    const text = await service.prometheus.exposition();
    expect(text).toContain('earshot_model_memory_bytes{model="whisper-tiny decoder",provider="cpu"} 90000000');
    expect(text).not.toContain('whisper-tiny encoder');
    expect(text).toContain('earshot_model_loads_total 3');
    expect(text).toContain('earshot_wake_rejections_total{keyword="alexa",reason="refractory"} 1');
    expect(text).toContain('earshot_wake_realtime_factor 0.05');
    expect(text).toContain('earshot_frame_queue_depth 3');

    // A load report goes stale when frames stop; a restarted worker has none of the old models.
    clock += 6000;
    s.restart();
    await service.sampleNow();
    const after = await service.snapshot();
    expect(after.models).toEqual([]);
    expect(after.sample?.pipeline.wakeRealtimeFactor).toBeNull();
    expect(await service.prometheus.exposition()).not.toContain('earshot_model_memory_bytes{');
  });

  it("reports the desktop window's GPU from its source, and none when the source fails", async () => {
    const s = sources(() => 1000);
    const windowGpu = { renderer: 'ANGLE (Intel)', devices: [], features: { gpu_compositing: 'enabled' } };
    service = new MetricsService({ ...s.options, windowGpu: async () => windowGpu });
    expect((await service.snapshot()).windowGpu).toEqual(windowGpu);
    service.dispose();
    service = new MetricsService({ ...s.options, windowGpu: () => Promise.reject(new Error('GPU process gone')) });
    expect((await service.snapshot()).windowGpu).toBeNull();
  });

  it('times wake → recording from the capture of the frame the phrase ended in, whichever event comes first', async () => {
    let clock = 5000;
    const s = sources(() => clock);
    service = new MetricsService(s.options);
    const recording = {
      channel: 'session:state',
      payload: { state: 'recording', previous: 'armed', reason: 'wake word "hey_jarvis"' },
    } as SessionUpdate;
    s.frame(41, 4960);
    // The session heard the wake event first and is recording; then this service hears it.
    s.session(recording);
    s.worker({ type: 'wake', keyword: 'hey_jarvis', score: 0.9, seq: 41 });
    clock = 9000;
    s.frame(90, 8990);
    // The other order.
    s.worker({ type: 'wake', keyword: 'alexa', score: 0.8, seq: 90 });
    s.session(recording);
    const snap = await service.snapshot();
    expect(snap.counters.wakes).toEqual({ hey_jarvis: 1, alexa: 1 });
    expect(snap.latency.wake_to_recording.count).toBe(2);
    expect(snap.latency.wake_to_recording.p99).toBeCloseTo(40, 5);
    // A push-to-talk recording after a wake word the session turned down times nothing.
    s.worker({ type: 'wake', keyword: 'alexa', score: 0.8, seq: 90 });
    s.session({ ...recording, payload: { ...recording.payload, reason: 'key pressed' } } as SessionUpdate);
    expect((await service.snapshot()).latency.wake_to_recording.count).toBe(2);
  });
});
