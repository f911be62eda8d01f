import { execFile, spawn } from 'node:child_process';

export interface ToolRun {
  /** Written to the tool's stdin (then closed). */
  input?: string | Buffer;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** A desktop tool that is not installed: the message says which package to add. */
export class ToolMissing extends Error {
  constructor(readonly tool: string) {
    super(`${tool} is not installed`);
  }
}

/** A command's action that failed, with a sentence the user reads as is. */
export class ActionFailed extends Error {}

/**
 * Runs a desktop tool (xdotool, xclip, wtype, …) without a shell: every argument reaches it as
 * given. Resolves with its stdout as bytes (a clipboard may hold an image); a failure carries the
 * first line of its stderr, and a tool that is not installed is a ToolMissing.
 */
export function runTool(command: string, args: readonly string[], options: ToolRun = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        encoding: 'buffer',
        timeout: options.timeoutMs ?? 10_000,
        maxBuffer: 64 * 1024 * 1024,
        env: options.env ?? process.env,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return reject(new ToolMissing(command));
        const detail = stderr.toString().trim().split('\n')[0];
        reject(detail ? Object.assign(new Error(detail), { code: error.code }) : error);
      },
    );
    // A tool that failed to start closes its stdin: the callback above says why.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input);
  });
}

/**
 * Runs a tool that forks to keep serving in the background (xclip owning the clipboard): the
 * background copy would hold stdout and stderr open for as long as it runs, so they are not
 * captured, and this resolves when the foreground process exits.
 */
export function runForkingTool(command: string, args: readonly string[], options: ToolRun = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'ignore', 'ignore'] });
    const timer = setTimeout(() => child.kill(), options.timeoutMs ?? 10_000);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(error.code === 'ENOENT' ? new ToolMissing(command) : error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${signal ? `was stopped (${signal})` : `exited with code ${code}`}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  });
}
