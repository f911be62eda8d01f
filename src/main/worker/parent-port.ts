import type { Pong } from '../../shared/worker-protocol';

/** The channel to main, whichever way the worker was started. */
export interface ParentPort {
  runtime: Pong['runtime'];
  onMessage(handler: (message: unknown) => void): void;
  send(message: unknown): void;
  close(): void;
}

interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

export function connectToParent(): ParentPort {
  // Electron's utility process provides `process.parentPort`; it is absent under plain Node.
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      runtime: 'electron-utility',
      onMessage: (handler) => electronPort.on('message', (event) => handler(event.data)),
      send: (message) => electronPort.postMessage(message),
      close: () => process.exit(0),
    };
  }
  if (!process.send) throw new Error('the inference worker must be started by Earshot (no IPC channel)');
  return {
    runtime: 'node-child',
    onMessage: (handler) => process.on('message', handler),
    send: (message) => process.send?.(message),
    close: () => process.disconnect(),
  };
}
