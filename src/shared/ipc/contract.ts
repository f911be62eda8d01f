import { z } from 'zod';
import { AudioLevelSchema, CaptureStatusSchema, DeviceReportSchema } from '../audio';
import { NoticeSchema } from '../errors';
import { CustomProfileSchema, ProfileSchema } from '../profiles';
import {
  FinalTranscriptSchema,
  HistoryAudioSchema,
  HistoryExportSchema,
  HistoryListRequestSchema,
  HistoryPageSchema,
  PartialEventSchema,
  RetranscriptionSchema,
  SessionProblemSchema,
  SessionStateEventSchema,
  SessionStatusSchema,
  WakeEventSchema,
  WakeScoresSchema,
} from '../session';
import {
  AlertThresholdsSchema,
  AppPreferencesSchema,
  MetricsEndpointSettingsSchema,
  SessionOptionsSchema,
  SettingsSchema,
} from '../settings';
import {
  AlertEventSchema,
  MetricsEndpointStatusSchema,
  MetricsHistorySchema,
  MetricsSampleSchema,
  MetricsSnapshotSchema,
} from '../metrics';
import {
  CommandOutcomeSchema,
  CommandSettingsSchema,
  CommandsFileSchema,
  CommandsOverviewSchema,
  ProgramConfirmationSchema,
} from '../commands';
import { MachineCheckSchema } from '../machine-check';
import { ModelDownloadEventSchema, ModelDownloadRequestSchema, ModelNameSchema, ModelsOverviewSchema } from '../models';

/**
 * The one declaration of every IPC channel (names `domain:verb`). Main validates each
 * request with `request` before a service runs; the preload, the WebSocket bridge and the
 * renderer's types are all derived from this object.
 */

const NoPayload = z.undefined();

export const AppInfoSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    /** Which composition root serves the renderer. */
    host: z.enum(['electron', 'serve']),
    platform: z.string(),
    arch: z.string(),
    versions: z
      .object({
        node: z.string(),
        electron: z.string().nullable(),
        chrome: z.string().nullable(),
        onnxruntime: z.string().nullable(),
      })
      .strict(),
    /** Things the user should know since start-up (e.g. settings recovered from a corrupt file). */
    notices: z.array(NoticeSchema),
    settingsLocation: z.string(),
    /** The folder with the history, kept recordings and the user's models. */
    dataLocation: z.string(),
  })
  .strict();
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const ProfileListSchema = z
  .object({
    /** The presets, then the user's own. */
    profiles: z.array(ProfileSchema),
    activeId: z.string(),
    /** Which profiles are the user's, and the preset each came from. */
    custom: z.array(z.object({ id: z.string(), basedOn: z.string() }).strict()),
  })
  .strict();
export type ProfileList = z.infer<typeof ProfileListSchema>;

/** Wake words: every keyword model Earshot ships (with its licence) and the active ones. */
export const WakeWordsSchema = z
  .object({
    available: z.array(z.object({ id: z.string(), licence: z.string() }).strict()),
    active: z.array(z.string()),
  })
  .strict();

export const ActiveProfileSchema = z.object({ activeId: z.string() }).strict();

export const invokeChannels = {
  'app:get-info': { method: 'getAppInfo', request: NoPayload, response: AppInfoSchema },
  'settings:get': { method: 'getSettings', request: NoPayload, response: SettingsSchema },
  /** Changes the app's look or start-up (saved); answers all of them. */
  'settings:set-app': {
    method: 'setAppPreferences',
    request: AppPreferencesSchema.partial().strict(),
    response: AppPreferencesSchema,
  },
  /** Every setting back to its default; the old file is kept, and `backup` says where (null: there was none). */
  'settings:reset': {
    method: 'resetSettings',
    request: NoPayload,
    response: z.object({ backup: z.string().nullable() }).strict(),
  },
  /** Opens the settings' or the data's folder in the desktop's file manager. */
  'app:open-folder': {
    method: 'openFolder',
    request: z.object({ folder: z.enum(['settings', 'data']) }).strict(),
    response: z.object({ path: z.string() }).strict(),
  },
  'profiles:list': { method: 'listProfiles', request: NoPayload, response: ProfileListSchema },
  /** Creates or replaces a profile of the user's (a preset's id is refused); saving the active one applies it. */
  'profiles:save': { method: 'saveProfile', request: CustomProfileSchema, response: ProfileListSchema },
  /** Deletes a profile of the user's; when it was active, Balanced takes over and `notice` says so. */
  'profiles:delete': {
    method: 'deleteProfile',
    request: z.object({ id: z.string().min(1).max(64) }).strict(),
    response: z.object({ list: ProfileListSchema, notice: z.string().nullable() }).strict(),
  },
  /** Measures each preset on this machine (about 20 s; progress as `profiles:check-progress`) and recommends one. */
  'profiles:check-machine': { method: 'checkMachine', request: NoPayload, response: MachineCheckSchema },
  'profiles:set-active': {
    method: 'setActiveProfile',
    request: z.object({ id: z.string().min(1).max(64) }).strict(),
    response: ActiveProfileSchema,
  },
  'audio:list-devices': {
    method: 'listDevices',
    /** `measure` opens each candidate for half a second and ranks by what it measured. */
    request: z.object({ measure: z.boolean() }).strict(),
    response: DeviceReportSchema,
  },
  'audio:choose-device': {
    method: 'chooseDevice',
    /** null: automatic (the lowest-latency input). */
    request: z.object({ deviceId: z.string().min(1).max(300).nullable() }).strict(),
    response: DeviceReportSchema,
  },
  'wake:list-keywords': { method: 'listWakeWords', request: NoPayload, response: WakeWordsSchema },
  'wake:set-keywords': {
    method: 'setWakeWords',
    request: z.object({ keywords: z.array(z.string().regex(/^[a-z0-9_]+$/)).max(8) }).strict(),
    response: WakeWordsSchema,
  },
  'audio:get-status': { method: 'getCaptureStatus', request: NoPayload, response: CaptureStatusSchema },
  'audio:start-test': { method: 'startMicTest', request: NoPayload, response: CaptureStatusSchema },
  'audio:stop-test': { method: 'stopMicTest', request: NoPayload, response: CaptureStatusSchema },
  'session:get-status': { method: 'getSessionStatus', request: NoPayload, response: SessionStatusSchema },
  /** Capture and the worker start; the session listens for the wake words, if any are on. */
  'session:start': { method: 'startSession', request: NoPayload, response: SessionStatusSchema },
  'session:stop': { method: 'stopSession', request: NoPayload, response: SessionStatusSchema },
  /** Push-to-talk down (starts the session if it is not running) and up. */
  'session:press': { method: 'pressToTalk', request: NoPayload, response: SessionStatusSchema },
  'session:release': { method: 'releaseToTalk', request: NoPayload, response: SessionStatusSchema },
  'session:set-options': {
    method: 'setSessionOptions',
    request: SessionOptionsSchema.partial().strict(),
    response: SessionStatusSchema,
  },
  'history:list': { method: 'listHistory', request: HistoryListRequestSchema, response: HistoryPageSchema },
  'history:delete': {
    method: 'deleteHistoryEntry',
    request: z.object({ id: z.number().int().positive() }).strict(),
    response: z.object({ deleted: z.boolean() }).strict(),
  },
  'history:export': {
    method: 'exportHistory',
    request: z.object({ format: z.enum(['txt', 'json', 'srt']) }).strict(),
    response: HistoryExportSchema,
  },
  'history:get-audio': {
    method: 'getHistoryAudio',
    request: z.object({ id: z.number().int().positive() }).strict(),
    response: HistoryAudioSchema,
  },
  /** Transcribes an entry's kept recording with another profile (one-shot, as a live final is). */
  'history:retranscribe': {
    method: 'retranscribeHistoryEntry',
    request: z.object({ id: z.number().int().positive(), profileId: z.string().min(1).max(64) }).strict(),
    response: RetranscriptionSchema,
  },
  /** Percentiles, counters and the newest sample. */
  'metrics:get-snapshot': { method: 'getMetricsSnapshot', request: NoPayload, response: MetricsSnapshotSchema },
  /** Samples of the last `seconds` (15 minutes are kept), oldest first. */
  'metrics:get-history': {
    method: 'getMetricsHistory',
    request: z.object({ seconds: z.number().int().min(1).max(900) }).strict(),
    response: MetricsHistorySchema,
  },
  /** The app's own Prometheus endpoint: on or off, where, with which token. */
  'metrics:get-endpoint': { method: 'getMetricsEndpoint', request: NoPayload, response: MetricsEndpointStatusSchema },
  /** Turns the endpoint on or off or moves it (saved in the settings); answers how it stands then. */
  'metrics:set-endpoint': {
    method: 'setMetricsEndpoint',
    request: z.object({ enabled: z.boolean(), port: MetricsEndpointSettingsSchema.shape.port }).partial().strict(),
    response: MetricsEndpointStatusSchema,
  },
  /** The built-in voice commands, and the user's with the command options. */
  'commands:get': { method: 'getCommands', request: NoPayload, response: CommandsOverviewSchema },
  /** Changes the command options or replaces the user's commands (saved in the settings). */
  'commands:update': {
    method: 'updateCommands',
    request: CommandSettingsSchema.omit({ confirmedPrograms: true }).partial().strict(),
    response: CommandsOverviewSchema,
  },
  /** Adds the commands of an export file's text (the same id replaces). */
  'commands:import': {
    method: 'importCommands',
    request: z.object({ text: z.string().max(1_000_000) }).strict(),
    response: z.object({ overview: CommandsOverviewSchema, imported: z.number().int() }).strict(),
  },
  'commands:export': { method: 'exportCommands', request: NoPayload, response: CommandsFileSchema },
  /** The user's answer to a program command's first run (`commands:confirm-request`). */
  'commands:confirm': {
    method: 'confirmProgram',
    request: z.object({ requestId: z.string().max(64), allow: z.boolean() }).strict(),
    response: z.object({ pending: z.boolean() }).strict(),
  },
  /** Every Whisper model: who uses it, whether its files match their pins, and the download under way. */
  'models:list': { method: 'listModels', request: NoPayload, response: ModelsOverviewSchema },
  /** Adds a model folder (copied into the user model folder, every file pinned). */
  'models:add': {
    method: 'addModel',
    request: z.object({ folder: z.string().min(1).max(4096), name: ModelNameSchema.optional() }).strict(),
    response: z.object({ overview: ModelsOverviewSchema, added: z.string() }).strict(),
  },
  /** Starts downloading a repository; progress comes as `models:download` events. */
  'models:download': {
    method: 'downloadModel',
    request: ModelDownloadRequestSchema,
    response: z.object({ name: z.string() }).strict(),
  },
  /** Stops the download under way and removes what it received. */
  'models:cancel-download': {
    method: 'cancelModelDownload',
    request: NoPayload,
    response: z.object({ cancelled: z.boolean() }).strict(),
  },
  /** Deletes a user model; refused while a profile uses it. */
  'models:delete': {
    method: 'deleteModel',
    request: z.object({ name: ModelNameSchema }).strict(),
    response: ModelsOverviewSchema,
  },
  /** Changes some alert thresholds (saved in the settings); answers all of them. */
  'metrics:set-thresholds': {
    method: 'setAlertThresholds',
    request: AlertThresholdsSchema.partial().strict(),
    response: AlertThresholdsSchema,
  },
} as const satisfies Record<string, InvokeSpec>;

export const eventChannels = {
  'profiles:active-changed': { method: 'onActiveProfileChanged', payload: ActiveProfileSchema },
  'app:notice': { method: 'onNotice', payload: NoticeSchema },
  /** The machine check measures the next preset. */
  'profiles:check-progress': {
    method: 'onMachineCheckProgress',
    payload: z.object({ name: z.string(), index: z.number().int(), count: z.number().int() }).strict(),
  },
  /** At most ~20 per second while capture runs (invariant 1: levels, never PCM). */
  'audio:level': { method: 'onAudioLevel', payload: AudioLevelSchema },
  'audio:status-changed': { method: 'onCaptureStatus', payload: CaptureStatusSchema },
  'session:state': { method: 'onSessionState', payload: SessionStateEventSchema },
  'session:wake': { method: 'onWake', payload: WakeEventSchema },
  /** The wake-word scores while armed, one per frame batch (~12 per second). */
  'session:wake-scores': { method: 'onWakeScores', payload: WakeScoresSchema },
  'session:partial': { method: 'onPartialTranscript', payload: PartialEventSchema },
  'session:final': { method: 'onFinalTranscript', payload: FinalTranscriptSchema },
  'session:problem': { method: 'onSessionProblem', payload: SessionProblemSchema },
  /** A voice command ran (or was turned down): which, with what, and how it went. */
  'session:command': { method: 'onVoiceCommand', payload: CommandOutcomeSchema },
  /** A program command runs for the first time: the window asks the user (answer with `commands:confirm`). */
  'commands:confirm-request': { method: 'onProgramConfirmation', payload: ProgramConfirmationSchema },
  /** A voice command asked for a view ("open the monitor"): the window shows it. */
  'app:show-view': { method: 'onShowView', payload: z.object({ view: z.string().max(40) }).strict() },
  /** Options or the shortcut changed (from any window, or a failed shortcut registration). */
  'session:status-changed': { method: 'onSessionStatus', payload: SessionStatusSchema },
  /** An entry was added or deleted: history lists reload. */
  'history:changed': { method: 'onHistoryChanged', payload: z.object({ count: z.number().int() }).strict() },
  /** A model download's progress (about 4 a second) and its end. */
  'models:download': { method: 'onModelDownload', payload: ModelDownloadEventSchema },
  /** One sample per monitoring interval (at most 2 per second). */
  'metrics:sample': { method: 'onMetricsSample', payload: MetricsSampleSchema },
  /** An alert raised or cleared (a raised one also comes as an app notice). */
  'metrics:alert': { method: 'onMetricsAlert', payload: AlertEventSchema },
} as const satisfies Record<string, EventSpec>;

export interface InvokeSpec {
  method: string;
  request: z.ZodType;
  response: z.ZodType;
}
export interface EventSpec {
  method: `on${string}`;
  payload: z.ZodType;
}

export type InvokeChannels = typeof invokeChannels;
export type EventChannels = typeof eventChannels;
export type InvokeChannel = keyof InvokeChannels;
export type EventChannel = keyof EventChannels;
export type InvokeRequest<C extends InvokeChannel> = z.input<InvokeChannels[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = z.output<InvokeChannels[C]['response']>;
export type EventPayload<C extends EventChannel> = z.output<EventChannels[C]['payload']>;

export function isInvokeChannel(name: string): name is InvokeChannel {
  return Object.hasOwn(invokeChannels, name);
}
export function isEventChannel(name: string): name is EventChannel {
  return Object.hasOwn(eventChannels, name);
}
