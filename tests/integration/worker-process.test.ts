// The inference worker entry as a real Node child process: handler table, unknown messages, shutdown.
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WorkerResponse } from '../../src/shared/worker-protocol';
import { ROOT } from '../support/cli-process';

describe('inference worker entry', () => {
  it('answers ping, rejects unknown messages with an error, and exits on shutdown', async () => {
    // The same entry Electron starts as a utility process, here under Node with tsx.
    const child = fork(join(ROOT, 'src/main/worker/index.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const replies: WorkerResponse[] = [];
    const next = () =>
      new Promise<WorkerResponse>((resolve) => child.once('message', (m) => resolve(m as WorkerResponse)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    child.send({ type: 'ping', id: 1 });
    replies.push(await next());
    child.send({ type: 'transcribe-everything', id: 2 });
    replies.push(await next());
    child.send({ type: 'shutdown', id: 3 });
    replies.push(await next());

    expect(replies[0]).toMatchObject({ id: 1, ok: true, value: { pid: child.pid, runtime: 'node-child' } });
    expect(replies[1]).toMatchObject({ id: 2, ok: false, error: { code: 'UnknownWorkerMessage' } });
    expect(replies[1]).toHaveProperty('error.message', expect.stringContaining('transcribe-everything'));
    expect(replies[2]).toMatchObject({ id: 3, ok: true });
    expect(await exited).toBe(0);
  });
});
