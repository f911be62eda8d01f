import { z } from 'zod';
import { AppErrorSchema } from './errors';

/**
 * Messages between main and the inference worker (a discriminated union on `type`). The
 * worker dispatches requests through a handler table keyed by `type` and answers a type it
 * does not know with an error. Later issues add wake-word, VAD and speech requests here.
 */
export const WorkerRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping'), id: z.number().int() }).strict(),
  z.object({ type: z.literal('shutdown'), id: z.number().int() }).strict(),
]);
export type WorkerRequest = z.infer<typeof WorkerRequestSchema>;
export type WorkerRequestType = WorkerRequest['type'];

export const PongSchema = z
  .object({ pid: z.number().int(), runtime: z.enum(['electron-utility', 'node-child']), onnxruntime: z.string() })
  .strict();
export type Pong = z.infer<typeof PongSchema>;

export const WorkerResponseSchema = z.discriminatedUnion('ok', [
  z.object({ id: z.number().int().nullable(), ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ id: z.number().int().nullable(), ok: z.literal(false), error: AppErrorSchema }).strict(),
]);
export type WorkerResponse = z.infer<typeof WorkerResponseSchema>;
