import { z } from 'zod';
import { IpcResultSchema } from './ipc/result';

/**
 * Frames of the loopback WebSocket that carries the IPC contract to a browser (`earshot
 * serve`). The connection itself is authorised by the per-run token; each invoke is then
 * guarded and validated exactly as an Electron IPC call is.
 */
export const WS_PATH = '/ipc';
export const WS_TOKEN_PARAM = 'token';
/** Close code sent for a frame that is not valid JSON of the shape below. */
export const WS_CLOSE_PROTOCOL_ERROR = 4400;

export const ClientFrameSchema = z
  .object({
    type: z.literal('invoke'),
    id: z.number().int().nonnegative(),
    channel: z.string().max(100),
    payload: z.unknown().optional(),
  })
  .strict();
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export const ServerFrameSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int(), result: IpcResultSchema }).strict(),
  z.object({ type: z.literal('event'), channel: z.string(), payload: z.unknown() }).strict(),
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;
