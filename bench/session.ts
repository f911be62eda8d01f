// Voice sessions end to end: push-to-talk release → final text, wake word → recording start,
// CPU while armed on silence, and memory over 200 utterances. The session runs as the apps run
// it (SessionService over the audio engine, the built worker and the history); the microphone
// is a generated WAV played in real time.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preciseNow } from '../src/main/audio/capture-base';
import { writeWavFile } from '../src/main/audio/wav';
import { WavFileInput, type WavEnd } from '../src/main/audio/wav-file-input';
import { HistoryStore } from '../src/main/history/history-store';
import { createCoreServices, type CoreServices } from '../src/main/host/services';
import { nodeWorkerLauncher } from '../src/main/inference/worker-launcher';
import { createLogger } from '../src/main/log';
import { asrSettingsFor } from '../src/main/session/asr-settings';
import { SessionService, type SessionUpdate } from '../src/main/session/session-service';
import { userModelsDir } from '../src/main/settings/config-dir';
import { JsonFileSettingsBackend } from '../src/main/settings/json-file-backend';
import { FRAME_MS } from '../src/shared/audio';
import type { FinalTranscript } from '../src/shared/session';
import { TranscriptResultSchema } from '../src/shared/worker-protocol';
import { SpeechGenerator, type SpeechPart } from '../tests/support/tts-speech';
import { wordErrorRate } from '../tests/support/wer';
import { percentile } from './stats';
import { NO_DESKTOP } from '../src/main/actions/desktop';
import { TextOutput } from '../src/main/actions/text-output';

const BUILT_WORKER = join(import.meta.dirname, '..', 'out', 'main', 'worker.js');
const TARGETS = {
  releaseP95Ms: 300,
  endOfSpeechP95Ms: 300,
  wakeToRecordingMs: 100,
  armedCpuPercent: 3,
  growthMbPerUtterance: 0.5,
};
const VOICE = 'flite-slt';
const COMMANDS = [
  'turn on the lights in the kitchen',
  'set an alarm for tomorrow morning',
  'what is the weather like this weekend',
  'play some music in the living room',
  'remind me to call my mother tonight',
  'open the garage door please',
  'add eggs and milk to my shopping list',
  'lower the volume a little',
  'start the vacuum cleaner now',
  'read my new messages',
];
/** Commands per push-to-talk utterance: 2 to 10 seconds each. */
const GROUPS = [1, 2, 3, 4, 1, 2, 3, 4, 2, 3];
/** Users press a little before speaking and let go a little after. */
const PRESS_LEAD_S = 0.25;
const RELEASE_LAG_S = 0.25;
const MEMORY_UTTERANCES = 200;
const MEMORY_WARMUP = 20;
const ARMED_SECONDS = 30;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Rig {
  core: CoreServices;
  session: SessionService;
  history: HistoryStore;
  updates: SessionUpdate[];
  dispose(): Promise<void>;
}

/** The session as the apps compose it, over a WAV microphone and the built worker, in a temp folder. */
async function rig(dir: string, wav: string, atEnd: WavEnd, wakeWord: boolean): Promise<Rig> {
  const log = createLogger('bench', () => undefined);
  const core = createCoreServices({
    settingsBackend: new JsonFileSettingsBackend(join(dir, `settings-${Date.now()}.json`)),
    audioInput: await WavFileInput.open([wav], atEnd),
    workerLauncher: nodeWorkerLauncher({ entry: BUILT_WORKER, execArgv: [] }),
    log,
  });
  const history = HistoryStore.open(join(dir, `history-${Date.now()}.sqlite`));
  const session = new SessionService({
    ...core,
    history,
    output: new TextOutput(NO_DESKTOP),
    userModelsDir: userModelsDir(),
    log,
    wakeWord,
  });
  const updates: SessionUpdate[] = [];
  session.onUpdate((update) => updates.push(update));
  return {
    core,
    session,
    history,
    updates,
    async dispose() {
      await session.dispose();
      await core.inference.dispose();
      await core.audio.dispose();
      history.close();
    },
  };
}

const finalsOf = (updates: readonly SessionUpdate[]): FinalTranscript[] =>
  updates.flatMap((u) => (u.channel === 'session:final' ? [u.payload] : []));

/** Presses and releases at clip times, on the capture clock (frame numbers), like a user with a key. */
function scheduleKeys(core: CoreServices, session: SessionService, keys: { pressAt: number; releaseAt: number }[]) {
  let next = 0;
  let down = false;
  return core.audio.onFrame((_samples, seq) => {
    const t = (seq + 1) * (FRAME_MS / 1000);
    const key = keys[next];
    if (!key) return;
    if (!down && t >= key.pressAt) {
      down = true;
      void session.press();
    } else if (down && t >= key.releaseAt) {
      down = false;
      session.release();
      next++;
    }
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Push-to-talk: release → final over 2–10 s utterances, against a one-shot pass on the same audio. */
async function releaseToFinal(dir: string, speech: SpeechGenerator): Promise<string[]> {
  const parts: SpeechPart[] = [{ silence_s: 2 }];
  const references: string[] = [];
  let command = 0;
  for (const size of GROUPS) {
    const words: string[] = [];
    for (let i = 0; i < size; i++) {
      const say = COMMANDS[command++ % COMMANDS.length]!;
      words.push(say);
      parts.push({ say, voice: VOICE }, { silence_s: i === size - 1 ? 1.5 : 0.3 });
    }
    references.push(words.join(' '));
  }
  const clip = await speech.compose(parts);
  const wav = join(dir, 'ptt.wav');
  await writeWavFile(wav, clip.samples, 16_000);
  const keys: { pressAt: number; releaseAt: number }[] = [];
  let phrase = 0;
  for (const size of GROUPS) {
    const first = clip.speech[phrase]!;
    const last = clip.speech[phrase + size - 1]!;
    keys.push({ pressAt: first.start_s - PRESS_LEAD_S, releaseAt: last.end_s + RELEASE_LAG_S });
    phrase += size;
  }

  const r = await rig(dir, wav, 'silence', false);
  try {
    await r.session.start();
    const stop = scheduleKeys(r.core, r.session, keys);
    const done = await waitFor(() => finalsOf(r.updates).length >= keys.length, (clip.duration_s + 30) * 1000);
    stop();
    const finals = finalsOf(r.updates);
    if (!done) {
      const problems = r.updates.flatMap((u) => (u.channel === 'session:problem' ? [u.payload.message] : []));
      return [`  only ${finals.length} of ${keys.length} finals arrived; problems: ${problems.join('; ') || 'none'}`];
    }

    // The peer: what an app without live partials does, one pass over the utterance after release.
    const asr = asrSettingsFor(r.core.profiles.active(), userModelsDir());
    const oneShot: number[] = [];
    for (const key of keys) {
      const samples = clip.samples.slice(Math.round(key.pressAt * 16_000), Math.round(key.releaseAt * 16_000));
      const started = performance.now();
      TranscriptResultSchema.parse(await r.core.inference.worker.request({ type: 'transcribe', samples, ...asr }));
      oneShot.push(performance.now() - started);
    }
    const live = finals.map((f) => f.timings.endToTextMs);
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    const [liveS, oneS] = [sorted(live), sorted(oneShot)];
    const wer = wordErrorRate(references.map((reference, i) => ({ reference, hypothesis: finals[i]?.text ?? '' })));
    return [
      `${keys.length} utterances of ${(keys[0]!.releaseAt - keys[0]!.pressAt).toFixed(1)}–${Math.max(...keys.map((k) => k.releaseAt - k.pressAt)).toFixed(1)} s (Balanced, ${VOICE}), key released ${RELEASE_LAG_S * 1000} ms after speech`,
      `  live session   release → final  p50 ${ms(percentile(liveS, 50))}  p95 ${ms(percentile(liveS, 95))}  max ${ms(liveS.at(-1)!)}`,
      `  one-shot pass  same audio        p50 ${ms(percentile(oneS, 50))}  p95 ${ms(percentile(oneS, 95))}  max ${ms(oneS.at(-1)!)}`,
      `  ratio one-shot/live p95: ${(percentile(oneS, 95) / percentile(liveS, 95)).toFixed(2)}×   target p95 ≤ ${TARGETS.releaseP95Ms} ms: ${percentile(liveS, 95) <= TARGETS.releaseP95Ms ? 'met' : 'MISSED'}`,
      `  per utterance (ms, live/one-shot): ${live.map((l, i) => `${l.toFixed(0)}/${oneShot[i]!.toFixed(0)}`).join('  ')}`,
      `  WER of the live finals: ${(wer * 100).toFixed(1)} %`,
    ];
  } finally {
    await r.dispose();
  }
}

/** Wake word → recording start: from the capture of the frame the phrase ended in to the state change. */
async function wakeToRecording(dir: string, speech: SpeechGenerator): Promise<string[]> {
  const parts: SpeechPart[] = [{ silence_s: 2 }];
  for (const say of COMMANDS.slice(0, 6))
    parts.push({ say: 'hey jarvis', voice: VOICE }, { silence_s: 0.6 }, { say, voice: VOICE }, { silence_s: 2.5 });
  const clip = await speech.compose(parts);
  const wav = join(dir, 'wake.wav');
  await writeWavFile(wav, clip.samples, 16_000);

  const r = await rig(dir, wav, 'silence', true);
  const captured = new Map<number, number>();
  const latencies: number[] = [];
  // The session hears the worker's wake event first (it subscribed first) and records at once;
  // this listener then gets the same event, with the frame the phrase ended in.
  let recordingAt: number | undefined;
  const stops = [
    r.core.audio.onFrame((_s, seq, captureTime) => captured.set(seq, captureTime)),
    r.session.onUpdate((update) => {
      if (update.channel === 'session:state' && update.payload.state === 'recording') recordingAt = preciseNow();
    }),
    r.core.inference.onEvent((event) => {
      const at = event.type === 'wake' ? captured.get(event.seq) : undefined;
      if (at !== undefined && recordingAt !== undefined) latencies.push(recordingAt - at);
      recordingAt = undefined;
    }),
  ];
  try {
    await r.session.start();
    await waitFor(() => finalsOf(r.updates).length >= 6, (clip.duration_s + 20) * 1000);
    const sorted = [...latencies].sort((a, b) => a - b);
    // The wake flow's utterance ends at the VAD's speech-end (after the hang-over): from there to the text.
    const endToText = finalsOf(r.updates)
      .map((f) => f.timings.endToTextMs)
      .sort((a, b) => a - b);
    const endP95 = percentile(endToText, 95);
    return [
      `${latencies.length} of 6 wake words heard (Balanced, frames batched as the profile says)`,
      `  phrase-end frame captured → recording  p50 ${ms(percentile(sorted, 50))}  max ${ms(sorted.at(-1) ?? NaN)}` +
        `   target ≤ ${TARGETS.wakeToRecordingMs} ms: ${(sorted.at(-1) ?? Infinity) <= TARGETS.wakeToRecordingMs ? 'met' : 'MISSED'}`,
      `  (${(percentile(sorted, 50) / FRAME_MS).toFixed(2)} frames of ${FRAME_MS} ms at p50)`,
      `  end of speech (after the hang-over) → final  p50 ${ms(percentile(endToText, 50))}  p95 ${ms(endP95)}` +
        `   target p95 ≤ ${TARGETS.endOfSpeechP95Ms} ms: ${endP95 <= TARGETS.endOfSpeechP95Ms ? 'met' : 'MISSED'}`,
      `  per utterance (ms): ${finalsOf(r.updates)
        .map((f) => `${f.timings.endToTextMs.toFixed(0)}(${f.finalPass})`)
        .join('  ')}`,
    ];
  } finally {
    stops.forEach((stop) => stop());
    await r.dispose();
  }
}

/** CPU of main + worker while armed on silence, against capture alone for the same time. */
async function armedCpu(dir: string): Promise<string[]> {
  const wav = join(dir, 'silence.wav');
  await writeWavFile(wav, new Float32Array(16_000), 16_000);
  const measure = async (body: () => Promise<void>, workerPid: () => number | undefined) => {
    await sleep(3000); // settle after start-up
    const pid = workerPid();
    const [main0, worker0, t0] = [process.cpuUsage(), pid ? cpuSeconds(pid) : 0, performance.now()];
    await body();
    const main = process.cpuUsage(main0);
    const wall = (performance.now() - t0) / 1000;
    const workerS = pid ? cpuSeconds(pid) - worker0 : 0;
    return { main: (main.user + main.system) / 1e6 / wall, worker: workerS / wall };
  };
  const wait = async (): Promise<void> => {
    await sleep(ARMED_SECONDS * 1000);
  };

  const captureOnly = await rig(dir, wav, 'silence', true);
  let baseline;
  try {
    await captureOnly.core.audio.start('bench');
    baseline = await measure(wait, () => undefined);
  } finally {
    await captureOnly.core.audio.stop('bench');
    await captureOnly.dispose();
  }
  const armed = await rig(dir, wav, 'silence', true);
  let session;
  try {
    await armed.session.start();
    session = await measure(wait, () => armed.core.inference.worker.pid);
  } finally {
    await armed.dispose();
  }
  const pct = (x: number) => `${(x * 100).toFixed(2).padStart(5)} %`;
  const total = session.main + session.worker;
  return [
    `${ARMED_SECONDS} s of silence, armed for Hey Jarvis (Balanced), % of one core`,
    `  capture only           main ${pct(baseline.main)}`,
    `  armed session          main ${pct(session.main)}  worker ${pct(session.worker)}  total ${pct(total)}`,
    `  ratio armed/capture-only (main): ${(session.main / Math.max(1e-6, baseline.main)).toFixed(2)}×   target total ≤ ${TARGETS.armedCpuPercent} %: ${total * 100 <= TARGETS.armedCpuPercent ? 'met' : 'MISSED'}`,
  ];
}

/** Resident memory of main and worker over 200 push-to-talk utterances. */
async function memoryOverUtterances(dir: string, speech: SpeechGenerator): Promise<string[]> {
  const clip = await speech.compose([
    { silence_s: 0.3 },
    { say: 'lower the volume a little', voice: VOICE },
    { silence_s: 0.5 },
  ]);
  const wav = join(dir, 'loop.wav');
  await writeWavFile(wav, clip.samples, 16_000);
  const phrase = clip.speech[0]!;
  const cycle = clip.duration_s;
  const keys = Array.from({ length: MEMORY_UTTERANCES }, (_, i) => ({
    pressAt: i * cycle + phrase.start_s - 0.15,
    releaseAt: i * cycle + phrase.end_s + 0.15,
  }));

  const r = await rig(dir, wav, 'loop', false);
  const samples: { n: number; main: number; worker: number }[] = [];
  const stopSampling = r.session.onUpdate((update) => {
    if (update.channel !== 'session:final') return;
    const n = finalsOf(r.updates).length;
    if (n === MEMORY_WARMUP || n % 20 === 0) {
      const pid = r.core.inference.worker.pid;
      samples.push({ n, main: process.memoryUsage().rss / 2 ** 20, worker: pid ? rssMiB(pid) : NaN });
    }
  });
  try {
    await r.session.start();
    const stop = scheduleKeys(r.core, r.session, keys);
    const done = await waitFor(
      () => finalsOf(r.updates).length >= MEMORY_UTTERANCES,
      (MEMORY_UTTERANCES * cycle + 60) * 1000,
    );
    stop();
    stopSampling();
    const finals = finalsOf(r.updates).length;
    const first = samples.find((s) => s.n === MEMORY_WARMUP);
    const last = samples.at(-1);
    if (!done || !first || !last || last.n === first.n) return [`  only ${finals} of ${MEMORY_UTTERANCES} finals`];
    const per = (a: number, b: number) => ((b - a) * 1.048576) / (last.n - first.n);
    const [mainPer, workerPer] = [per(first.main, last.main), per(first.worker, last.worker)];
    const worst = Math.max(mainPer, workerPer);
    return [
      `${finals} push-to-talk utterances of "${phrase.text}" (${(phrase.end_s - phrase.start_s).toFixed(1)} s), RSS after ${MEMORY_WARMUP} and after ${last.n}`,
      `  main    ${first.main.toFixed(0)} → ${last.main.toFixed(0)} MiB   ${mainPer.toFixed(3)} MB per utterance`,
      `  worker  ${first.worker.toFixed(0)} → ${last.worker.toFixed(0)} MiB   ${workerPer.toFixed(3)} MB per utterance`,
      `  samples (n: main/worker MiB): ${samples.map((s) => `${s.n}: ${s.main.toFixed(0)}/${s.worker.toFixed(0)}`).join('  ')}`,
      `  target ≤ ${TARGETS.growthMbPerUtterance} MB per utterance: ${worst <= TARGETS.growthMbPerUtterance ? 'met' : 'MISSED'}`,
    ];
  } finally {
    await r.dispose();
  }
}

function sessionBench(name: string, body: (dir: string, speech: SpeechGenerator) => Promise<string[]>) {
  return {
    name,
    async run(): Promise<string[]> {
      if (!existsSync(BUILT_WORKER))
        return ['  skipped: run `npx electron-vite build` first (this uses the built worker)'];
      const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-session-'));
      try {
        return await body(dir, new SpeechGenerator(dir));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export const sessionReleaseBench = sessionBench('voice session: push-to-talk release to final', releaseToFinal);
export const sessionWakeBench = sessionBench('voice session: wake word to recording', wakeToRecording);
export const sessionCpuBench = sessionBench('voice session: CPU while armed on silence', armedCpu);
export const sessionMemoryBench = sessionBench('voice session: memory over 200 utterances', memoryOverUtterances);
