import { join } from 'node:path';
import { forkNodeWorker } from '../../src/main/inference/worker-channel';
import { ROOT } from './cli-process';

/** The real inference worker entry as a Node child process (TypeScript through tsx). */
export function startWorker(): ReturnType<typeof forkNodeWorker> & { ready(): Promise<void>; stop(): Promise<void> } {
  const worker = forkNodeWorker(join(ROOT, 'src/main/worker/index.ts'), ['--import', 'tsx']);
  return {
    ...worker,
    /** Resolves once the worker answers a ping (it compiles its TypeScript first). */
    ready: () =>
      new Promise((resolve) => {
        const off = worker.channel.onMessage((message) => {
          if ((message as { id?: unknown }).id === -1) {
            off();
            resolve();
          }
        });
        worker.channel.post({ type: 'ping', id: -1 });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
        worker.child.once('exit', () => resolve());
        worker.child.kill('SIGKILL');
      }),
  };
}
