// The worker client against the real worker process: ids, timeouts, overload, crash, respawn with backoff, shutdown.
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerClient } from '../../src/main/inference/worker-client';
import {
  nodeWorkerLauncher,
  WORKER_ENV,
  WORKER_V8_FLAGS,
  type WorkerLauncher,
} from '../../src/main/inference/worker-launcher';
import { existsSync, readFileSync } from 'node:fs';
import { ONNX_RUNTIME_ENV } from '../../src/main/worker/models/onnx-runtime-env';
import { join } from 'node:path';
import { PRESETS } from '../../src/shared/profiles';
import { loadAudioFile } from '../../src/main/audio/audio-file';
import { ROOT } from '../support/cli-process';
import { memoryLog } from '../support/memory-log';
import { SHARED_AUDIO } from '../support/shared-audio';
import { asrSettingsFor } from '../../src/main/session/asr-settings';

const clients: WorkerClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown(500)));
});

/** The real launcher, with a record of when each worker started. */
function launcher(): { launch: WorkerLauncher; starts: number[] } {
  const starts: number[] = [];
  const real = nodeWorkerLauncher();
  return {
    starts,
    launch: () => {
      starts.push(performance.now());
      return real();
    },
  };
}

function client(options: ConstructorParameters<typeof WorkerClient>[2] = {}) {
  const { launch, starts } = launcher();
  const { log, lines } = memoryLog();
  const c = new WorkerClient(launch, log, { backoff: { initialMs: 200, maxMs: 2000 }, ...options });
  clients.push(c);
  return { client: c, starts, lines };
}

const signal = (c: WorkerClient, sig: NodeJS.Signals) => process.kill(c.pid!, sig);

describe('WorkerClient', () => {
  it('answers requests by id and turns worker errors into typed errors', async () => {
    const { client: c } = client();
    await c.start();
    const [a, b] = await Promise.all([c.request({ type: 'ping' }), c.request({ type: 'ping' })]);
    expect(a).toMatchObject({ pid: c.pid, runtime: 'node-child' });
    expect(b).toEqual(a);
    await expect(c.request({ type: 'transcribe-the-universe' } as never)).rejects.toMatchObject({
      code: 'UnknownWorkerMessage',
    });
  });

  it('starts the worker with its V8 flags and allocator setting (what keeps its memory in bounds)', async () => {
    const { client: c } = client();
    await c.start();
    const environ = readFileSync(`/proc/${c.pid}/environ`, 'utf8').split('\0');
    for (const [name, value] of Object.entries(WORKER_ENV)) expect(environ).toContain(`${name}=${value}`);
    const cmdline = readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').split('\0');
    for (const flag of WORKER_V8_FLAGS) expect(cmdline).toContain(flag);
  });

  it("starts the worker with ONNX Runtime's telemetry off, even when the user's environment turns it on", async () => {
    const userEnv = { ORT_DISABLE_TELEMETRY: '0', ORT_TELEMETRY_DISABLED: 'false' };
    const inherited = Object.fromEntries(Object.keys(userEnv).map((name) => [name, process.env[name]]));
    Object.assign(process.env, userEnv);
    try {
      // A launcher given its own environment (as the memory bench does) cannot drop the switch either.
      const c = new WorkerClient(nodeWorkerLauncher(undefined, {}), memoryLog().log);
      clients.push(c);
      await c.start();
      const environ = readFileSync(`/proc/${c.pid}/environ`, 'utf8').split('\0');
      for (const [name, value] of Object.entries(ONNX_RUNTIME_ENV)) expect(environ).toContain(`${name}=${value}`);
    } finally {
      for (const [name, value] of Object.entries(inherited)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('times out a request the worker does not answer', async () => {
    const { client: c } = client();
    await c.start();
    signal(c, 'SIGSTOP');
    try {
      await expect(c.request({ type: 'ping' }, 300)).rejects.toMatchObject({ code: 'WorkerTimeout' });
    } finally {
      signal(c, 'SIGCONT');
    }
    await expect(c.request({ type: 'ping' })).resolves.toMatchObject({ pid: c.pid });
  });

  it('refuses more than maxPending requests at once with WorkerOverloaded', async () => {
    const { client: c } = client({ maxPending: 2 });
    await c.start();
    signal(c, 'SIGSTOP');
    const first = c.request({ type: 'ping' });
    const second = c.request({ type: 'ping' });
    await new Promise((r) => setTimeout(r, 20));
    await expect(c.request({ type: 'ping' })).rejects.toMatchObject({ code: 'WorkerOverloaded' });
    signal(c, 'SIGCONT');
    await expect(Promise.all([first, second])).resolves.toHaveLength(2);
  });

  it('rejects what was pending when the worker is killed, respawns with backoff, and replays its state', async () => {
    const { client: c, starts, lines } = client();
    await c.start();
    await c.configure('profile', { type: 'ping' }); // a state request: replayed after each respawn
    const restarts: number[] = [];
    c.onRestart(({ attempt }) => restarts.push(attempt));
    const firstPid = c.pid;

    signal(c, 'SIGSTOP'); // keep a request pending, then kill -9
    const pending = c.request({ type: 'ping' });
    signal(c, 'SIGKILL');
    await expect(pending).rejects.toMatchObject({
      code: 'WorkerCrashed',
      message: expect.stringContaining('SIGKILL') as unknown,
    });

    // A request during the backoff waits for the respawn instead of failing.
    await expect(c.request({ type: 'ping' })).resolves.toMatchObject({ runtime: 'node-child' });
    expect(c.pid).not.toBe(firstPid);
    expect(restarts).toEqual([1]);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(200);
    expect(lines.some((l) => l.includes('restarting in 200 ms (attempt 1)'))).toBe(true);

    signal(c, 'SIGKILL'); // the next crash waits twice as long
    await expect.poll(() => restarts.length, { timeout: 5000 }).toBe(2);
    expect(lines.some((l) => l.includes('restarting in 400 ms (attempt 2)'))).toBe(true);
  });

  it('runs the built worker bundle the desktop app ships (out/main/worker.js, from `npm run build`)', async () => {
    const bundle = join(ROOT, 'out', 'main', 'worker.js');
    expect(existsSync(bundle), 'run `npm run build` first (npm test does)').toBe(true);
    const c = new WorkerClient(nodeWorkerLauncher({ entry: bundle, execArgv: [] }), memoryLog().log);
    clients.push(c);
    await expect(c.request({ type: 'ping' })).resolves.toMatchObject({ runtime: 'node-child' });
    const samples = await loadAudioFile(SHARED_AUDIO.alexa);
    const scan = (await c.request({
      type: 'wake-scan',
      samples,
      keywords: ['alexa'],
      wake: PRESETS[0]!.wake,
      threads: 1,
    })) as {
      detections: { keyword: string }[];
    };
    expect(scan.detections.map((d) => d.keyword)).toEqual(['alexa']);
    // Whisper runs on the bundle's ASR thread (asr-thread.js beside worker.js).
    const jfk = await loadAudioFile(SHARED_AUDIO.jfk);
    const transcript = (await c.request({
      type: 'transcribe',
      samples: jfk,
      ...asrSettingsFor(PRESETS[0]!, '/nonexistent/earshot-models', { language: 'en' }),
    })) as { text: string };
    expect(transcript.text).toMatch(/ask not what your country can do for you/i);
  }, 30_000);

  it('shuts the worker down gracefully and refuses requests afterwards', async () => {
    const { client: c } = client();
    await c.start();
    const pid = c.pid!;
    await c.shutdown();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(c.request({ type: 'ping' })).rejects.toMatchObject({ code: 'WorkerCrashed' });
  });
});
