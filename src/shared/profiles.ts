import { z } from 'zod';

/**
 * A profile is data: one object decides every performance trade-off (ARCHITECTURE.md,
 * invariant 6). Services read the active profile and re-apply it when it changes, so
 * switching is live.
 */

const ThreadCount = z.number().int().min(1).max(16);
const Probability = z.number().min(0).max(1);

export const ProfileSchema = z
  .object({
    /** Stable id stored in settings (`balanced`, `low-latency`, …). */
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
    name: z.string().min(1).max(60),
    description: z.string().max(300),
    /** Whisper model name from the model registry (`whisper-tiny`, `whisper-base`, …). */
    model: z.string().min(1),
    /**
     * `fitted`: the encoder runs on a window fitted to the utterance (plus 3 s of silence) instead
     * of Whisper's fixed 30 s, which dominates the cost of short commands (whisper.cpp's
     * `audio_ctx` idea). `full`: always 30 s.
     */
    encoderWindow: z.enum(['fitted', 'full']),
    /**
     * Where Whisper runs: `cpu`, or `auto`: a GPU execution provider of ONNX Runtime where the
     * platform has one (CUDA on Linux, DirectML on Windows, CoreML on macOS), else the CPU with a
     * notice saying why. The wake word and VAD stay on the CPU: one 80 ms frame at a time costs
     * less there than a trip to a GPU.
     */
    acceleration: z.enum(['cpu', 'auto']),
    /** Intra-op threads given to each ONNX Runtime session. */
    threads: z.object({ asr: ThreadCount, wake: ThreadCount, vad: ThreadCount }).strict(),
    decoding: z
      .object({
        strategy: z.enum(['greedy', 'beam']),
        /** Used only when `strategy` is `beam`. */
        beamSize: z.number().int().min(1).max(10),
        /** Temperature fallback ladder; a single `[0]` disables fallback. */
        temperatures: z.array(z.number().min(0).max(1)).min(1).max(8),
        /** Retry at the next temperature when gzip compression ratio exceeds this (repetition). */
        compressionRatioThreshold: z.number().positive(),
        /** Retry at the next temperature when mean token log-probability is below this. */
        logProbThreshold: z.number().max(0),
        /** Report "no speech" when P(no-speech) exceeds this and log-prob is low. */
        noSpeechThreshold: Probability,
      })
      .strict(),
    /** Re-transcribe the growing utterance this often for live partials; 0 disables partials. */
    partialIntervalMs: z.number().int().min(0).max(5000),
    resamplerQuality: z.enum(['fast', 'medium', 'high']),
    /**
     * Frames travel to the worker in batches of this many milliseconds. Always a multiple of
     * openWakeWord's 80 ms frame (invariant 3); larger batches cost latency and save IPC.
     */
    frameMs: z
      .number()
      .int()
      .min(80)
      .max(320)
      .refine((ms) => ms % 80 === 0, 'frameMs must be a multiple of 80'),
    wake: z
      .object({
        threshold: Probability,
        /** Consecutive frames at or above threshold before a detection fires. */
        patience: z.number().int().min(1).max(10),
        /** Detections of the same keyword are ignored for this long after one fires. */
        refractoryMs: z.number().int().min(0).max(10_000),
        /** Per-keyword thresholds overriding `threshold` (e.g. a keyword prone to near-misses). */
        keywordThresholds: z.record(z.string().regex(/^[a-z0-9_]+$/), Probability),
        /**
         * Embedding phases scored per 80 ms frame, evenly spaced (1, 2 or 4): a phrase no longer
         * depends on where it falls against the frame grid; each phase costs one more embedding.
         */
        phases: z.union([z.literal(1), z.literal(2), z.literal(4)]),
      })
      .strict(),
    vad: z
      .object({
        /** Speech starts when Silero's probability rises above this… */
        startThreshold: Probability,
        /** …and counts as silence again below this (hysteresis). */
        endThreshold: Probability,
        minSpeechMs: z.number().int().min(0).max(2000),
        /** Silence this long ends an utterance. */
        silenceHangoverMs: z.number().int().min(100).max(5000),
      })
      .strict()
      // On the end threshold, so an editor shows it beside that field.
      .refine((v) => v.endThreshold <= v.startThreshold, {
        message: 'vad.endThreshold must not exceed vad.startThreshold',
        path: ['endThreshold'],
      }),
    cache: z
      .object({
        /** Encoder outputs kept in the LRU encoder cache. */
        encoderEntries: z.number().int().min(0).max(64),
        /** Loaded ONNX sessions kept so that switching profiles does not reload models. */
        sessionEntries: z.number().int().min(1).max(8),
        /** Capacity of the capture ring buffer (pre-roll + longest utterance). */
        ringBufferSeconds: z.number().int().min(5).max(300),
      })
      .strict(),
    /** How often the Monitor view samples CPU, GPU, memory and latency. */
    monitorIntervalMs: z.number().int().min(250).max(10_000),
  })
  .strict();

export type Profile = z.infer<typeof ProfileSchema>;
export type ProfileId = Profile['id'];

const STANDARD_FALLBACK = [0, 0.2, 0.4, 0.6, 0.8, 1];

/** Built-in presets. Values are documented in the README's Profiles table. */
export const PRESETS: readonly Profile[] = [
  {
    id: 'balanced',
    name: 'Balanced',
    description: 'Whisper tiny with temperature fallback and live partials every half second.',
    model: 'whisper-tiny',
    encoderWindow: 'fitted',
    acceleration: 'cpu',
    threads: { asr: 2, wake: 1, vad: 1 },
    decoding: {
      strategy: 'greedy',
      beamSize: 1,
      temperatures: STANDARD_FALLBACK,
      compressionRatioThreshold: 2.4,
      logProbThreshold: -1,
      noSpeechThreshold: 0.6,
    },
    partialIntervalMs: 500,
    resamplerQuality: 'medium',
    frameMs: 80,
    wake: { threshold: 0.5, patience: 2, refractoryMs: 2000, keywordThresholds: {}, phases: 2 },
    vad: { startThreshold: 0.5, endThreshold: 0.35, minSpeechMs: 250, silenceHangoverMs: 600 },
    cache: { encoderEntries: 8, sessionEntries: 2, ringBufferSeconds: 60 },
    monitorIntervalMs: 1000,
  },
  {
    id: 'low-latency',
    name: 'Low latency',
    description: 'Fastest response: greedy decoding without fallback, short silence hang-over.',
    model: 'whisper-tiny',
    encoderWindow: 'fitted',
    acceleration: 'cpu',
    threads: { asr: 2, wake: 1, vad: 1 },
    decoding: {
      strategy: 'greedy',
      beamSize: 1,
      temperatures: [0],
      compressionRatioThreshold: 2.4,
      logProbThreshold: -1,
      noSpeechThreshold: 0.6,
    },
    partialIntervalMs: 300,
    resamplerQuality: 'fast',
    frameMs: 80,
    wake: { threshold: 0.5, patience: 1, refractoryMs: 1500, keywordThresholds: {}, phases: 2 },
    vad: { startThreshold: 0.5, endThreshold: 0.35, minSpeechMs: 150, silenceHangoverMs: 400 },
    cache: { encoderEntries: 8, sessionEntries: 2, ringBufferSeconds: 60 },
    monitorIntervalMs: 1000,
  },
  {
    id: 'high-accuracy',
    name: 'High accuracy',
    description: 'Whisper base with beam search and the best resampler; slower, fewer errors.',
    model: 'whisper-base',
    encoderWindow: 'fitted',
    acceleration: 'cpu',
    threads: { asr: 2, wake: 1, vad: 1 },
    decoding: {
      strategy: 'beam',
      beamSize: 5,
      temperatures: STANDARD_FALLBACK,
      compressionRatioThreshold: 2.4,
      logProbThreshold: -1,
      noSpeechThreshold: 0.6,
    },
    partialIntervalMs: 1000,
    resamplerQuality: 'high',
    frameMs: 80,
    wake: { threshold: 0.6, patience: 2, refractoryMs: 2000, keywordThresholds: {}, phases: 4 },
    vad: { startThreshold: 0.5, endThreshold: 0.35, minSpeechMs: 250, silenceHangoverMs: 800 },
    cache: { encoderEntries: 16, sessionEntries: 3, ringBufferSeconds: 90 },
    monitorIntervalMs: 1000,
  },
  {
    id: 'low-resource',
    name: 'Low resource',
    description: 'One thread per model, no live partials, batched frames: least CPU and memory.',
    model: 'whisper-tiny',
    encoderWindow: 'fitted',
    acceleration: 'cpu',
    threads: { asr: 1, wake: 1, vad: 1 },
    decoding: {
      strategy: 'greedy',
      beamSize: 1,
      temperatures: [0, 0.4, 0.8],
      compressionRatioThreshold: 2.4,
      logProbThreshold: -1,
      noSpeechThreshold: 0.6,
    },
    partialIntervalMs: 0,
    resamplerQuality: 'fast',
    frameMs: 160,
    wake: { threshold: 0.5, patience: 2, refractoryMs: 2000, keywordThresholds: {}, phases: 1 },
    vad: { startThreshold: 0.55, endThreshold: 0.4, minSpeechMs: 250, silenceHangoverMs: 700 },
    cache: { encoderEntries: 2, sessionEntries: 1, ringBufferSeconds: 30 },
    monitorIntervalMs: 2000,
  },
];

export const DEFAULT_PROFILE_ID: ProfileId = 'balanced';

export function findPreset(id: string): Profile | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** Presets are read-only; the user's own profiles start as a copy of one and remember which. */
export const PRESET_IDS = PRESETS.map((p) => p.id);
export const CustomProfileSchema = ProfileSchema.extend({
  /** The preset it was duplicated from: what "reset" goes back to and the editor compares with. */
  basedOn: z.string().refine((id) => PRESET_IDS.includes(id), 'basedOn must name a preset'),
}).refine((p) => !PRESET_IDS.includes(p.id), {
  message: 'a preset cannot be changed: duplicate it and change the copy',
  path: ['id'],
});
export type CustomProfile = z.infer<typeof CustomProfileSchema>;

/** Most custom profiles a settings file keeps. */
export const MAX_CUSTOM_PROFILES = 20;
