import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** An X11 session, as clipboardy decides it: Linux, a display, and no Wayland. */
export function isX11Session(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  return platform === 'linux' && Boolean(env.DISPLAY) && !env.WAYLAND_DISPLAY && env.XDG_SESSION_TYPE !== 'wayland';
}

/** clipboardy's own xsel build, for desktops without xsel installed (the same fallback clipboardy uses). */
function bundledXsel(): string {
  return join(dirname(createRequire(import.meta.url).resolve('clipboardy')), 'fallbacks', 'linux', 'xsel');
}

/**
 * Copies text to the X11 clipboard with xsel, which forks to keep serving the selection after
 * it returns. Its log (errors of that background copy) goes to `logDir`, never the user's home.
 */
export class XselClipboard {
  constructor(private readonly logDir: string) {}

  async writeText(text: string): Promise<void> {
    await mkdir(this.logDir, { recursive: true });
    const args = ['--clipboard', '--input', '--logfile', join(this.logDir, 'xsel.log')];
    try {
      await runWithInput('xsel', args, text);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await runWithInput(bundledXsel(), args, text);
    }
  }
}

function runWithInput(command: string, args: readonly string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 10_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const detail = stderr.trim().split('\n')[0];
      reject(detail ? Object.assign(new Error(detail), { code: error.code }) : error);
    });
    child.stdin?.on('error', () => undefined); // an xsel that failed to start closes its stdin: the callback reports why
    child.stdin?.end(input);
  });
}
