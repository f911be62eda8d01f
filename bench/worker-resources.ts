import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preciseNow } from '../src/main/audio/capture-base';
import { FrameSender } from '../src/main/inference/frame-sender';
import { WorkerClient } from '../src/main/inference/worker-client';
import { nodeWorkerLauncher, WORKER_ENV } from '../src/main/inference/worker-launcher';
import { createLogger } from '../src/main/log';
import { FRAME_SAMPLES } from '../src/shared/audio';
import { PRESETS } from '../src/shared/profiles';
import { SHARED_AUDIO } from '../tests/support/shared-audio';
import { decodeWavFile } from '../src/main/audio/wav';

const SILENCE_SECONDS = 60;
/** jfk.wav three times over: the heads, the VAD and a catch-up after each pause all run. */
const SPEECH_REPEATS = 3;
/** Frames go out at 4× real time: the worker keeps up (~4 ms a frame) and the run stays short. */
const SPEECH_FRAME_MS = 20;
const TARGET_MB = 120;

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

const mb = (mib: number): string => `${mib.toFixed(0)} MiB (${(mib * 1.048576).toFixed(0)} MB)`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Sends frames through the worker's flow control at a fixed pace; returns the peak RSS seen. */
async function stream(client: WorkerClient, frames: Float32Array[], frameMs: number): Promise<number> {
  const pid = client.pid!;
  const sender = new FrameSender({ post: (m) => client.notify(m), onMessage: (h) => client.onEvent(h) });
  let peak = rssMiB(pid);
  const started = performance.now();
  for (const [seq, frame] of frames.entries()) {
    sender.push(frame, seq, preciseNow());
    peak = Math.max(peak, rssMiB(pid));
    await sleep(started + (seq + 1) * frameMs - performance.now());
  }
  await sleep(500);
  sender.dispose();
  return Math.max(peak, rssMiB(pid));
}

interface Measured {
  bare: number;
  loaded: number;
  peak: number;
  settled: number;
  speechCpuS: number;
  idleCpuS?: number;
  silenceCpuS?: number;
}

/** One worker from start to shutdown: memory at each stage, CPU on speech and (optionally) on silence. */
async function measureWorker(
  entry: string,
  env: Readonly<Record<string, string>>,
  speech: Float32Array[],
  withSilence: boolean,
): Promise<Measured> {
  const client = new WorkerClient(
    nodeWorkerLauncher({ entry, execArgv: [] }, env),
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
    const cpuBefore = cpuSeconds(pid);
    const peak = await stream(client, speech, SPEECH_FRAME_MS);
    const speechCpuS = cpuSeconds(pid) - cpuBefore;
    const settled = rssMiB(pid);
    if (!withSilence) return { bare, loaded, peak, settled, speechCpuS };

    const idleStart = cpuSeconds(pid);
    await sleep(SILENCE_SECONDS * 1000);
    const idleCpuS = cpuSeconds(pid) - idleStart;
    // Digital silence, as a muted microphone gives, at real-time pace.
    const silence = Array.from({ length: (SILENCE_SECONDS * 1000) / 80 }, () => new Float32Array(FRAME_SAMPLES));
    const silenceStart = cpuSeconds(pid);
    await stream(client, silence, 80);
    const silenceCpuS = cpuSeconds(pid) - silenceStart;
    return { bare, loaded, peak, settled, speechCpuS, idleCpuS, silenceCpuS };
  } finally {
    await client.shutdown();
  }
}

/**
 * The built worker listening with wake words and VAD loaded. Memory (target ≤ 120 MB) is read
 * after start, after loading and at its peak while speech streams through, for the worker's
 * allocator setting (`WORKER_ENV`) against glibc's defaults in the same run. CPU on a minute of
 * real-time silence with gating (target ≤ 1 % of one core) is compared with the same worker idle.
 */
export const workerResourcesBench = {
  name: `Inference worker: memory with wake + VAD models, CPU on speech and on ${SILENCE_SECONDS} s of silence`,
  async run(): Promise<string[]> {
    // The built bundle, as the app runs it (the TypeScript source under tsx carries the compiler too).
    const built = join(import.meta.dirname, '..', 'out', 'main', 'worker.js');
    if (!existsSync(built)) return ['skipped: run `npm run build` first (this measures the built worker)'];
    const jfk = (await decodeWavFile(SHARED_AUDIO.jfk)).samples;
    const speech: Float32Array[] = [];
    for (let r = 0; r < SPEECH_REPEATS; r++)
      for (let i = 0; i + FRAME_SAMPLES <= jfk.length; i += FRAME_SAMPLES) speech.push(jfk.slice(i, i + FRAME_SAMPLES));
    const speechS = (speech.length * 80) / 1000;

    const defaults = await measureWorker(built, {}, speech, false);
    const tuned = await measureWorker(built, WORKER_ENV, speech, true);
    const pct = (cpu: number, seconds: number): string => `${((cpu / seconds) * 100).toFixed(2)} % of one core`;
    const describe = (m: Measured): string =>
      `started ${mb(m.bare)}, loaded ${mb(m.loaded)}, peak while streaming ${mb(m.peak)}, after ${mb(m.settled)}; ` +
      `CPU on speech ${pct(m.speechCpuS, speechS)}`;
    const peakMb = tuned.peak * 1.048576;
    return [
      `3 wake words + VAD, Balanced settings, gated; ${speechS.toFixed(0)} s of speech (jfk.wav ×${SPEECH_REPEATS}) at ${80 / SPEECH_FRAME_MS}× real time`,
      `  glibc defaults:        ${describe(defaults)}`,
      `  worker's WORKER_ENV:   ${describe(tuned)}`,
      `  peak RSS ${peakMb.toFixed(0)} MB (target ≤ ${TARGET_MB} MB: ${peakMb <= TARGET_MB ? 'met' : 'missed'}); ` +
        `WORKER_ENV / defaults: peak ${(tuned.peak / defaults.peak).toFixed(3)}×, CPU on speech ${(tuned.speechCpuS / defaults.speechCpuS).toFixed(3)}×`,
      `worker CPU idle (baseline): ${pct(tuned.idleCpuS!, SILENCE_SECONDS)}`,
      `worker CPU listening to silence (gated): ${pct(tuned.silenceCpuS!, SILENCE_SECONDS)} (target ≤ 1 %); ` +
        `listening / idle: ${(tuned.silenceCpuS! / Math.max(tuned.idleCpuS!, 0.01)).toFixed(1)}×`,
    ];
  },
};
