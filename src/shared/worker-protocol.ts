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
