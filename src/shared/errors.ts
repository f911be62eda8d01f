import { z } from 'zod';

/**
 * Errors are named by condition (ARCHITECTURE.md, invariant 7). Each code reaches the user
 * as a sentence that says what to do.
 */
export const ERROR_CODES = [
  // IPC guard and contract
  'UnknownChannel',
  'ForbiddenSender',
  'InvalidPayload',
  'InvalidResponse',
  'HostDisconnected',
  // Settings and profiles
  'UnknownProfile',
  'SettingsWriteFailed',
  // Audio devices
  'NoInputDevice',
  'DeviceUnavailable',
  'DeviceLost',
  // Models and audio files
  'ModelMissing',
  'ModelIntegrityError',
  'UnknownModel',
  'ModelDownloadFailed',
  'DownloadCancelled',
  'InvalidModelName',
  'ModelNameTaken',
  'ModelInUse',
  'MachineCheckUnavailable',
  'InvalidAudioFile',
  // Inference worker
  'UnknownWorkerMessage',
  'WorkerCrashed',
  'WorkerOverloaded',
  'WorkerTimeout',
  // Voice sessions and history
  'HistoryIncompatible',
  'HistoryEntryMissing',
  'ClipboardUnavailable',
  'ShortcutUnavailable',
  // Text where the cursor is
  'KeyInjectionUnavailable',
  'OutputExcluded',
  'OutputFailed',
  // Anything a service did not name
  'Internal',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const AppErrorSchema = z.object({ code: ErrorCodeSchema, message: z.string() }).strict();
export type AppErrorData = z.infer<typeof AppErrorSchema>;

/** An error a service raises on purpose; its message is shown to the user as is. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }

  toData(): AppErrorData {
    return { code: this.code, message: this.message };
  }
}

/** The first line of an error's message, for a sentence shown to the user. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}

/** A notice the user should see once (e.g. settings were recovered from a corrupt file). */
export const NoticeSchema = z
  .object({
    code: z.enum([
      'SettingsRecovered',
      'SettingsMigrated',
      'ElectronUnavailable',
      'HistoryRecovered',
      'HistoryUnavailable',
      'MonitorAlert',
      'AccelerationUnavailable',
    ]),
    message: z.string(),
  })
  .strict();
export type Notice = z.infer<typeof NoticeSchema>;
