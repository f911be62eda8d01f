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
 * (up to 32 MiB), after which ONNX Runtime's per-run activation buffers (hundreds of KiB, more
 * when the wake-word embedding catches up in a batch) come from the heap and fragment it. A fixed
 * 128 KiB threshold keeps them in mmap, returned on free. Measured on the built worker with 3
 * wake words + VAD streaming speech: peak RSS 130 → 111 MiB, for ~13 % more CPU while speech is
 * present (page faults; 512 KiB: 113 MiB and ~5 %). `npm run bench` compares both every run.
 */
export const WORKER_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };

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
