import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A real X client on a test display: its window (with the keyboard focus) and what it printed when it exits. */
export interface XApp {
  window: string;
  /** Its stdout once it has exited. */
  output: Promise<string>;
  stop(): void;
}

/** Runs xdotool on `display`. */
export async function xdotool(display: string, ...args: string[]): Promise<string> {
  return (await run('xdotool', args, { env: { ...process.env, DISPLAY: display } })).stdout;
}

/** The clipboard's formats (TARGETS) and its content in one of them; null content: empty clipboard. */
export async function readClipboard(
  display: string,
  target = 'UTF8_STRING',
): Promise<{ targets: string[]; text: string } | null> {
  const env = { ...process.env, DISPLAY: display };
  try {
    const targets = (await run('xclip', ['-selection', 'clipboard', '-o', '-t', 'TARGETS'], { env })).stdout;
    const text = (await run('xclip', ['-selection', 'clipboard', '-o', '-t', target], { env })).stdout;
    return { targets: targets.split('\n').filter(Boolean), text };
  } catch (error) {
    if (/not available/.test(String(error))) return null;
    throw error;
  }
}

/** Copies `content` to the clipboard as `target`, as another app's copy would (xclip keeps serving it). */
export function setClipboard(display: string, content: string, target = 'UTF8_STRING'): Promise<void> {
  return new Promise((resolve, reject) => {
    // xclip forks to serve the clipboard: its background copy must not hold pipes of ours open.
    const xclip = spawn('xclip', ['-selection', 'clipboard', '-i', '-t', target], {
      env: { ...process.env, DISPLAY: display },
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    xclip.once('error', reject);
    xclip.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`xclip exited with ${code}`))));
    xclip.stdin.end(content);
  });
}

/**
 * Starts an X client on `display`, waits for its window (found by WM_CLASS) and gives it the
 * keyboard focus, as a user's click would (a bare X server has no window manager to do it).
 */
export async function startXApp(display: string, command: string, args: string[], windowClass: string): Promise<XApp> {
  const child = spawn(command, args, { env: { ...process.env, DISPLAY: display }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const output = new Promise<string>((resolve) => child.on('close', () => resolve(stdout)));
  const env = { ...process.env, DISPLAY: display };
  const deadline = performance.now() + 15_000;
  for (;;) {
    const found = await run('xdotool', ['search', '--onlyvisible', '--class', windowClass], { env }).catch(() => ({
      stdout: '',
    }));
    // The last match is the top-level window (toolkits make a leader window first).
    const window = found.stdout.trim().split('\n').filter(Boolean).at(-1);
    if (window) {
      await run('xdotool', ['windowfocus', '--sync', window], { env });
      return { window, output, stop: () => child.kill() };
    }
    if (child.exitCode !== null || performance.now() > deadline)
      throw new Error(`${command} showed no window of class ${windowClass}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
