import { z } from 'zod';
import { AppErrorSchema, type AppErrorData } from '../errors';

/**
 * Every invoke answers with an envelope instead of a rejected promise: Electron's IPC and
 * contextBridge drop custom error fields, and the envelope keeps the error code intact.
 */
export type IpcResult<T = unknown> = { ok: true; value: T } | { ok: false; error: AppErrorData };

export const IpcResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ ok: z.literal(false), error: AppErrorSchema }).strict(),
]);

export function ok<T>(value: T): IpcResult<T> {
  return { ok: true, value };
}
export function fail(error: AppErrorData): IpcResult<never> {
  return { ok: false, error };
}
