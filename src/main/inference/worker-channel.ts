import { fork, type ChildProcess } from 'node:child_process';

/** A message channel to the inference worker: a utility-process port in Electron, a child-process IPC channel headless. */
export interface WorkerChannel {
  /** Serialises synchronously (structured clone), so the caller may reuse buffers right after. */
  post(message: unknown): void;
  onMessage(handler: (message: unknown) => void): () => void;
}

/**
 * Starts the worker entry as a Node child process. `advanced` serialisation is structured
 * clone, so Float32Array frames cross as typed arrays instead of JSON number lists.
 */
export function forkNodeWorker(
  entry: string,
  execArgv: readonly string[] = [],
): { child: ChildProcess; channel: WorkerChannel } {
  const child = fork(entry, [], {
    serialization: 'advanced',
    execArgv: [...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    child,
    channel: {
      post: (message) => {
        if (child.connected) child.send(message as never);
      },
      onMessage: (handler) => {
        child.on('message', handler);
        return () => child.off('message', handler);
      },
    },
  };
}
