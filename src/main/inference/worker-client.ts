import { AppError } from '../../shared/errors';
import { WorkerResponseSchema, type WorkerRequest } from '../../shared/worker-protocol';
import type { Logger } from '../log';
import type { WorkerLauncher, WorkerProcess } from './worker-launcher';

/** Any worker request without its id (the client assigns ids). Distributes over the union. */
export type RequestOf<R = WorkerRequest> = R extends WorkerRequest ? Omit<R, 'id'> : never;

export interface WorkerClientOptions {
  /** A request not answered in this time fails with `WorkerTimeout` (per request overridable). */
  requestTimeoutMs?: number;
  /** More requests than this in flight fail at once with `WorkerOverloaded`. */
  maxPending?: number;
  /** Respawn delay after a crash: doubles from `initialMs` up to `maxMs`; resets after a stable minute. */
  backoff?: { initialMs: number; maxMs: number };
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: AppError): void;
  timer: NodeJS.Timeout;
  type: string;
}

const STABLE_MS = 60_000;

/**
 * Main's side of the inference worker: request ids, a pending map with per-request timeouts,
 * a cap on what may be in flight, typed errors, crash detection, and respawn with capped
 * backoff that replays the worker's state (loaded models, keywords, profile) before anything
 * else is sent. Everything pending when the worker dies is rejected with `WorkerCrashed`.
 */
export class WorkerClient {
  private process: WorkerProcess | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly eventHandlers = new Set<(event: unknown) => void>();
  private readonly restartHandlers = new Set<(info: { attempt: number; reason: string }) => void>();
  /** Requests that rebuild the worker's state after a respawn, in order, by key. */
  private readonly state = new Map<string, RequestOf>();
  private nextId = 1;
  private crashes = 0;
  private startedAt = 0;
  private ready: Promise<void> | null = null;
  private stopping = false;
  private respawnTimer: NodeJS.Timeout | null = null;
  private respawning: { promise: Promise<void>; resolve(): void; reject(err: unknown): void } | null = null;
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(
    private readonly launch: WorkerLauncher,
    private readonly log: Logger,
    options: WorkerClientOptions = {},
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? 15_000;
    this.maxPending = options.maxPending ?? 64;
    this.backoff = options.backoff ?? { initialMs: 250, maxMs: 10_000 };
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  /** Starts the worker (idempotent) and resolves once it answers and its state is restored. */
  start(): Promise<void> {
    this.stopping = false;
    // During a crash's backoff, callers wait for the scheduled respawn instead of forcing one.
    if (this.respawning) return this.respawning.promise;
    this.ready ??= this.spawn().catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  async request(request: RequestOf, timeoutMs = this.timeoutMs): Promise<unknown> {
    if (this.stopping) throw new AppError('WorkerCrashed', 'The inference worker is shutting down.');
    await this.start();
    return this.send(request, timeoutMs);
  }

  /**
   * A request whose effect must survive a respawn (loading models, choosing keywords, the
   * profile): sent now and replayed, under `key`, whenever a new worker starts.
   */
  async configure(key: string, request: RequestOf): Promise<unknown> {
    this.state.set(key, request);
    return this.request(request);
  }

  /** Fire-and-forget messages (audio frames); dropped while no worker runs. */
  notify(message: unknown): void {
    this.process?.channel.post(message);
  }

  onEvent(handler: (event: unknown) => void): () => void {
    this.eventHandlers.add(handler);
    return () => this.eventHandlers.delete(handler);
  }

  onRestart(handler: (info: { attempt: number; reason: string }) => void): () => void {
    this.restartHandlers.add(handler);
    return () => this.restartHandlers.delete(handler);
  }

  /** Asks the worker to exit, and kills it if it has not within `graceMs`. */
  async shutdown(graceMs = 2000): Promise<void> {
    this.stopping = true;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.respawning?.reject(new AppError('WorkerCrashed', 'The inference worker was shut down.'));
    this.respawning = null;
    const worker = this.process;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.onExit(() => resolve()));
    worker.channel.post({ type: 'shutdown', id: 0 });
    const timer = setTimeout(() => worker.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private async spawn(): Promise<void> {
    const worker = this.launch();
    this.process = worker;
    this.startedAt = Date.now();
    worker.channel.onMessage((message) => this.receive(message));
    worker.onExit((code, signal) => this.exited(worker, code, signal));
    await this.send({ type: 'ping' }, this.timeoutMs);
    for (const request of this.state.values()) await this.send(request, this.timeoutMs);
  }

  private send(request: RequestOf, timeoutMs: number): Promise<unknown> {
    const worker = this.process;
    if (!worker) return Promise.reject(new AppError('WorkerCrashed', 'The inference worker is not running.'));
    if (this.pending.size >= this.maxPending) {
      return Promise.reject(
        new AppError(
          'WorkerOverloaded',
          `The inference worker has ${this.pending.size} requests waiting; try again shortly.`,
        ),
      );
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new AppError(
            'WorkerTimeout',
            `The inference worker did not answer "${request.type}" within ${timeoutMs} ms.`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, type: request.type });
      worker.channel.post({ ...request, id });
    });
  }

  private receive(message: unknown): void {
    const response = WorkerResponseSchema.safeParse(message);
    if (response.success && response.data.id !== null) {
      const pending = this.pending.get(response.data.id);
      if (!pending) return; // timed out already
      this.pending.delete(response.data.id);
      clearTimeout(pending.timer);
      if (response.data.ok) pending.resolve(response.data.value);
      else pending.reject(new AppError(response.data.error.code, response.data.error.message));
      return;
    }
    for (const handler of this.eventHandlers) handler(message);
  }

  private exited(worker: WorkerProcess, code: number | null, signal: string | null): void {
    if (this.process !== worker) return;
    this.process = null;
    this.ready = null;
    const reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const crashed = new AppError(
      'WorkerCrashed',
      `The inference worker stopped (${reason}); Earshot is restarting it.`,
    );
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(crashed);
      this.pending.delete(id);
    }
    if (this.stopping) return;
    if (Date.now() - this.startedAt > STABLE_MS) this.crashes = 0;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.crashes);
    this.crashes++;
    this.log.warn(`inference worker ${reason}; restarting in ${delay} ms (attempt ${this.crashes})`);
    const attempt = this.crashes;
    let settle!: { resolve(): void; reject(err: unknown): void };
    const promise = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    promise.catch(() => undefined); // callers that wait handle it; nobody waiting is fine
    this.respawning = { promise, ...settle };
    this.respawnTimer = setTimeout(() => {
      this.respawnTimer = null;
      const waiting = this.respawning;
      this.respawning = null;
      this.start().then(
        () => {
          waiting?.resolve();
          this.restartHandlers.forEach((h) => h({ attempt, reason }));
        },
        (err: unknown) => {
          waiting?.reject(err);
          this.log.error('inference worker failed to restart', err);
        },
      );
    }, delay);
  }
}
