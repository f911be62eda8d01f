import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Processes that keep one core busy each, as a build or a video call does on a user's machine:
 * tests of real-time paths run beside them to show that nothing is lost under load.
 */
export function startBusyProcesses(count: number): { stop: () => Promise<void> } {
  const children: ChildProcess[] = Array.from({ length: count }, () =>
    spawn(process.execPath, ['-e', 'for (;;) Math.sqrt(Math.random());'], { stdio: 'ignore' }),
  );
  return {
    stop: async () => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}
