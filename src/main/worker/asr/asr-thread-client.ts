import type { Worker } from 'node:worker_threads';
import { AppError } from '../../../shared/errors';
import type { WorkerEvent } from '../../../shared/worker-protocol';
import { ASR_REQUESTS, type AsrRequest, type FromAsrThread, type ToAsrThread } from './asr-thread-protocol';

export function isAsrRequest(request: { type: string }): request is AsrRequest {
  return (ASR_REQUESTS as readonly string[]).includes(request.type);
}

/**
 * The worker main thread's handle on its ASR thread (asr-thread.ts): requests go there and their
 * answers come back, live frames are passed on, and the thread's events go to `onEvent`. A thread
 * that dies takes its loaded models and live utterance with it: every request under way fails
 * and `onCrash` is called once (the worker exits, and main restarts it as after any crash).
 */
export class AsrThread {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextCall = 0;
  private dead: AppError | undefined;
  private disposing = false;

  constructor(
    /** The thread, started on asr-thread.ts. */
    private readonly worker: Worker,
    private readonly onEvent: (event: WorkerEvent) => void,
    private readonly onCrash: (error: AppError) => void,
  ) {
    this.worker.on('message', (message: FromAsrThread) => this.receive(message));
    this.worker.on('error', (error) => this.crashed(`The speech recognition thread failed: ${error.message}`));
    this.worker.on('exit', (code) => {
      if (!this.disposing) this.crashed(`The speech recognition thread exited (code ${code}).`);
    });
  }

  request(request: AsrRequest): Promise<unknown> {
    return this.call((call) => ({ kind: 'request', call, request }));
  }

  frame(samples: Float32Array, seq: number, voiced: boolean, captureTime: number): void {
    if (!this.dead) this.worker.postMessage({ kind: 'frame', samples, seq, voiced, captureTime } satisfies ToAsrThread);
  }

  /** Releases the models on the thread, then ends it. */
  async dispose(): Promise<void> {
    if (this.dead) return;
    await this.call((call) => ({ kind: 'dispose', call })).catch(() => undefined);
    this.disposing = true;
    await this.worker.terminate();
  }

  private call(message: (call: number) => ToAsrThread): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const call = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.worker.postMessage(message(call));
    });
  }

  private receive(message: FromAsrThread): void {
    if (message.kind === 'event') {
      this.onEvent(message.event);
      return;
    }
    const waiting = this.pending.get(message.call);
    this.pending.delete(message.call);
    if (message.ok) waiting?.resolve(message.value);
    else waiting?.reject(new AppError(message.error.code, message.error.message));
  }

  private crashed(reason: string): void {
    if (this.dead) return;
    this.dead = new AppError('WorkerCrashed', reason);
    for (const waiting of this.pending.values()) waiting.reject(this.dead);
    this.pending.clear();
    this.onCrash(this.dead);
  }
}
