import type { Worker } from 'node:worker_threads';
import { AppError } from '../../../shared/errors';
import { WORKER_RECENT_FRAMES, type MemoryFreed, type WorkerEvent } from '../../../shared/worker-protocol';
import type { AsrRequest, FromAsrThread, ToAsrThread } from './asr-thread-protocol';

type Frame = Omit<Extract<ToAsrThread, { kind: 'frame' }>, 'kind'>;

/**
 * The worker main thread's handle on its ASR thread (asr-thread.ts): requests go there and their
 * answers come back, and the thread's events go to `onEvent`. Live frames are passed on only
 * while an utterance is open, with its pre-roll from the last 2 s kept here when it starts:
 * between utterances the thread is not woken 12 times a second for nothing. The thread starts at
 * the first request that needs Whisper: a worker that only listens for the wake word never pays
 * for its V8 heap and modules (about 23 MiB). A thread that dies
 * takes its loaded models and live utterance with it: every request under way fails and
 * `onCrash` is called once (the worker exits, and main restarts it as after any crash).
 */
export class AsrThread {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextCall = 0;
  private dead: AppError | undefined;
  private disposing = false;
  private readonly recent: Frame[] = [];
  /** The live utterance the thread is recording, if any: frames go to the thread only meanwhile. */
  private openUtterance: number | undefined;
  private worker: Worker | undefined;

  constructor(
    /** Starts the thread on asr-thread.ts; called once, at the first request that needs it. */
    private readonly start: () => Worker,
    private readonly onEvent: (event: WorkerEvent) => void,
    private readonly onCrash: (error: AppError) => void,
  ) {}

  /** Whether the thread has been started (it is never started again after it ends). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  request(request: AsrRequest): Promise<unknown> {
    if (!this.worker && !this.dead) {
      // Nothing is loaded and no utterance is open before the thread exists: answered here.
      if (request.type === 'memory-pressure') return Promise.resolve(NOTHING_FREED);
      if (request.type === 'utterance-cancel') return Promise.resolve({ cancelled: true });
      try {
        this.worker = this.launch(); // before the pre-roll below is posted to it
      } catch (error) {
        // As if it had died at once (its script missing from the bundle, say): a crash of the worker.
        this.crashed(`The speech recognition thread could not start: ${(error as Error).message}`);
        return Promise.reject(this.dead);
      }
    }
    if (request.type === 'utterance-start') {
      // The pre-roll goes first: the frames kept here from where the utterance starts.
      if (this.openUtterance === undefined)
        for (const frame of this.recent) if (frame.seq >= request.fromSeq) this.post(frame);
      this.openUtterance = request.utterance;
    }
    const answer = this.call((call) => ({ kind: 'request', call, request }));
    if (request.type === 'utterance-start') answer.catch(() => this.closed(request.utterance));
    if (request.type === 'utterance-finish' || request.type === 'utterance-cancel') {
      const close = () => this.closed(request.utterance);
      answer.then(close, close);
    }
    return answer;
  }

  frame(samples: Float32Array, seq: number, voiced: boolean, captureTime: number): void {
    const frame = { samples, seq, voiced, captureTime };
    this.recent.push(frame);
    if (this.recent.length > WORKER_RECENT_FRAMES) this.recent.shift();
    if (this.openUtterance !== undefined) this.post(frame);
  }

  private post(frame: Frame): void {
    if (!this.dead) this.worker?.postMessage({ kind: 'frame', ...frame } satisfies ToAsrThread);
  }

  /** The utterance is over (unless another has started since): frames pause until the next. */
  private closed(utterance: number): void {
    if (this.openUtterance !== utterance) return;
    this.openUtterance = undefined;
    if (!this.dead) this.worker?.postMessage({ kind: 'frames-paused' } satisfies ToAsrThread);
  }

  /** Releases the models on the thread, then ends it. */
  async dispose(): Promise<void> {
    if (this.dead || !this.worker) return;
    await this.call((call) => ({ kind: 'dispose', call })).catch(() => undefined);
    this.disposing = true;
    await this.worker.terminate();
  }

  private call(message: (call: number) => ToAsrThread): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const call = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.pending.set(call, { resolve, reject });
      this.worker?.postMessage(message(call));
    });
  }

  private launch(): Worker {
    const worker = this.start();
    worker.on('message', (message: FromAsrThread) => this.receive(message));
    worker.on('error', (error) => this.crashed(`The speech recognition thread failed: ${error.message}`));
    worker.on('exit', (code) => {
      if (!this.disposing) this.crashed(`The speech recognition thread exited (code ${code}).`);
    });
    return worker;
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

const NOTHING_FREED: MemoryFreed = { encoderEntriesDropped: 0, modelsUnloaded: [], arenasReleased: [] };
