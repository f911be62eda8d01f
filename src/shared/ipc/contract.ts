import { z } from 'zod';
import { AudioLevelSchema, CaptureStatusSchema, DeviceReportSchema } from '../audio';
import { NoticeSchema } from '../errors';
import { ProfileSchema } from '../profiles';
import { SettingsSchema } from '../settings';

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
  })
  .strict();
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const ProfileListSchema = z.object({ profiles: z.array(ProfileSchema), activeId: z.string() }).strict();
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
  'profiles:list': { method: 'listProfiles', request: NoPayload, response: ProfileListSchema },
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
} as const satisfies Record<string, InvokeSpec>;

export const eventChannels = {
  'profiles:active-changed': { method: 'onActiveProfileChanged', payload: ActiveProfileSchema },
  'app:notice': { method: 'onNotice', payload: NoticeSchema },
  /** At most ~20 per second while capture runs (invariant 1: levels, never PCM). */
  'audio:level': { method: 'onAudioLevel', payload: AudioLevelSchema },
  'audio:status-changed': { method: 'onCaptureStatus', payload: CaptureStatusSchema },
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
