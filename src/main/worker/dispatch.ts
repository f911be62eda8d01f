import { WorkerRequestSchema, type Pong, type WorkerRequest, type WorkerResponse } from '../../shared/worker-protocol';
import { packageVersion } from '../host/runtime-versions';

type Handler<T extends WorkerRequest['type']> = (
  request: Extract<WorkerRequest, { type: T }>,
  runtime: Pong['runtime'],
) => unknown;

/** One handler per request type; an unknown type is answered with an error, not ignored. */
const HANDLERS: { [T in WorkerRequest['type']]: Handler<T> } = {
  ping: (_request, runtime): Pong => ({
    pid: process.pid,
    runtime,
    onnxruntime: packageVersion('onnxruntime-node') ?? 'missing',
  }),
  shutdown: () => ({ stopping: true }),
};

export async function handleWorkerMessage(message: unknown, runtime: Pong['runtime']): Promise<WorkerResponse> {
  const parsed = WorkerRequestSchema.safeParse(message);
  const id = typeof (message as { id?: unknown })?.id === 'number' ? (message as { id: number }).id : null;
  if (!parsed.success) {
    const type = (message as { type?: unknown })?.type;
    return {
      id,
      ok: false,
      error: { code: 'UnknownWorkerMessage', message: `The inference worker does not understand "${String(type)}".` },
    };
  }
  const request = parsed.data;
  try {
    const handler = HANDLERS[request.type] as Handler<typeof request.type>;
    return { id: request.id, ok: true, value: await handler(request as never, runtime) };
  } catch (err) {
    return { id: request.id, ok: false, error: { code: 'Internal', message: (err as Error).message } };
  }
}
