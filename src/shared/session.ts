import { z } from 'zod';
import { CommandRecordSchema } from './commands';
import { ErrorCodeSchema } from './errors';
import { OutputModeSchema, SessionOptionsSchema } from './settings';

/** The voice session and its history as the renderer sees them (the IPC contract's payloads). */

export const SESSION_STATES = ['idle', 'armed', 'recording', 'transcribing'] as const;
export const SessionStateSchema = z.enum(SESSION_STATES);
export type SessionStateName = z.infer<typeof SessionStateSchema>;

export const TRIGGERS = ['wake', 'ptt'] as const;
export const TriggerSchema = z.enum(TRIGGERS);
export type Trigger = z.infer<typeof TriggerSchema>;
/** A history entry's trigger: dictation by wake word or push-to-talk, or a voice command. */
export const HISTORY_TRIGGER_NAMES = [...TRIGGERS, 'command'] as const;
export const HistoryTriggerSchema = z.enum(HISTORY_TRIGGER_NAMES);

export const SessionStatusSchema = z
  .object({
    state: SessionStateSchema,
    /** Capture and the worker run for the session (Start in the Live view, or a key press). */
    running: z.boolean(),
    /** Listening for the active wake words while no utterance runs. */
    wakeEnabled: z.boolean(),
    keywords: z.array(z.string()),
    /** The push-to-talk key or button is held. */
    pressed: z.boolean(),
    options: SessionOptionsSchema,
    /** The global toggle shortcut as registered, or why it is not (taken, or no desktop support). */
    shortcut: z
      .object({ accelerator: z.string().nullable(), registered: z.boolean(), problem: z.string().nullable() })
      .strict(),
    /** The hold key as watched, or why it is not (no X display, Wayland, not registered by this host). */
    holdKey: z.object({ key: z.string().nullable(), active: z.boolean(), problem: z.string().nullable() }).strict(),
  })
  .strict();
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

export const SessionStateEventSchema = z
  .object({ state: SessionStateSchema, previous: SessionStateSchema, reason: z.string() })
  .strict();

export const WakeEventSchema = z.object({ keyword: z.string(), score: z.number() }).strict();
export const WakeScoresSchema = z.object({ scores: z.record(z.string(), z.number()) }).strict();
export const PartialEventSchema = z.object({ stable: z.string(), unstable: z.string() }).strict();

/** Where the time went for one utterance (milliseconds, except the two wall-clock times). */
export const UtteranceTimingsSchema = z
  .object({
    /** Wall-clock time the recording began (ms since the epoch), pre-roll excluded. */
    startedAt: z.number(),
    /** Wall-clock time speech ended or the key was released. */
    endedAt: z.number(),
    recordingMs: z.number().nonnegative(),
    encoderMs: z.number().nonnegative(),
    decoderMs: z.number().nonnegative(),
    /** End of speech (or key release) to the text: what the user waits for. */
    endToTextMs: z.number().nonnegative(),
    /** Of that, waiting for the last frames to reach the worker, and for a pass already running. */
    framesWaitMs: z.number().nonnegative().optional(),
    passWaitMs: z.number().nonnegative().optional(),
  })
  .strict();
export type UtteranceTimings = z.infer<typeof UtteranceTimingsSchema>;

export const FinalPassWorkSchema = z
  .object({
    tokens: z.number().int().nonnegative(),
    encoderCacheHits: z.number().int().nonnegative(),
    encoderCacheMisses: z.number().int().nonnegative(),
    /** Decoder runs of the pass that made the final (a reused partial's own). */
    decoderRuns: z.number().int().nonnegative(),
    /** Draft tokens (the last partial's) that held, each saving a decoder run. */
    draftAccepted: z.number().int().nonnegative(),
  })
  .strict();
export type FinalPassWork = z.infer<typeof FinalPassWorkSchema>;

export const FinalTranscriptSchema = z
  .object({
    /** The history entry, or null when nothing was said (no entry is made for silence). */
    historyId: z.number().int().nullable(),
    text: z.string(),
    language: z.string(),
    trigger: TriggerSchema,
    keyword: z.string().nullable(),
    noSpeech: z.boolean(),
    /**
     * How the final pass ran: in full, on the encoder output a live partial left in the cache, or
     * as the last partial itself (settled on the same audio: no encoder or decoder ran after speech).
     */
    finalPass: z.enum(['full', 'cached-encoder', 'reused-partial']),
    /**
     * The worker crashed during the utterance, or lagged so far that frames of it were dropped on
     * their way: the text came from main's copy of the whole audio.
     */
    recovered: z.boolean(),
    /**
     * Where the text went besides the history (`history`: nowhere else), and the app it went
     * into or was kept from (null where the platform does not say).
     */
    output: z.object({ delivered: OutputModeSchema, app: z.string().nullable() }).strict(),
    timings: UtteranceTimingsSchema,
    /** What the final pass decoded, and whether its encoder outputs came from the cache (the Monitor's counters). */
    work: FinalPassWorkSchema.optional(),
  })
  .strict();
export type FinalTranscript = z.infer<typeof FinalTranscriptSchema>;

/**
 * Something the user should see that is not a state change: a failure, a trigger queued or turned
 * down, or a notice (a fallback, an app the text was kept from).
 */
export const SessionProblemSchema = z
  .object({
    kind: z.enum(['error', 'rejected', 'queued', 'notice']),
    code: ErrorCodeSchema.nullable(),
    message: z.string(),
  })
  .strict();
export type SessionProblem = z.infer<typeof SessionProblemSchema>;

export const HistoryItemSchema = z
  .object({
    id: z.number().int(),
    createdAt: z.number(),
    text: z.string(),
    language: z.string(),
    trigger: HistoryTriggerSchema,
    keyword: z.string().nullable(),
    profile: z.string(),
    device: z.string().nullable(),
    durationMs: z.number(),
    latency: z.record(z.string(), z.number()),
    hasAudio: z.boolean(),
    /** A voice command's record (which ran, and how it went); null for dictation. */
    command: CommandRecordSchema.nullable(),
    /** With a search: the text around the matches, each match between [ and ]. */
    snippet: z.string().optional(),
  })
  .strict();
export type HistoryItem = z.infer<typeof HistoryItemSchema>;

export const HistoryPageSchema = z.object({ entries: z.array(HistoryItemSchema), total: z.number().int() }).strict();
export type HistoryPage = z.infer<typeof HistoryPageSchema>;

export const HistoryListRequestSchema = z
  .object({
    search: z.string().max(500).optional(),
    trigger: HistoryTriggerSchema.optional(),
    limit: z.number().int().min(1).max(500).optional(),
    offset: z.number().int().nonnegative().optional(),
  })
  .strict();

export const HistoryExportSchema = z
  .object({ filename: z.string(), mimeType: z.string(), content: z.string() })
  .strict();

export const HistoryAudioSchema = z.object({ mimeType: z.literal('audio/wav'), base64: z.string() }).strict();

/** A kept recording transcribed again with another profile, to compare with the text it got live. */
export const RetranscriptionSchema = z
  .object({
    id: z.number().int(),
    profileId: z.string(),
    profileName: z.string(),
    model: z.string(),
    text: z.string(),
    /** From audio in hand to text (model loading excluded), and its parts. */
    totalMs: z.number(),
    encoderMs: z.number(),
    decoderMs: z.number(),
    /** Loading the model, when this profile's was not loaded yet. */
    loadMs: z.number(),
  })
  .strict();
export type Retranscription = z.infer<typeof RetranscriptionSchema>;
