import { spawn } from 'node:child_process';
import { fstatSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { isatty, WriteStream } from 'node:tty';

/**
 * PortAudio (through naudiodon) prints diagnostics with C `printf`, straight to file
 * descriptor 1, which would corrupt `--json` output. Commands that open audio devices re-run
 * the CLI with the child's fd 1 joined to our stderr and our real stdout handed over as fd 3.
 * The child's `out()` writes to fd 3: machine output stays clean, native chatter goes to stderr.
 */
const STDOUT_FD_ENV = 'EARSHOT_STDOUT_FD';

/** In the re-run child: a writer for the real stdout; otherwise null. */
export function isolatedStdoutWriter(): ((text: string) => void) | null {
  const fd = Number(process.env[STDOUT_FD_ENV]);
  if (!Number.isInteger(fd) || fd < 3) return null;
  const stat = fstatSync(fd);
  if (stat.isFIFO() || stat.isSocket()) {
    const socket = new Socket({ fd, readable: false, writable: true });
    return (text) => void socket.write(text);
  }
  if (isatty(fd)) {
    const tty = new WriteStream(fd);
    return (text) => void tty.write(text);
  }
  return (text) => void writeSync(fd, text);
}

export function stdoutIsIsolated(): boolean {
  return process.env[STDOUT_FD_ENV] !== undefined;
}

/** Re-runs this very command line with stdout isolated; resolves with the child's exit code. */
export function rerunWithIsolatedStdout(): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: [0, 2, 2, 1],
    env: { ...process.env, [STDOUT_FD_ENV]: '3' },
  });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
