import { MessageChannelMain, utilityProcess } from 'electron';
import { join } from 'node:path';
import { WORKER_V8_FLAGS, workerProcessEnv, type WorkerLauncher } from '../../inference/worker-launcher';

/**
 * The inference worker as an Electron utility process. Main and the worker talk over a
 * `MessageChannelMain` port handed to the child at start; a native crash in ONNX Runtime ends
 * only this process, and the worker client restarts it.
 */
export function utilityWorkerLauncher(): WorkerLauncher {
  return () => {
    const child = utilityProcess.fork(join(import.meta.dirname, 'worker.js'), [], {
      serviceName: 'Earshot inference',
      execArgv: WORKER_V8_FLAGS,
      env: workerProcessEnv(),
    });
    const { port1, port2 } = new MessageChannelMain();
    child.postMessage({ type: 'connect' }, [port2]);
    port1.start();
    return {
      get pid() {
        return child.pid;
      },
      channel: {
        post: (message) => port1.postMessage(message),
        onMessage: (handler) => {
          const listener = (event: Electron.MessageEvent): void => handler(event.data);
          port1.on('message', listener);
          return () => port1.off('message', listener);
        },
      },
      onExit: (handler) => {
        child.once('exit', (code) => {
          port1.close();
          handler(code, null);
        });
      },
      kill: () => void child.kill(),
    };
  };
}
