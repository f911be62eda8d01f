import { z } from 'zod';
import { AlertThresholdsSchema } from './settings';

/** The processes Earshot measures; `renderer` and `gpu` exist in the desktop app only. */
export const MONITORED_PROCESSES = ['main', 'worker', 'renderer', 'gpu'] as const;
export type MonitoredProcess = (typeof MONITORED_PROCESSES)[number];

/**
 * Latency stages, named as in the Prometheus export (`earshot_latency_seconds{stage}`):
 * wake word heard (the frame the phrase ended in, captured) → recording; key released → final;
 * end of speech (the VAD's, after its hang-over) → final; the final's encoder run; its decoder
 * time per decoded token; an audio frame's way from the capture callback to the worker; the log-mel
 * spectrogram of each live pass (partials and finals); a live partial pass from start to text; a
 * model session's load (ONNX Runtime's `create`, after the file's hash was checked).
 */
export const LATENCY_STAGES = [
  'wake_to_recording',
  'release_to_final',
  'speech_end_to_final',
  'encoder',
  'decoder_token',
  'frame_to_worker',
  'mel',
  'partial_pass',
  'model_load',
] as const;
export type LatencyStage = (typeof LATENCY_STAGES)[number];

export const ProcessUsageSchema = z
  .object({
    process: z.enum(MONITORED_PROCESSES),
    pid: z.number().int().nullable(),
    /** Percent of one core over the last interval (200: two cores busy). */
    cpuPercent: z.number().nonnegative(),
    residentBytes: z.number().nonnegative(),
  })
  .strict();
export type ProcessUsage = z.infer<typeof ProcessUsageSchema>;

/** A distribution over the recent past (the last 10 minutes): milliseconds; null when empty. */
export const LatencyStatsSchema = z
  .object({
    count: z.number().int().nonnegative(),
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
  })
  .strict();
export type LatencyStats = z.infer<typeof LatencyStatsSchema>;

/** A GPU adapter as the platform reports it; null where it does not. */
export const GpuAdapterSchema = z
  .object({
    index: z.number().int(),
    name: z.string(),
    vendor: z.string(),
    driver: z.string().nullable(),
    utilizationPercent: z.number().nullable(),
    memoryUsedBytes: z.number().nullable(),
    memoryTotalBytes: z.number().nullable(),
    temperatureC: z.number().nullable(),
  })
  .strict();
export type GpuAdapter = z.infer<typeof GpuAdapterSchema>;

/** One sample, taken at the active profile's monitoring interval. */
export const MetricsSampleSchema = z
  .object({
    /** Wall-clock time (ms since the epoch). */
    at: z.number(),
    processes: z.array(ProcessUsageSchema),
    system: z.object({ memoryTotalBytes: z.number(), memoryAvailableBytes: z.number() }).strict(),
    /** Every GPU adapter found (empty: none; inference runs on the CPU). */
    gpus: z.array(GpuAdapterSchema),
    /** The latency percentiles as they stood at this sample (for charts over time). */
    latency: z.object({ release_to_final: LatencyStatsSchema, wake_to_recording: LatencyStatsSchema }).strict(),
    pipeline: z
      .object({
        /**
         * The wake pipeline's (energy gate, VAD, wake word) time per frame against the frame's
         * length, over the last second or so; null before the worker reported it. Above 1 it
         * falls behind live audio.
         */
        wakeRealtimeFactor: z.number().nonnegative().nullable(),
        /** Captured frames the worker has not processed yet: waiting in main, or sent and not yet acknowledged. */
        frameQueueDepth: z.number().int().nonnegative(),
      })
      .strict(),
  })
  .strict();
export type MetricsSample = z.infer<typeof MetricsSampleSchema>;

export const PipelineCountersSchema = z
  .object({
    utterances: z.object({ wake: z.number().int(), ptt: z.number().int() }).strict(),
    /** Wake words heard, by keyword. */
    wakes: z.record(z.string(), z.number().int()),
    framesDropped: z.number().int(),
    workerRestarts: z.number().int(),
    /** Finals made from main's copy of the audio (the worker's had a gap, or it crashed). */
    recoveredUtterances: z.number().int(),
    /** Finals that were the last live partial itself. */
    reusedPartials: z.number().int(),
    encoderCacheHits: z.number().int(),
    encoderCacheMisses: z.number().int(),
    /** Wake words that scored over their threshold without firing (patience or refractory time), by keyword. */
    rejectedWakes: z.record(z.string(), z.number().int()),
    /** Model sessions opened in the worker (a restart or a profile switch loads again). */
    modelLoads: z.number().int(),
  })
  .strict();
export type PipelineCounters = z.infer<typeof PipelineCountersSchema>;

export const ALERT_IDS = [
  'worker-memory',
  'system-memory',
  'cpu',
  'release-latency',
  'dropped-frames',
  'worker-restarts',
] as const;
export type AlertId = (typeof ALERT_IDS)[number];

/** A condition the user should act on: raised once with what to do, cleared when it ends. */
export const AlertSchema = z
  .object({
    id: z.enum(ALERT_IDS),
    /** What is wrong and what to do, in one or two sentences. */
    message: z.string(),
    raisedAt: z.number(),
    /** The measured value and the threshold it crossed, in the threshold's unit (MiB, %, ms, count). */
    value: z.number(),
    threshold: z.number(),
  })
  .strict();
export type Alert = z.infer<typeof AlertSchema>;

export const AlertEventSchema = z.object({ state: z.enum(['raised', 'cleared']), alert: AlertSchema }).strict();
export type AlertEvent = z.infer<typeof AlertEventSchema>;

/** What the worker freed when the system ran low on memory. */
export const MemoryReliefSchema = z
  .object({
    at: z.number(),
    encoderEntriesDropped: z.number().int(),
    modelsUnloaded: z.array(z.string()),
    /** Models whose encoder gave back its memory arena (it runs slower until the model loads again). */
    arenasReleased: z.array(z.string()),
  })
  .strict();
export type MemoryRelief = z.infer<typeof MemoryReliefSchema>;

/** A model session open in the worker now. */
export const LoadedModelSchema = z
  .object({
    model: z.string(),
    /** The ONNX Runtime execution provider it runs on (`cpu`). */
    provider: z.string(),
    /** Its weights as handed to ONNX Runtime, about the memory it holds. */
    bytes: z.number().int().nonnegative(),
    loadMs: z.number().nonnegative(),
  })
  .strict();
export type LoadedModel = z.infer<typeof LoadedModelSchema>;

/**
 * The GPU the desktop app's window draws with, as Chromium reports it (`app.getGPUInfo` and
 * `app.getGPUFeatureStatus`): which features it accelerates, on which device. Null outside the
 * desktop app (the CLI, or a browser on `serve`).
 */
export const WindowGpuSchema = z
  .object({
    /** The OpenGL/ANGLE renderer string, e.g. "ANGLE (Intel, Mesa Intel(R) UHD Graphics 620, OpenGL 4.6)". */
    renderer: z.string().nullable(),
    devices: z.array(
      z
        .object({
          /** PCI ids as 4 hex digits (10de: NVIDIA, 1002: AMD, 8086: Intel, 106b: Apple). */
          vendorId: z.string(),
          deviceId: z.string(),
          active: z.boolean(),
          name: z.string().nullable(),
          driver: z.string().nullable(),
        })
        .strict(),
    ),
    /** Chromium's status per feature, e.g. `gpu_compositing: "enabled"`, `webgl: "unavailable_software"`. */
    features: z.record(z.string(), z.string()),
  })
  .strict();
export type WindowGpu = z.infer<typeof WindowGpuSchema>;

export const MetricsSnapshotSchema = z
  .object({
    at: z.number(),
    intervalMs: z.number().int().positive(),
    /** The newest sample, or null before the first one. */
    sample: MetricsSampleSchema.nullable(),
    latency: z.object(
      Object.fromEntries(LATENCY_STAGES.map((s) => [s, LatencyStatsSchema])) as {
        [S in LatencyStage]: typeof LatencyStatsSchema;
      },
    ),
    counters: PipelineCountersSchema,
    /** Alerts raised and not cleared, oldest first. */
    alerts: z.array(AlertSchema),
    thresholds: AlertThresholdsSchema,
    /** The last time low memory made the worker free what it could, or null. */
    memoryRelief: MemoryReliefSchema.nullable(),
    /** Model sessions open in the worker, in the order they were loaded. */
    models: z.array(LoadedModelSchema),
    windowGpu: WindowGpuSchema.nullable(),
  })
  .strict();
export type MetricsSnapshot = z.infer<typeof MetricsSnapshotSchema>;

export const MetricsHistorySchema = z.object({ samples: z.array(MetricsSampleSchema) }).strict();
export type MetricsHistory = z.infer<typeof MetricsHistorySchema>;

/** The app's own Prometheus endpoint as it stands (settings `monitoring.endpoint`). */
export const MetricsEndpointStatusSchema = z
  .object({
    enabled: z.boolean(),
    port: z.number().int(),
    /** Where it answers; null while it is off or could not listen. */
    url: z.string().nullable(),
    /** What a scraper presents (`Authorization: Bearer` or `?token=`); null until first turned on. */
    token: z.string().nullable(),
    /** Why it is not listening although on (the port is taken, say). */
    error: z.string().nullable(),
  })
  .strict();
export type MetricsEndpointStatus = z.infer<typeof MetricsEndpointStatusSchema>;
