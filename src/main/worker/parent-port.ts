import type { Pong } from '../../shared/worker-protocol';

/** The channel to main, whichever way the worker was started. */
export interface ParentPort {
  runtime: Pong['runtime'];
  onMessage(handler: (message: unknown) => void): void;
  send(message: unknown): void;
  close(): void;
}

interface MessagePortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
  start(): void;
}

interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: MessagePortLike[] }) => void): void;
}

export function connectToParent(): ParentPort {
  // Electron's utility process provides `process.parentPort`; it is absent under plain Node.
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) return viaMessagePort(electronPort);
  if (!process.send) throw new Error('the inference worker must be started by Earshot (no IPC channel)');
  return {
    runtime: 'node-child',
    onMessage: (handler) => process.on('message', handler),
    // After shutdown closed the channel, frames still in progress may emit: drop those events
    // rather than crash the exiting worker with ERR_IPC_CHANNEL_CLOSED.
    send: (message) => {
      if (process.connected) process.send?.(message);
    },
    close: () => process.disconnect(),
  };
}

/** In Electron, main hands over a MessageChannelMain port first; everything else travels on it. */
function viaMessagePort(parentPort: ElectronParentPort): ParentPort {
  let port: MessagePortLike | null = null;
  const early: unknown[] = [];
  const handlers: ((message: unknown) => void)[] = [];
  parentPort.on('message', (event) => {
    const handed = event.ports[0];
    if (port || !handed) return;
    port = handed;
    port.on('message', (e) => handlers.forEach((h) => h(e.data)));
    port.start();
    early.splice(0).forEach((m) => port?.postMessage(m));
  });
  return {
    runtime: 'electron-utility',
    onMessage: (handler) => void handlers.push(handler),
    send: (message) => (port ? port.postMessage(message) : early.push(message)),
    close: () => process.exit(0),
  };
}
