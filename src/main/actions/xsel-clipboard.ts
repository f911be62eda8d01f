import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runTool, ToolMissing } from './run-tool';

/** An X11 session, as clipboardy decides it: Linux, a display, and no Wayland. */
export function isX11Session(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  return platform === 'linux' && Boolean(env.DISPLAY) && !env.WAYLAND_DISPLAY && env.XDG_SESSION_TYPE !== 'wayland';
}

/** clipboardy's own xsel build, for desktops without xsel installed (the same fallback clipboardy uses). */
function bundledXsel(): string {
  return join(dirname(createRequire(import.meta.url).resolve('clipboardy')), 'fallbacks', 'linux', 'xsel');
}

/**
 * The X11 clipboard through xsel, which forks to keep serving the selection after it returns.
 * Its log (errors of that background copy) goes to `logDir`, never the user's home.
 */
export class XselClipboard {
  constructor(
    private readonly logDir: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async writeText(text: string): Promise<void> {
    await this.xsel(['--clipboard', '--input'], text);
  }

  /** Leaves the clipboard empty (owned by no one), as it was before a paste into an empty one. */
  async clear(): Promise<void> {
    await this.xsel(['--clipboard', '--clear']);
  }

  private async xsel(args: string[], input?: string): Promise<void> {
    await mkdir(this.logDir, { recursive: true });
    const all = [...args, '--logfile', join(this.logDir, 'xsel.log')];
    try {
      await runTool('xsel', all, { input, env: this.env });
    } catch (error) {
      if (!(error instanceof ToolMissing)) throw error;
      await runTool(bundledXsel(), all, { input, env: this.env });
    }
  }
}
