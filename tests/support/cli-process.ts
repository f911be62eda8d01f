import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const TSX = createRequire(import.meta.url).resolve('tsx/cli');
const CLI = join(ROOT, 'src', 'main', 'host', 'cli', 'main.ts');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `earshot <args>` exactly as `npm run -s cli -- <args>` does, and waits for it. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  wrapper: readonly string[] = [],
): Promise<CliResult> {
  return collect(spawnCli(args, env, wrapper));
}

/** Runs a command line in the repository root (e.g. `npm run -s cli -- …` itself) and waits for it. */
export function runCommand(argv: readonly [string, ...string[]], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const [command, ...args] = argv;
  return collect(spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env } }));
}

function collect(child: ChildProcessWithoutNullStreams): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `wrapper` runs the CLI under another program (e.g. strace), which must run its trailing arguments as a command. */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  wrapper: readonly string[] = [],
): ChildProcessWithoutNullStreams {
  const [command, ...rest] = [...wrapper, process.execPath, TSX, CLI, ...args] as [string, ...string[]];
  return spawn(command, rest, { cwd: ROOT, env: { ...process.env, ...env } });
}

export interface RunningServe {
  url: string;
  port: number;
  settings: string;
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Starts `earshot serve --json` (with extra environment variables) and resolves with its first line once it is listening. */
export function startServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  wrapper: readonly string[] = [],
): Promise<RunningServe> {
  const child = spawnCli(['serve', '--json', ...args], env, wrapper);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      const ready = JSON.parse(line) as { url: string; port: number; settings: string };
      resolve({
        ...ready,
        child,
        stderr: () => stderr,
        stop: () => {
          // A tracer such as strace detaches on SIGTERM instead of passing it on: signal the CLI itself.
          if (wrapper.length === 0) child.kill('SIGTERM');
          else process.kill(firstChildPid(child.pid!), 'SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
  });
}

/** The first child of process `pid` (Linux only: /proc), e.g. the command a wrapper started. */
export function firstChildPid(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ');
  const first = Number(children[0]);
  if (!Number.isInteger(first) || first <= 0) throw new Error(`process ${pid} has no child to signal`);
  return first;
}
