import { Counter, Gauge, Registry, Summary } from 'prom-client';
import {
  LATENCY_STAGES,
  MONITORED_PROCESSES,
  type LatencyStage,
  type LatencyStats,
  type LoadedModel,
  type MetricsSample,
  type PipelineCounters,
} from '../../shared/metrics';

/** Quantiles over the last 10 minutes, in 5 rotating buckets (prom-client's sliding window). */
const WINDOW_SECONDS = 600;
const QUANTILES = [0.5, 0.95, 0.99];

/**
 * Earshot's metrics as prom-client objects in a registry of their own (no default Node metrics,
 * no global registry): the Prometheus export and the snapshot's percentiles come from the same
 * summaries, so the two never disagree. The names are a contract with scrapers (README).
 */
export class PrometheusRegistry {
  readonly registry = new Registry();
  private latest: MetricsSample | undefined;
  private models: readonly LoadedModel[] = [];
  private readonly latency: Summary<'stage'>;
  private readonly utterances: Counter<'trigger'>;
  private readonly wakes: Counter<'keyword'>;
  private readonly rejectedWakes: Counter<'keyword' | 'reason'>;
  private readonly counters: Record<
    | 'framesDropped'
    | 'workerRestarts'
    | 'recoveredUtterances'
    | 'reusedPartials'
    | 'encoderCacheHits'
    | 'encoderCacheMisses'
    | 'modelLoads',
    Counter
  >;

  constructor() {
    const registers = [this.registry];
    const latestProcess = (field: 'cpuPercent' | 'residentBytes') =>
      function collect(this: Gauge<'process'>) {
        this.reset();
        for (const p of sample()?.processes ?? []) this.set({ process: p.process }, p[field]);
      };
    const sample = () => this.latest;
    new Gauge({
      name: 'earshot_process_cpu_percent',
      help: `CPU of each Earshot process, percent of one core (${MONITORED_PROCESSES.join(', ')}).`,
      labelNames: ['process'],
      registers,
      collect: latestProcess('cpuPercent'),
    });
    new Gauge({
      name: 'earshot_process_resident_memory_bytes',
      help: 'Resident memory of each Earshot process.',
      labelNames: ['process'],
      registers,
      collect: latestProcess('residentBytes'),
    });
    new Gauge({
      name: 'earshot_system_memory_available_bytes',
      help: 'Memory the system can still give to programs.',
      registers,
      collect(this: Gauge) {
        const s = sample();
        if (s) this.set(s.system.memoryAvailableBytes);
      },
    });
    new Gauge({
      name: 'earshot_gpu_count',
      help: 'GPU adapters found (0: inference runs on the CPU).',
      registers,
      collect(this: Gauge) {
        this.set(sample()?.gpus.length ?? 0);
      },
    });
    const perGpu = (field: 'utilizationPercent' | 'memoryUsedBytes' | 'memoryTotalBytes') =>
      function collect(this: Gauge<'gpu' | 'name'>) {
        this.reset();
        for (const g of sample()?.gpus ?? []) {
          const value = g[field];
          if (value !== null) this.set({ gpu: String(g.index), name: g.name }, value);
        }
      };
    new Gauge({
      name: 'earshot_gpu_utilization_percent',
      help: 'Utilisation of each GPU adapter.',
      labelNames: ['gpu', 'name'],
      registers,
      collect: perGpu('utilizationPercent'),
    });
    new Gauge({
      name: 'earshot_gpu_memory_used_bytes',
      help: 'Memory in use on each GPU adapter.',
      labelNames: ['gpu', 'name'],
      registers,
      collect: perGpu('memoryUsedBytes'),
    });
    new Gauge({
      name: 'earshot_gpu_memory_total_bytes',
      help: 'Memory of each GPU adapter.',
      labelNames: ['gpu', 'name'],
      registers,
      collect: perGpu('memoryTotalBytes'),
    });
    new Gauge({
      name: 'earshot_wake_realtime_factor',
      help: "The wake pipeline's time per audio frame against the frame's length (above 1: it falls behind).",
      registers,
      collect(this: Gauge) {
        const factor = sample()?.pipeline.wakeRealtimeFactor;
        if (factor !== undefined && factor !== null) this.set(factor);
      },
    });
    new Gauge({
      name: 'earshot_frame_queue_depth',
      help: 'Captured audio frames the inference worker has not processed yet.',
      registers,
      collect(this: Gauge) {
        this.set(sample()?.pipeline.frameQueueDepth ?? 0);
      },
    });
    const models = () => this.models;
    new Gauge({
      name: 'earshot_model_memory_bytes',
      help: 'Model sessions open in the worker: their weights, by model and ONNX Runtime execution provider.',
      labelNames: ['model', 'provider'],
      registers,
      collect(this: Gauge<'model' | 'provider'>) {
        this.reset();
        for (const m of models()) this.inc({ model: m.model, provider: m.provider }, m.bytes);
      },
    });
    this.latency = new Summary({
      name: 'earshot_latency_seconds',
      help: `Pipeline latencies over the last ${WINDOW_SECONDS / 60} minutes, by stage (${LATENCY_STAGES.join(', ')}).`,
      labelNames: ['stage'],
      percentiles: QUANTILES,
      maxAgeSeconds: WINDOW_SECONDS,
      ageBuckets: 5,
      registers,
    });
    this.utterances = new Counter({
      name: 'earshot_utterances_total',
      help: 'Utterances transcribed, by trigger (wake, ptt).',
      labelNames: ['trigger'],
      registers,
    });
    this.wakes = new Counter({
      name: 'earshot_wake_detections_total',
      help: 'Wake words heard, by keyword.',
      labelNames: ['keyword'],
      registers,
    });
    this.rejectedWakes = new Counter({
      name: 'earshot_wake_rejections_total',
      help: 'Wake words that scored over their threshold without firing, by keyword and reason (patience, refractory).',
      labelNames: ['keyword', 'reason'],
      registers,
    });
    const counter = (name: string, help: string) => new Counter({ name, help, registers });
    this.counters = {
      framesDropped: counter(
        'earshot_frames_dropped_total',
        'Audio frames dropped on their way to the inference worker.',
      ),
      workerRestarts: counter('earshot_worker_restarts_total', 'Restarts of the inference worker after it stopped.'),
      recoveredUtterances: counter(
        'earshot_recovered_utterances_total',
        "Finals made from main's copy of the audio (the worker crashed or lost frames).",
      ),
      reusedPartials: counter('earshot_reused_partials_total', 'Finals that were the last live partial itself.'),
      encoderCacheHits: counter(
        'earshot_encoder_cache_hits_total',
        'Final passes whose encoder output came from the cache.',
      ),
      encoderCacheMisses: counter('earshot_encoder_cache_misses_total', 'Final passes that ran the encoder.'),
      modelLoads: counter('earshot_model_loads_total', 'Model sessions opened in the inference worker.'),
    };
  }

  /** The sample the process and memory gauges report. */
  setSample(sample: MetricsSample): void {
    this.latest = sample;
  }

  observe(stage: LatencyStage, ms: number): void {
    this.latency.observe({ stage }, ms / 1000);
  }

  countUtterance(trigger: 'wake' | 'ptt'): void {
    this.utterances.inc({ trigger });
  }

  countWake(keyword: string): void {
    this.wakes.inc({ keyword });
  }

  countRejectedWake(keyword: string, reason: 'patience' | 'refractory'): void {
    this.rejectedWakes.inc({ keyword, reason });
  }

  /** The models the memory gauge reports. */
  setModels(models: readonly LoadedModel[]): void {
    this.models = models;
  }

  add(counter: keyof PrometheusRegistry['counters'], by = 1): void {
    if (by > 0) this.counters[counter].inc(by);
  }

  async counterValues(): Promise<PipelineCounters> {
    const value = async (c: Counter) => (await c.get()).values[0]?.value ?? 0;
    // Labelled counters, read back by label (a label never counted has no value yet).
    const byLabel = async <L extends string>(c: Counter<L>, label: L) =>
      Object.fromEntries((await c.get()).values.map((v) => [String(v.labels[label]), v.value]));
    const utterances = await byLabel(this.utterances, 'trigger');
    return {
      utterances: { wake: utterances.wake ?? 0, ptt: utterances.ptt ?? 0 },
      wakes: await byLabel(this.wakes, 'keyword'),
      framesDropped: await value(this.counters.framesDropped),
      workerRestarts: await value(this.counters.workerRestarts),
      recoveredUtterances: await value(this.counters.recoveredUtterances),
      reusedPartials: await value(this.counters.reusedPartials),
      encoderCacheHits: await value(this.counters.encoderCacheHits),
      encoderCacheMisses: await value(this.counters.encoderCacheMisses),
      rejectedWakes: await rejectedByKeyword(this.rejectedWakes),
      modelLoads: await value(this.counters.modelLoads),
    };
  }

  /** Percentiles (ms) and count of every stage, from the summaries. */
  async latencyStats(): Promise<Record<LatencyStage, LatencyStats>> {
    const { values } = await this.latency.get();
    const stats = Object.fromEntries(
      LATENCY_STAGES.map((stage) => [stage, { count: 0, p50: null, p95: null, p99: null }]),
    ) as Record<LatencyStage, LatencyStats>;
    for (const v of values) {
      const stage = v.labels.stage as LatencyStage | undefined;
      const entry = stage && stats[stage];
      if (!entry) continue;
      if (v.metricName === 'earshot_latency_seconds_count') entry.count = v.value;
      const q = (v.labels as { quantile?: number }).quantile;
      // An empty window reports NaN quantiles.
      const ms = Number.isFinite(v.value) ? v.value * 1000 : null;
      if (q === 0.5) entry.p50 = ms;
      else if (q === 0.95) entry.p95 = ms;
      else if (q === 0.99) entry.p99 = ms;
    }
    for (const entry of Object.values(stats))
      if (entry.count === 0) Object.assign(entry, { p50: null, p95: null, p99: null });
    return stats;
  }

  /** The text exposition format. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Rejected wakes by keyword, both reasons together. */
async function rejectedByKeyword(counter: Counter<'keyword' | 'reason'>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const v of (await counter.get()).values) {
    const keyword = String(v.labels.keyword);
    counts[keyword] = (counts[keyword] ?? 0) + v.value;
  }
  return counts;
}
