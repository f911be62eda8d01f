import { z } from 'zod';
import { AppErrorSchema } from './errors';
import { ProfileSchema } from './profiles';

const Samples = z.instanceof(Float32Array);
const WakeSettingsSchema = ProfileSchema.shape.wake;
const VadSettingsSchema = ProfileSchema.shape.vad;
const Threads = z.number().int().min(1).max(16);
/** Keyword names as in the model files without the version suffix (`hey_jarvis`, `alexa`, …). */
const Keywords = z.array(z.string().regex(/^[a-z0-9_]+$/)).max(8);

/** How to recognise speech: model, decoding and caches, from the profile and the request. */
export const AsrSettingsSchema = z
  .object({
    /** A registry name (`whisper-tiny`, `tiny`, a user model's name) or a user model folder. */
    model: z.string().min(1).max(1000),
    /** The user's model folder, where other models live. */
    userModelDir: z.string().max(1000).optional(),
    /** A language code, or `auto` to identify it. */
    language: z.string().regex(/^(auto|[a-z]{2,3})$/),
    task: z.enum(['transcribe', 'translate']),
    timestamps: z.boolean(),
    decoding: ProfileSchema.shape.decoding,
    /** Custom vocabulary or context for the decoder. */
    prompt: z.string().max(2000).optional(),
    threads: Threads,
    /** Run the encoder on a window fitted to the audio instead of the full 30 s. */
    fitWindow: z.boolean(),
    /** The profile's acceleration: `auto` tries the platform's GPU execution provider first. */
    acceleration: ProfileSchema.shape.acceleration.optional(),
    cache: z.object({
      encoderEntries: z.number().int().min(0).max(64),
      sessionEntries: z.number().int().min(1).max(8),
    }),
    /** For the silence guard: audio Silero calls silent is never transcribed. */
    vad: VadSettingsSchema,
  })
  .strict();
export type AsrSettings = z.infer<typeof AsrSettingsSchema>;

/** Speech recognition of a whole clip (16 kHz mono): `earshot transcribe`, and recovery after a crash. */
export const TranscribeRequestSchema = AsrSettingsSchema.extend({
  type: z.literal('transcribe'),
  id: z.number().int(),
  samples: Samples,
  /**
   * Replay the clip at real-time pace with live partials every `intervalMs` (`partial` events
   * carry this request's id), as a live utterance would get them; the response is the final.
   */
  stream: z
    .object({ intervalMs: z.number().int().min(100).max(5000) })
    .strict()
    .optional(),
}).strict();
export type TranscribeRequest = z.infer<typeof TranscribeRequestSchema>;

/** Frames the worker keeps before any utterance, for pre-roll: 2 s of 80 ms frames. */
export const WORKER_RECENT_FRAMES = 25;

/**
 * A live utterance on the frame stream: it starts at `fromSeq` (pre-roll included; the worker
 * keeps the last 2 s of frames) and grows with the frames that follow, with partials every
 * `partialIntervalMs` (0: none) as `partial` events whose `requestId` is `utterance`.
 */
export const UtteranceStartRequestSchema = z
  .object({
    type: z.literal('utterance-start'),
    id: z.number().int(),
    utterance: z.number().int().nonnegative(),
    fromSeq: z.number().int().nonnegative(),
    partialIntervalMs: z.number().int().min(0).max(5000),
    asr: AsrSettingsSchema,
  })
  .strict();
export type UtteranceStartRequest = z.infer<typeof UtteranceStartRequestSchema>;

/**
 * Messages between main and the inference worker (a discriminated union on `type`). The
 * worker dispatches requests through a handler table keyed by `type` and answers a type it
 * does not know with an error. Later issues add wake-word, VAD and speech requests here.
 */
export const WorkerRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping'), id: z.number().int() }).strict(),
  z.object({ type: z.literal('shutdown'), id: z.number().int() }).strict(),
  /** Sets up (or changes, live) the detectors that run on the audio frame stream. State: replayed after a respawn. */
  z
    .object({
      type: z.literal('configure-listening'),
      id: z.number().int(),
      keywords: Keywords,
      wake: WakeSettingsSchema,
      vad: VadSettingsSchema,
      threads: z.object({ wake: Threads, vad: Threads }).strict(),
      /** Run the keyword heads only around speech (energy gate, then VAD). */
      gate: z.boolean(),
    })
    .strict(),
  /** Wake-word detection over a whole clip (16 kHz mono), e.g. `earshot wake FILE.wav`. */
  z
    .object({
      type: z.literal('wake-scan'),
      id: z.number().int(),
      samples: Samples,
      keywords: Keywords.min(1),
      wake: WakeSettingsSchema,
      threads: Threads,
    })
    .strict(),
  /** Speech segments of a whole clip (16 kHz mono), e.g. `earshot vad FILE.wav`. */
  z
    .object({
      type: z.literal('vad-scan'),
      id: z.number().int(),
      samples: Samples,
      vad: VadSettingsSchema,
      threads: Threads,
      gate: z.boolean(),
    })
    .strict(),
  TranscribeRequestSchema,
  UtteranceStartRequestSchema,
  /** Ends the live utterance at frame `toSeq` (inclusive); the response is its final transcript. */
  z
    .object({
      type: z.literal('utterance-finish'),
      id: z.number().int(),
      utterance: z.number().int().nonnegative(),
      toSeq: z.number().int().nonnegative(),
    })
    .strict(),
  z.object({ type: z.literal('utterance-cancel'), id: z.number().int(), utterance: z.number().int() }).strict(),
  /** Loads the Whisper model (and the VAD) these settings name, so the first utterance does not wait for it. */
  z.object({ type: z.literal('asr-prepare'), id: z.number().int(), asr: AsrSettingsSchema }).strict(),
  /** Memory runs low: empty the encoder cache and unload the Whisper models the prepared settings do not use. */
  z.object({ type: z.literal('memory-pressure'), id: z.number().int() }).strict(),
]);
export type WorkerRequest = z.infer<typeof WorkerRequestSchema>;
export type WorkerRequestType = WorkerRequest['type'];

export const MemoryFreedSchema = z
  .object({
    encoderEntriesDropped: z.number().int(),
    modelsUnloaded: z.array(z.string()),
    arenasReleased: z.array(z.string()),
  })
  .strict();
export type MemoryFreed = z.infer<typeof MemoryFreedSchema>;

export const PongSchema = z
  .object({ pid: z.number().int(), runtime: z.enum(['electron-utility', 'node-child']), onnxruntime: z.string() })
  .strict();
export type Pong = z.infer<typeof PongSchema>;

export const WorkerResponseSchema = z.discriminatedUnion('ok', [
  z.object({ id: z.number().int().nullable(), ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ id: z.number().int().nullable(), ok: z.literal(false), error: AppErrorSchema }).strict(),
]);
export type WorkerResponse = z.infer<typeof WorkerResponseSchema>;

export const WakeScanResultSchema = z
  .object({
    detections: z.array(z.object({ keyword: z.string(), time_s: z.number(), score: z.number() }).strict()),
    frames: z.number().int(),
    /** Wall time spent on each 80 ms frame. */
    frameTimesMs: z.array(z.number()),
    /** Verifying and loading the models, apart from the scan itself. */
    loadMs: z.number(),
  })
  .strict();
export type WakeScanResult = z.infer<typeof WakeScanResultSchema>;

export const VadScanResultSchema = z
  .object({
    segments: z.array(z.object({ start_s: z.number(), end_s: z.number() }).strict()),
    frames: z.number().int(),
    /** Silero runs actually made (fewer than chunks when the energy gate kept it off). */
    modelRuns: z.number().int(),
    loadMs: z.number(),
  })
  .strict();
export type VadScanResult = z.infer<typeof VadScanResultSchema>;

/** Worker → main, unprompted, from the live frame stream. */
export const WorkerEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('wake'), keyword: z.string(), score: z.number(), seq: z.number().int() }).strict(),
  /** Latest score per keyword, at most 10 per second (for the UI meter). */
  z.object({ type: z.literal('wake-scores'), scores: z.record(z.string(), z.number()) }).strict(),
  z
    .object({
      type: z.literal('vad'),
      event: z.enum(['speech-start', 'speech-end']),
      /** Seconds since the stream started (frame-accurate). */
      time_s: z.number(),
      seq: z.number().int(),
    })
    .strict(),
  /** A partial transcript: `stable` words no longer change, `unstable` ones may. `requestId`: the streamed request's id, or the live utterance's number. */
  z
    .object({
      type: z.literal('partial'),
      requestId: z.number().int(),
      stable: z.string(),
      unstable: z.string(),
      audio_s: z.number(),
    })
    .strict(),
  /** How long one step of a live utterance's passes took (ms), for the Monitor's stages. */
  z
    .object({
      type: z.literal('stage-time'),
      stage: z.enum(['mel', 'partial_pass']),
      ms: z.number().nonnegative(),
    })
    .strict(),
  /** The frame path failed (e.g. a model could not run); frames keep being acknowledged. */
  z.object({ type: z.literal('frame-error'), error: AppErrorSchema }).strict(),
  /**
   * A keyword scored at or above its threshold without firing: the run of such frames ended short
   * of the patience, or it came in the refractory time after a detection (once per run of frames).
   */
  z
    .object({ type: z.literal('wake-rejected'), keyword: z.string(), reason: z.enum(['patience', 'refractory']) })
    .strict(),
  /** The wake pipeline's work (energy gate, VAD, wake word) since the last report, about once a second. */
  z
    .object({
      type: z.literal('listening-load'),
      frames: z.number().int().positive(),
      busyMs: z.number().nonnegative(),
    })
    .strict(),
  /** A model session opened (`id` is unique in this worker), and on which execution provider. */
  z
    .object({
      type: z.literal('model-loaded'),
      id: z.string(),
      model: z.string(),
      provider: z.string(),
      /** Why a GPU provider that was asked for is not used (the session runs on the CPU). */
      fallback: z.string().optional(),
      /** The model's weights, as handed to ONNX Runtime (its memory is about this). */
      bytes: z.number().int().nonnegative(),
      ms: z.number().nonnegative(),
    })
    .strict(),
  z.object({ type: z.literal('model-released'), id: z.string() }).strict(),
]);
export type WorkerEvent = z.infer<typeof WorkerEventSchema>;

/**
 * Audio frames, main → worker (a notification: no id, no response). Each frame is 80 ms of
 * 16 kHz mono float32 (1280 samples); a message carries one profile `frameMs` batch.
 */
export const AudioFramesSchema = z
  .object({
    type: z.literal('audio-frames'),
    frames: z
      .array(
        z
          .object({
            seq: z.number().int().nonnegative(),
            /** When the capture callback completed this frame (epoch ms, sub-ms precision). */
            captureTime: z.number(),
            samples: z.instanceof(Float32Array),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type AudioFrames = z.infer<typeof AudioFramesSchema>;

/** Worker → main: frames up to `seq` arrived (credit for the sender's flow control). */
export const FramesAckSchema = z
  .object({
    type: z.literal('frames-ack'),
    seq: z.number().int(),
    count: z.number().int().positive(),
    receivedAt: z.number(),
  })
  .strict();
export type FramesAck = z.infer<typeof FramesAckSchema>;

export const TranscriptResultSchema = z
  .object({
    text: z.string(),
    /** Nothing was said, or nothing survived the silence and no-speech guards. */
    noSpeech: z.boolean(),
    language: z.string(),
    /** Top 5 when the language was identified. */
    languageProbs: z.record(z.string(), z.number()),
    segments: z.array(z.object({ start: z.number(), end: z.number(), text: z.string() }).strict()),
    /** Tokens decoded (timestamps included, end-of-text and the start sequence not). */
    tokens: z.number().int(),
    /** Decoder runs: one per token decoded on its own, one per checked draft, language identification, retries. */
    decoderRuns: z.number().int(),
    /** Tokens a draft (the last partial's) gave without a decoder run of their own. */
    draftAccepted: z.number().int(),
    model: z.string(),
    /** The encoder ran on a window fitted to the audio. */
    fitted: z.boolean(),
    /** Decoding temperature per 30 s window (above 0 after a fallback). */
    temperatures: z.array(z.number()),
    /** Every window passed the fallback checks (false: the temperature ladder ran out). */
    settled: z.boolean(),
    timings: z
      .object({
        loadMs: z.number(),
        vadMs: z.number(),
        melMs: z.number(),
        encoderMs: z.number(),
        decoderMs: z.number(),
        /** From audio in hand to text, model loading excluded. */
        totalMs: z.number(),
        /**
         * Live finals: of the time from the end to the text, what went to waiting for the last
         * frames to reach the worker and for a pass already running (a partial at a pause, or
         * one being stopped), before the final's own work.
         */
        framesWaitMs: z.number().optional(),
        passWaitMs: z.number().optional(),
      })
      .strict(),
    cache: z.object({ encoderHits: z.number().int(), encoderMisses: z.number().int() }).strict(),
  })
  .strict();
export type TranscriptResult = z.infer<typeof TranscriptResultSchema>;
