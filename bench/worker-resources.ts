import { readFileSync } from 'node:fs';
import { PRESETS } from '../src/shared/profiles';
import { FRAME_SAMPLES } from '../src/shared/audio';
import { preciseNow } from '../src/main/audio/capture-base';
import { FrameSender } from '../src/main/inference/frame-sender';
import { WorkerClient } from '../src/main/inference/worker-client';
import { nodeWorkerLauncher } from '../src/main/inference/worker-launcher';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../src/main/log';

const SILENCE_SECONDS = 60;

/** Resident memory of a process, from /proc (Linux). */
function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz)
}

/**
 * The worker listening with wake words and VAD loaded: its resident memory (target ≤ 120 MB),
 * and the CPU it uses on a minute of real-time silence with gating (target ≤ 1 % of one core),
 * against the same worker's idle CPU over an equal minute as the baseline.
 */
export const workerResourcesBench = {
  name: `Inference worker: memory with wake + VAD models, CPU on ${SILENCE_SECONDS} s of silence`,
  async run(): Promise<string[]> {
    // The built bundle, as the app runs it (the TypeScript source under tsx carries the compiler too).
    const built = join(import.meta.dirname, '..', 'out', 'main', 'worker.js');
    if (!existsSync(built)) return ['skipped: run `npm run build` first (this measures the built worker)'];
    const client = new WorkerClient(
      nodeWorkerLauncher({ entry: built, execArgv: [] }),
      createLogger('bench', () => undefined),
    );
    try {
      await client.start();
      const pid = client.pid!;
      const bare = rssMiB(pid);
      const balanced = PRESETS[0]!;
      await client.configure('listening', {
        type: 'configure-listening',
        keywords: ['hey_jarvis', 'alexa', 'hey_mycroft'],
        wake: balanced.wake,
        vad: balanced.vad,
        threads: { wake: 1, vad: 1 },
        gate: true,
      });
      const loaded = rssMiB(pid);

      const idleStart = cpuSeconds(pid);
      await new Promise((r) => setTimeout(r, SILENCE_SECONDS * 1000));
      const idle = cpuSeconds(pid) - idleStart;

      const sender = new FrameSender({ post: (m) => client.notify(m), onMessage: (h) => client.onEvent(h) });
      const silence = new Float32Array(FRAME_SAMPLES); // digital silence, as a muted microphone gives
      const listenStart = cpuSeconds(pid);
      const started = performance.now();
      for (let seq = 0; seq < (SILENCE_SECONDS * 1000) / 80; seq++) {
        sender.push(silence, seq, preciseNow());
        const due = started + (seq + 1) * 80;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      }
      const listening = cpuSeconds(pid) - listenStart;
      sender.dispose();
      const pct = (cpu: number): string => `${((cpu / SILENCE_SECONDS) * 100).toFixed(2)} % of one core`;
      return [
        `worker RSS: ${bare.toFixed(0)} MiB started, ${loaded.toFixed(0)} MiB (${(loaded * 1.048576).toFixed(0)} MB) with 3 wake words + VAD loaded (target ≤ 120 MB)`,
        `worker CPU idle (baseline): ${pct(idle)}`,
        `worker CPU listening to silence (gated): ${pct(listening)} (target ≤ 1 %); listening / idle: ${(listening / Math.max(idle, 0.01)).toFixed(1)}×`,
      ];
    } finally {
      await client.shutdown();
    }
  },
};
