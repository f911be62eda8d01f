import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { decodeWavFile } from '../src/main/audio/wav';
import { WorkerClient } from '../src/main/inference/worker-client';
import { nodeWorkerLauncher } from '../src/main/inference/worker-launcher';
import { createLogger } from '../src/main/log';
import { EncoderCache } from '../src/main/worker/asr/encoder-cache';
import { PartialTranscriber } from '../src/main/worker/asr/partial-transcriber';
import { SpeechRecognizer, type TranscribeOptions } from '../src/main/worker/asr/speech-recognizer';
import { WhisperModel } from '../src/main/worker/asr/whisper-model';
import { resolveWhisperModel } from '../src/main/worker/asr/whisper-registry';
import { ModelLoader } from '../src/main/worker/models/model-loader';
import { EnergyGate } from '../src/main/worker/vad/energy-gate';
import { VoiceActivity } from '../src/main/worker/vad/voice-activity';
import { FRAME_SAMPLES, PIPELINE_SAMPLE_RATE } from '../src/shared/audio';
import { PRESETS } from '../src/shared/profiles';
import type { TranscribeRequest } from '../src/shared/worker-protocol';
import { SHARED_AUDIO } from '../tests/support/shared-audio';
import { SpeechGenerator, type TtsVoice } from '../tests/support/tts-speech';
import { wordErrorRate, wordErrors } from '../tests/support/wer';
import { percentile } from './stats';

const BALANCED = PRESETS[0]!;
const THREADS = 2;
/** Runs per clip and system; the median is kept, so one slow run on a shared machine does not count. */
const REPEATS = 3;
const JFK_REFERENCE =
  'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const VOICES: readonly TtsVoice[] = ['flite-slt', 'flite-kal', 'flite-rms', 'festival-kal', 'espeak-en-us'];
/** Spoken 1.5–2.7 s each (2.0–3.2 s with the padding). No numbers: WER does not normalise "20" against "twenty". */
const COMMANDS = [
  'turn on the lights in the kitchen',
  'set an alarm for tomorrow morning',
  'what is the weather like this weekend',
  'play some music in the living room',
  'remind me to call my mother tonight',
  'turn off the bedroom lamp',
  'open the garage door please',
  'add eggs and milk to my shopping list',
  'what time is it in london',
  'lower the volume a little',
  'start the vacuum cleaner now',
  'read my new messages',
];
const TARGETS = { commands: 3, jfk: 2, total: 5, extraTokens: 8, cacheHits: 0.5, rssMb: 250, fittedWerPoints: 1 };

interface Clip {
  name: string;
  samples: Float32Array;
  reference: string;
}

interface Run {
  text: string;
  ms: number;
  /** Earshot only: transformers.js does not expose its stages. */
  stages?: { mel: number; encoder: number; decoder: number };
  language?: string;
  /** Tokens the decoder produced, timestamps and dropped segments included (Earshot only). */
  tokens?: number;
}

interface System {
  label: string;
  /** Runs per clip when fewer than `REPEATS` (a system shown for one figure, not timed closely). */
  repeats?: number;
  run(samples: Float32Array): Promise<Run>;
}

/** Earshot's greedy decoding without fallback: what transformers.js does by default. */
const GREEDY: TranscribeOptions = {
  language: 'en',
  task: 'transcribe',
  timestamps: false,
  beamSize: 1,
  temperatures: [0],
  compressionRatioThreshold: BALANCED.decoding.compressionRatioThreshold,
  logProbThreshold: BALANCED.decoding.logProbThreshold,
  noSpeechThreshold: BALANCED.decoding.noSpeechThreshold,
};

/** The session options Earshot's `openSession` uses, given to the peer too. */
const SESSION_OPTIONS = {
  intraOpNumThreads: THREADS,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
} as const;

const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const pct = (fraction: number): string => `${(fraction * 100).toFixed(1)} %`;
const verdict = (ok: boolean): string => (ok ? 'met' : 'missed');
const ms = (value: number, width = 7): string => value.toFixed(0).padStart(width);

/** Resident memory of a process, from /proc (Linux). */
function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}
const mib = (value: number): string => `${value.toFixed(0)} MiB (${(value * 1.048576).toFixed(0)} MB)`;

function earshot(label: string, recognizer: SpeechRecognizer, options: TranscribeOptions): System {
  return {
    label,
    async run(samples) {
      const started = performance.now();
      const t = await recognizer.transcribe(samples, options);
      const { melMs, encoderMs, decoderMs } = t.timings;
      return {
        text: t.text,
        ms: performance.now() - started,
        stages: { mel: melMs, encoder: encoderMs, decoder: decoderMs },
        language: t.language,
        tokens: t.tokens,
      };
    },
  };
}

/**
 * transformers.js v4 on the same files: `dtype: 'q8'` selects the `_quantized` suffix, so it opens
 * `encoder_model_quantized.onnx` and `decoder_model_merged_quantized.onnx`, the only ONNX files in
 * the package (with remote models off, any other choice fails to load). Session options pass
 * straight to `InferenceSession.create`, so it gets Earshot's threads and optimisation level.
 */
async function transformersPeer(
  modelDir: string,
): Promise<{ system: System; loadMs: number; files: string; version: string; dispose(): Promise<void> }> {
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = join(modelDir, '..', '..') + '/';
  const started = performance.now();
  const asr = await pipeline('automatic-speech-recognition', 'Xenova/whisper-tiny', {
    dtype: 'q8',
    device: 'cpu',
    session_options: { ...SESSION_OPTIONS },
  });
  const loadMs = performance.now() - started;
  const sessions = asr.model.sessions as Record<string, { inputNames: readonly string[] }>;
  const merged = sessions.decoder_model_merged?.inputNames.includes('use_cache_branch') ?? false;
  const onDisk = readdirSync(join(modelDir, 'onnx')).join(', ');
  const files = `sessions ${Object.keys(sessions).join(' + ')}${merged ? ' (merged, with use_cache_branch)' : ''}; onnx/ holds only ${onDisk}`;
  const system: System = {
    label: 'transformers.js (peer)',
    async run(samples) {
      const begun = performance.now();
      const out = await asr(samples, { language: 'en', task: 'transcribe' });
      const text = (Array.isArray(out) ? out.map((o) => o.text).join(' ') : out.text).trim();
      return { text, ms: performance.now() - begun };
    },
  };
  return { system, loadMs, files, version: env.version, dispose: () => asr.dispose() };
}

interface Measured {
  /** Per clip, every run. */
  runs: Run[][];
}

/** Every system on every clip, `REPEATS` times; systems take turns on the same clip (order rotating), so noise hits all alike. */
async function measure(systems: readonly System[], clips: readonly Clip[]): Promise<Measured[]> {
  const measured = systems.map((): Measured => ({ runs: clips.map(() => []) }));
  for (const [c, clip] of clips.entries()) {
    for (let r = 0; r < REPEATS; r++) {
      for (let k = 0; k < systems.length; k++) {
        const s = (k + r + c) % systems.length;
        if (r >= (systems[s]!.repeats ?? REPEATS)) continue;
        measured[s]!.runs[c]!.push(await systems[s]!.run(clip.samples));
      }
    }
  }
  return measured;
}

interface Summary {
  p50: number;
  p95: number;
  stages?: { mel: number; encoder: number; decoder: number };
  wer: number;
  texts: string[];
  varied: boolean;
  languages: string[];
  /** The clip with the longest median time, with that run's token count. */
  slowest: { clip: number; ms: number; tokens: number | undefined };
}

/** p50/p95 over the per-clip medians (over the runs themselves when there is one clip); WER of each clip's first run. */
function summarise(m: Measured, clips: readonly Clip[]): Summary {
  const medians = m.runs.map((runs) => median(runs.map((r) => r.ms)));
  const times = clips.length === 1 ? m.runs[0]!.map((r) => r.ms) : [...medians];
  times.sort((a, b) => a - b);
  const slowClip = medians.indexOf(Math.max(...medians));
  const first = m.runs.map((runs) => runs[0]!);
  const stage = (key: 'mel' | 'encoder' | 'decoder'): number =>
    median(m.runs.map((runs) => median(runs.map((r) => r.stages?.[key] ?? NaN))));
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    stages: first[0]?.stages ? { mel: stage('mel'), encoder: stage('encoder'), decoder: stage('decoder') } : undefined,
    wer: wordErrorRate(clips.map((clip, c) => ({ reference: clip.reference, hypothesis: first[c]!.text }))),
    texts: first.map((r) => r.text),
    varied: m.runs.some((runs) => runs.some((r) => r.text !== runs[0]!.text)),
    languages: first.map((r) => r.language ?? ''),
    slowest: { clip: slowClip, ms: medians[slowClip]!, tokens: first[slowClip]?.tokens },
  };
}

/** Table, targets and the transcripts that were not exact, for one clip set. */
function report(
  title: string,
  target: number,
  clips: readonly Clip[],
  systems: readonly System[],
  summaries: readonly Summary[],
): string[] {
  const [fitted, full, auto, peer] = summaries as [Summary, Summary, Summary, Summary];
  const lines = ['', title, `  ${'system'.padEnd(32)}  p50 ms  p95 ms │ mel ms  encoder  decoder (p50) │    WER`];
  for (const [i, s] of summaries.entries()) {
    const stages = s.stages
      ? `${ms(s.stages.mel, 6)}  ${ms(s.stages.encoder, 7)}  ${ms(s.stages.decoder, 7)}`.padEnd(31)
      : '(stages not exposed)'.padEnd(31);
    const note = s.varied ? '  (texts varied across runs)' : '';
    lines.push(
      `  ${systems[i]!.label.padEnd(32)} ${ms(s.p50)} ${ms(s.p95)} │ ${stages}│ ${pct(s.wer).padStart(6)}${note}`,
    );
  }
  const ratio50 = peer.p50 / fitted.p50;
  const points = (fitted.wer - full.wer) * 100;
  const wrongLanguage = auto.languages.filter((l) => l !== 'en').length;
  const signed = (value: number): string => `${value >= 0 ? '+' : ''}${value.toFixed(0)}`;
  const same = full.texts.filter((t, c) => t === peer.texts[c]).length;
  lines.push(
    `  peer / Earshot (fitted): p50 ${ratio50.toFixed(2)}×, p95 ${(peer.p95 / fitted.p95).toFixed(2)}× ` +
      `(target ≥ ${target}× at p50: ${verdict(ratio50 >= target)}); peer / Earshot (full window): p50 ${(peer.p50 / full.p50).toFixed(2)}×`,
    `  WER Earshot (fitted) ${pct(fitted.wer)} vs peer ${pct(peer.wer)} (target no worse: ${verdict(fitted.wer <= peer.wer + 1e-9)})`,
    `  fitted vs full window: WER ${pct(fitted.wer)} vs ${pct(full.wer)}, ${points >= 0 ? '+' : ''}${points.toFixed(1)} points ` +
      `(fitted may be the default within ${TARGETS.fittedWerPoints} point: ${points <= TARGETS.fittedWerPoints + 1e-9 ? 'yes' : 'no'}); ` +
      `time p50 fitted / full ${(fitted.p50 / full.p50).toFixed(2)}×`,
    `  language ID ('auto', fitted): ${signed(auto.p50 - fitted.p50)} ms at p50 (${(auto.p50 / fitted.p50).toFixed(2)}×); ` +
      `identified as English on ${clips.length - wrongLanguage}/${clips.length} clips`,
    `  same decoding check: Earshot's full window and the peer gave the same text on ${same}/${clips.length} clips`,
  );
  if (clips.length > 1) {
    const slow = fitted.slowest;
    lines.push(
      `  Earshot (fitted) slowest clip ${clips[slow.clip]!.name}: ${slow.ms.toFixed(0)} ms, ${slow.tokens} tokens decoded ` +
        `(timestamps and dropped segments included) for "${fitted.texts[slow.clip]}"`,
    );
  }
  for (const [c, clip] of clips.entries()) {
    const wrong = summaries
      .map((s, i) => ({
        label:
          s.languages[c] && s.languages[c] !== 'en' ? `${systems[i]!.label} [${s.languages[c]}]` : systems[i]!.label,
        text: s.texts[c]!,
        errors: wordErrors(clip.reference, s.texts[c]!),
      }))
      .filter((h) => h.errors.errors > 0);
    if (wrong.length === 0) continue;
    lines.push(`  ${clip.name}: "${clip.reference}"`);
    for (const h of wrong) lines.push(`    ${h.label.padEnd(36)} ${h.errors.errors} error(s): "${h.text}"`);
  }
  return lines;
}

/**
 * The one-shot figures issue 12 asks for: time over the whole set (commands and jfk.wav, each
 * clip's median) against the peer, and how many tokens Earshot decoded beyond each command's text.
 */
function totals(commands: readonly Measured[], jfk: readonly Measured[], model: WhisperModel): string[] {
  const total = (i: number) =>
    [...commands[i]!.runs, ...jfk[i]!.runs].reduce((sum, runs) => sum + median(runs.map((r) => r.ms)), 0);
  const [earshotMs, peerMs] = [total(0), total(3)];
  const extra = commands[0]!.runs.map((runs) => {
    const run = runs[0]!;
    return (run.tokens ?? NaN) - model.tokenizer.encode(` ${run.text}`).length;
  });
  const worst = Math.max(...extra);
  return [
    '',
    `One-shot total over the ${commands[0]!.runs.length} commands and jfk.wav: Earshot (fitted) ${earshotMs.toFixed(0)} ms, ` +
      `transformers.js ${peerMs.toFixed(0)} ms: ${(peerMs / earshotMs).toFixed(2)}× (target ≥ ${TARGETS.total}×: ${verdict(peerMs / earshotMs >= TARGETS.total)})`,
    `  tokens decoded beyond each command's text (timestamps included): ${extra.join(' ')}; ` +
      `most ${worst} (target ≤ ${TARGETS.extraTokens}: ${verdict(worst <= TARGETS.extraTokens)})`,
  ];
}

interface StreamOutcome {
  partials: number;
  skippedBusy: number;
  skippedIdle: number;
  /** Final passes whose encoder output came from the cache… */
  encoderHits: number;
  /** …and those that were the last partial itself (greedy, same audio: no encoder, no decoder). */
  reused: number;
  /** From the end of the hang-over (when the final pass starts) to its text. */
  latencies: number[];
  wer: number;
  misses: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Live utterances through `PartialTranscriber`, paced as a microphone delivers them: 80 ms frames
 * in real time, each marked voiced or not by Silero VAD behind the energy gate (as the worker's
 * live replay does) or, with `vad` undefined, all voiced; a tick on the first frame at or after
 * every `partialIntervalMs`; then the silence hang-over that ends an utterance, and the final
 * pass. Partials run while frames keep arriving; a tick that finds one running is skipped.
 */
async function stream(
  recognizer: SpeechRecognizer,
  clips: readonly Clip[],
  vad: VoiceActivity | undefined,
): Promise<StreamOutcome> {
  const interval = BALANCED.partialIntervalMs;
  const hangoverFrames = Math.ceil(BALANCED.vad.silenceHangoverMs / 80);
  const gate = new EnergyGate();
  const outcome: StreamOutcome = {
    partials: 0,
    skippedBusy: 0,
    skippedIdle: 0,
    encoderHits: 0,
    reused: 0,
    latencies: [],
    wer: 0,
    misses: [],
  };
  const pairs: { reference: string; hypothesis: string }[] = [];
  for (const clip of clips) {
    recognizer.cache.clear(); // another run's partials on the same audio would be hits
    vad?.reset();
    gate.reset();
    const frames = Math.ceil(clip.samples.length / FRAME_SAMPLES) + hangoverFrames;
    const audio = new Float32Array(frames * FRAME_SAMPLES);
    audio.set(clip.samples);
    const partials = new PartialTranscriber(recognizer, GREEDY, () => undefined);
    const started = performance.now();
    let nextTick = interval;
    for (let f = 0; f < frames; f++) {
      await sleep(started + (f + 1) * 80 - performance.now());
      const frame = audio.subarray(f * FRAME_SAMPLES, (f + 1) * FRAME_SAMPLES);
      const voiced = vad
        ? (await vad.process(frame, gate.process(frame))).probability >= BALANCED.vad.endThreshold
        : true;
      partials.append(frame, voiced);
      if ((f + 1) * 80 < nextTick) continue;
      while (nextTick <= (f + 1) * 80) nextTick += interval;
      partials.tick();
    }
    const ended = performance.now();
    const final = await partials.finish();
    outcome.latencies.push(performance.now() - ended);
    const { stats } = partials;
    outcome.partials += stats.partials;
    outcome.skippedBusy += stats.skippedBusy;
    outcome.skippedIdle += stats.skippedIdle;
    if (stats.finalReused) outcome.reused++;
    else if (final.cache.encoderHits > 0) outcome.encoderHits++;
    else outcome.misses.push(clip.name.split(' ')[0]!);
    pairs.push({ reference: clip.reference, hypothesis: final.text });
  }
  outcome.wer = wordErrorRate(pairs);
  return outcome;
}

async function streamingReport(recognizer: SpeechRecognizer, clips: readonly Clip[]): Promise<string[]> {
  const vad = await VoiceActivity.create({ threads: 1, loader: new ModelLoader() });
  vad.configure(BALANCED.vad);
  let voiced: StreamOutcome;
  let unmarked: StreamOutcome;
  try {
    voiced = await stream(recognizer, clips, vad);
    unmarked = await stream(recognizer, clips, undefined);
  } finally {
    await vad.dispose();
  }
  const row = (label: string, o: StreamOutcome): string => {
    const lat = [...o.latencies].sort((a, b) => a - b);
    const served = `${o.encoderHits + o.reused}/${clips.length} = ${o.encoderHits} + ${o.reused}`;
    return (
      `  ${label.padEnd(30)} ${String(o.partials).padStart(8)} ${`${o.skippedBusy} / ${o.skippedIdle}`.padStart(12)}  ` +
      `${served.padEnd(17)} ${ms(percentile(lat, 50), 8)} ${ms(percentile(lat, 95), 8)}  ${pct(o.wer).padStart(6)}` +
      (o.misses.length > 0 ? `  missed ${o.misses.join(' ')}` : '')
    );
  };
  const fraction = (voiced.encoderHits + voiced.reused) / clips.length;
  return [
    '',
    `Encoder cache with streaming partials: ${clips.length} commands through PartialTranscriber at real-time pace ` +
      `(80 ms frames, a tick every ${BALANCED.partialIntervalMs} ms, then ${BALANCED.vad.silenceHangoverMs} ms of hang-over), ` +
      `fitted window, cache of 8, greedy`,
    `  ${'frames marked voiced by'.padEnd(30)} partials  skipped busy/idle  final from cache    lat p50  lat p95     WER`,
    row('Silero VAD (as the worker)', voiced),
    row('nothing: every frame voiced', unmarked),
    `  final from cache = encoder hit + last partial reused; lat: end of the hang-over to the final text, ms`,
    `  final passes served from the encoder cache (VAD-marked): ${pct(fraction)} ` +
      `(target ≥ ${TARGETS.cacheHits * 100} %: ${verdict(fraction >= TARGETS.cacheHits)})`,
    `  A final pass hits only when no audio reached the transcriber after its last partial. Unmarked, the`,
    `  0.5 s of trailing silence and the hang-over keep arriving after the last tick's partial, so the final`,
    `  window is longer, hashes differently and misses (unless a tick lands on the last frame). Marked, the`,
    `  silence is held back and its first frame starts a partial on everything heard: the final pass covers`,
    `  the same samples, so its encoder output is cached, or (greedy, settled) that partial is the final.`,
  ];
}

/** Only what this report reads: a built worker a little older or newer than the protocol file still answers it. */
const FirstResultSchema = z.object({ text: z.string(), timings: z.object({ loadMs: z.number() }) });

/** The built worker with tiny loaded: VmRSS after start, after the first transcription, and at its peak. */
async function workerMemory(jfk: Float32Array, others: readonly Float32Array[]): Promise<string[]> {
  const header = `Worker memory with whisper-tiny loaded (built worker, WORKER_ENV, Balanced decoding, fitted window)`;
  const built = join(import.meta.dirname, '..', 'out', 'main', 'worker.js');
  if (!existsSync(built))
    return ['', header, '  skipped: run `npx electron-vite build` first (this measures the built worker)'];
  const client = new WorkerClient(
    nodeWorkerLauncher({ entry: built, execArgv: [] }),
    createLogger('bench', () => undefined),
    { requestTimeoutMs: 120_000 },
  );
  const request = (samples: Float32Array): Omit<TranscribeRequest, 'id'> => ({
    type: 'transcribe',
    samples: new Float32Array(samples), // a copy on its own ArrayBuffer, as the protocol's schema types it
    model: 'whisper-tiny',
    language: 'en',
    task: 'transcribe',
    timestamps: false,
    decoding: BALANCED.decoding,
    threads: THREADS,
    fitWindow: true,
    cache: { encoderEntries: 8, sessionEntries: 2 },
    vad: BALANCED.vad,
  });
  try {
    await client.start();
    const pid = client.pid!;
    const started = rssMiB(pid);
    let peak = started;
    const poll = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 10);
    try {
      const first = FirstResultSchema.parse(await client.request(request(jfk)));
      const afterFirst = rssMiB(pid);
      const firstPeak = Math.max(peak, afterFirst);
      peak = afterFirst;
      for (const samples of others) await client.request(request(samples));
      const after = rssMiB(pid);
      peak = Math.max(peak, after);
      const peakMb = peak * 1.048576;
      const jfkWer = wordErrorRate([{ reference: JFK_REFERENCE, hypothesis: first.text }]);
      return [
        '',
        header,
        `  after start ${mib(started)}; after the first transcription (jfk.wav, load ${first.timings.loadMs.toFixed(0)} ms, ` +
          `WER ${pct(jfkWer)}) ${mib(afterFirst)}, peak during it ${mib(firstPeak)}`,
        `  peak over ${others.length} more transcriptions (commands) ${mib(peak)}, after ${mib(after)} ` +
          `(target ≤ ${TARGETS.rssMb} MB: ${verdict(peakMb <= TARGETS.rssMb && firstPeak * 1.048576 <= TARGETS.rssMb)})`,
      ];
    } finally {
      clearInterval(poll);
    }
  } finally {
    await client.shutdown();
  }
}

/**
 * Whisper tiny in Earshot's recognizer against transformers.js on the same 8-bit files, in one
 * process and one run: per-utterance time (p50/p95), Earshot's stages, and WER, on short
 * synthetic commands and on jfk.wav; the fitted encoder window against the full 30 s one; how
 * often the final pass of a streamed utterance reuses an encoder output; and the worker's memory.
 */
export const asrBench = {
  name: 'Whisper ASR: Earshot vs transformers.js (speed, WER, encoder cache, worker memory)',
  async run(): Promise<string[]> {
    const info = resolveWhisperModel('tiny');
    const ttsDir = mkdtempSync(join(tmpdir(), 'earshot-bench-asr-'));
    try {
      const generator = new SpeechGenerator(ttsDir);
      const commands: Clip[] = [];
      for (const [i, say] of COMMANDS.entries()) {
        const voice = VOICES[i % VOICES.length]!;
        const clip = await generator.compose([{ silence_s: 0.3 }, { say, voice }, { silence_s: 0.5 }]);
        commands.push({
          name: `#${i + 1} ${voice} ${clip.duration_s.toFixed(2)} s`,
          samples: clip.samples,
          reference: say,
        });
      }
      const jfk: Clip[] = [
        { name: 'jfk.wav', samples: (await decodeWavFile(SHARED_AUDIO.jfk)).samples, reference: JFK_REFERENCE },
      ];

      const loadStart = performance.now();
      const fittedModel = await WhisperModel.load(info, new ModelLoader(), { threads: THREADS, fitWindow: true });
      const fittedLoadMs = performance.now() - loadStart;
      const fullStart = performance.now();
      const fullModel = await WhisperModel.load(info, new ModelLoader(), { threads: THREADS, fitWindow: false });
      const fullLoadMs = performance.now() - fullStart;
      const peer = await transformersPeer(info.dir);
      try {
        // Cache size 0: repeated runs on the same clip must pay for the encoder every time.
        const fitted = new SpeechRecognizer(fittedModel, new EncoderCache(0));
        const full = new SpeechRecognizer(fullModel, new EncoderCache(0));
        const systems: System[] = [
          earshot('Earshot, fitted window, en', fitted, GREEDY),
          earshot('Earshot, full 30 s window, en', full, GREEDY),
          // Language ID is shown for its cost, once per clip, so the run stays short.
          { ...earshot("Earshot, fitted, 'auto' (1 run)", fitted, { ...GREEDY, language: 'auto' }), repeats: 1 },
          peer.system,
        ];
        for (const system of systems) await system.run(commands[0]!.samples); // warm-up

        const seconds = commands.map((c) => c.samples.length / PIPELINE_SAMPLE_RATE);
        const lines = [
          `whisper-tiny 8-bit, ${THREADS} intra-op threads per session on both sides; greedy, no temperature fallback, ` +
            `no timestamps asked; median of ${REPEATS} runs per clip; model load excluded from times`,
          `  load: Earshot fitted ${fittedLoadMs.toFixed(0)} ms, full ${fullLoadMs.toFixed(0)} ms (sha256 of every file included); ` +
            `transformers.js ${peer.loadMs.toFixed(0)} ms`,
          `  Earshot: encoder cache of 0 entries, so repeated runs are not cache hits; a fitted window decodes with ` +
            `timestamp tokens (the recognizer forces them)`,
          `  transformers.js ${peer.version}, dtype q8, device cpu, ` +
            `session options ${JSON.stringify(SESSION_OPTIONS)}; ${peer.files}`,
        ];
        const commandRuns = await measure(systems, commands);
        lines.push(
          ...report(
            `Short commands: ${commands.length} clips of ${Math.min(...seconds).toFixed(1)}–${Math.max(...seconds).toFixed(1)} s ` +
              `(${VOICES.join(', ')}; 0.3 s silence before, 0.5 s after); p50/p95 over per-clip medians`,
            TARGETS.commands,
            commands,
            systems,
            commandRuns.map((m) => summarise(m, commands)),
          ),
        );
        const jfkRuns = await measure(systems, jfk);
        lines.push(
          ...report(
            `jfk.wav (${(jfk[0]!.samples.length / PIPELINE_SAMPLE_RATE).toFixed(1)} s, real speech); p50/p95 over its ${REPEATS} runs`,
            TARGETS.jfk,
            jfk,
            systems,
            jfkRuns.map((m) => summarise(m, jfk)),
          ),
        );
        lines.push(...totals(commandRuns, jfkRuns, fittedModel));
        lines.push(...(await streamingReport(new SpeechRecognizer(fittedModel, new EncoderCache(8)), commands)));
        lines.push(
          // A benchmark never fails the run: a worker that cannot answer is reported as such.
          ...(await workerMemory(
            jfk[0]!.samples,
            commands.slice(0, 5).map((c) => c.samples),
          ).catch((error: unknown) => [
            '',
            `Worker memory: failed: ${error instanceof Error ? error.message : String(error)}`,
          ])),
        );
        return lines;
      } finally {
        await Promise.all([fittedModel.release(), fullModel.release(), peer.dispose()]);
      }
    } finally {
      rmSync(ttsDir, { recursive: true, force: true });
    }
  },
};
