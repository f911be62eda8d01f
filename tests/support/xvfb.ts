import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/** A throwaway X server: Xvfb on a free display that it picks itself (-displayfd), ready when this resolves. */
export function startXvfb(): Promise<{ display: string; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '640x480x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    xvfb.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((done) => xvfb.once('close', () => done()));
    // Killing the server also ends the xsel that owns the selection (X clipboards live in their owner).
    const stop = async (): Promise<void> => {
      if (xvfb.exitCode === null && xvfb.signalCode === null) xvfb.kill('SIGTERM');
      await exited;
    };
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`Xvfb did not start within 15 s: ${stderr}`));
    }, 15_000);
    xvfb.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        err.code === 'ENOENT'
          ? new Error(
              'Xvfb is not installed; the clipboard test needs an X display. Install it with: sudo apt-get install xvfb',
            )
          : err,
      );
    });
    let announced = '';
    (xvfb.stdio[3] as Readable).on('data', (d: Buffer) => {
      announced += d.toString();
      const display = /^(\d+)\n/.exec(announced)?.[1];
      if (display === undefined) return;
      clearTimeout(timer);
      resolve({ display: `:${display}`, stop });
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited before it was ready: ${stderr}`));
    });
  });
}
