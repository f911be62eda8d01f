import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ONNX_RUNTIME_ENV } from '../worker/models/onnx-runtime-env';
import type { WorkerChannel } from './worker-channel';

/** One running worker process, whichever way it was started. */
export interface WorkerProcess {
  readonly pid: number | undefined;
  readonly channel: WorkerChannel;
  /** Called once when the process is gone, for any reason. */
  onExit(handler: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

/**
 * V8 flags for the worker. A 1 MiB young generation: the worker preallocates its buffers, so
 * little is short-lived, and the default 16 MiB semi-spaces only cost resident memory
 * (measured on the built worker with 3 wake words + VAD: 125 → 112 MiB RSS). `--expose-gc`: a
 * Whisper load reads and edits ~100 MB of model bytes that V8 would otherwise keep until some
 * later allocation pressure; collecting once after the load takes a tiny-loaded worker from
 * ~345 to ~215 MiB.
 */
export const WORKER_V8_FLAGS = ['--max-semi-space-size=1', '--expose-gc'];

/**
 * Environment for the worker. glibc raises its mmap threshold each time a large block is freed
 * (up to 32 MiB), after which ONNX Runtime's per-run buffers come from the heap and fragment it.
 * A fixed threshold keeps the large ones in mmap, returned on free. 2 MiB, not the 128 KiB it
 * was: below it, the outputs of Whisper's first decoder run of every pass (each layer's
 * cross-attention keys and values, ~0.8 MiB each, and the logits) were mapped anew and
 * page-faulted each time, which made that run 3× slower (tiny, 11 s window: 40–60 ms against
 * 11–20 ms) and live push-to-talk finals p50 118 → 108 ms, p95 319 → 194 ms (`bench -- live
 * push`, same machine, one run each). Its price: the wake + VAD worker's peak RSS 134 → 142 MiB
 * (glibc defaults: 153). `npm run bench` compares it with the defaults every run.
 */
export const WORKER_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '2097152' };

/**
 * The whole environment of a worker process: ours, then `env` (WORKER_ENV, or a benchmark's
 * variant), then ONNX Runtime's telemetry switch last, so that nothing can turn it back on.
 */
export function workerProcessEnv(env: Readonly<Record<string, string>> = WORKER_ENV): NodeJS.ProcessEnv {
  return { ...process.env, ...env, ...ONNX_RUNTIME_ENV };
}

/** Starts worker processes: a Node child process headless, an Electron utility process in the app. */
export type WorkerLauncher = () => WorkerProcess;

/**
 * The worker entry next to this code: the TypeScript source under tsx (CLI, tests), or the
 * bundled `worker.js` beside the built main process.
 */
export function workerEntry(): { entry: string; execArgv: string[] } {
  const source = join(import.meta.dirname, '..', 'worker', 'index.ts');
  if (import.meta.url.endsWith('.ts') && existsSync(source)) return { entry: source, execArgv: ['--import', 'tsx'] };
  return { entry: join(import.meta.dirname, 'worker.js'), execArgv: [] };
}

/** A Node child process; `advanced` serialisation carries Float32Array frames as typed arrays. */
export function nodeWorkerLauncher(
  entry = workerEntry(),
  env: Readonly<Record<string, string>> = WORKER_ENV,
): WorkerLauncher {
  return () => {
    const child = fork(entry.entry, [], {
      serialization: 'advanced',
      execArgv: [...WORKER_V8_FLAGS, ...entry.execArgv],
      env: workerProcessEnv(env),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return {
      pid: child.pid,
      channel: {
        post: (message) => {
          if (child.connected) child.send(message as never);
        },
        onMessage: (handler) => {
          child.on('message', handler);
          return () => child.off('message', handler);
        },
      },
      onExit: (handler) => child.once('exit', handler),
      kill: () => void child.kill('SIGKILL'),
    };
  };
}
