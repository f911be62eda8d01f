import { createInterface } from 'node:readline';
import { spawnCli } from './cli-process';

export interface ListenEvent {
  type: string;
  [key: string]: unknown;
}

/** Runs `earshot listen --json` until it exits; `onEvent` may write to its stdin or interrupt it (Ctrl-C). */
export function listenJson(
  args: string[],
  env: NodeJS.ProcessEnv,
  onEvent?: (e: ListenEvent, stdin: NodeJS.WritableStream, interrupt: () => void) => void,
) {
  const child = spawnCli(['listen', '--json', ...args], env);
  const events: ListenEvent[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as ListenEvent;
    events.push(event);
    onEvent?.(event, child.stdin, () => child.kill('SIGINT'));
  });
  return new Promise<{ code: number | null; events: ListenEvent[]; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, events, stderr })),
  );
}
