import { nodeWorkerLauncher, workerEntry, type WorkerProcess } from '../../src/main/inference/worker-launcher';

/** The real inference worker entry as a Node child process (TypeScript through tsx). */
export function startWorker(): WorkerProcess & { ready(): Promise<void>; stop(): Promise<void> } {
  const worker = nodeWorkerLauncher(workerEntry())();
  let exited = false;
  worker.onExit(() => (exited = true));
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
        if (exited) return resolve();
        worker.onExit(() => resolve());
        worker.kill();
      }),
  };
}
