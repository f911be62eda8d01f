import { execFile } from 'node:child_process';
import { seededRandom } from '../src/shared/seeded-random';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeWavFile } from '../src/main/audio/wav';
import { ModelLoader } from '../src/main/worker/models/model-loader';
import { EnergyGate } from '../src/main/worker/vad/energy-gate';
import { VoiceActivity } from '../src/main/worker/vad/voice-activity';
import { WAKE_FRAME_MS, WAKE_FRAME_SAMPLES, WakeWordDetector } from '../src/main/worker/wake/wake-word-detector';
import { PIPELINE_SAMPLE_RATE } from '../src/shared/audio';
import { PRESETS } from '../src/shared/profiles';
import { noiseClip, type NoiseColour } from '../tests/support/tts';
import { bestUnder, missFalseAcceptCurve, type PositiveCase, type ScoreTrace } from './wake-curve';

const KEYWORDS = ['hey_jarvis', 'alexa', 'hey_mycroft'] as const;
type Keyword = (typeof KEYWORDS)[number];
/** Balanced: the default profile, whose wake, VAD and thread settings the live pipeline uses. */
const PROFILE = PRESETS[0]!;
const RATE = PIPELINE_SAMPLE_RATE;
const FRAME_S = WAKE_FRAME_MS / 1000;
const HOURS = Number(process.env.EARSHOT_FA_HOURS ?? 1);

/** Speech RMS (over the trimmed utterance), varied by ±SPEECH_SPREAD_DB per utterance; SNRs are against SPEECH_DBFS. */
const SPEECH_DBFS = -26;
const SPEECH_SPREAD_DB = 4;
/**
 * Besides "clean" (digital silence between utterances, as the TTS tests have it), a quiet room:
 * white noise at this RMS, 39 dB under the speech. It matters: see the report.
 */
const ROOM_DBFS = -65;
const PAUSE_S: [number, number] = [0.3, 2];
/** The false-accept stream cycles through the conditions in blocks of about this length. */
const BLOCK_S = 120;
/** A wake phrase counts as detected when its keyword fires from its start until this long after its end. */
const HIT_WINDOW_S = 1.5;
/** Silence after a wake phrase or near-miss, so the next utterance cannot take its detection. */
const TAIL_S = 2.5;
const SENTENCES = 320;
/** Each corpus sentence is spoken by this many voices (rotating), so the hour repeats no clip. */
const VOICES_PER_SENTENCE = 3;
const FESTIVAL_BATCH = 40;
const TRIM_BELOW_DB = -50;
const TRIM_MARGIN_S = 0.05;

interface Voice {
  engine: 'espeak-ng' | 'flite' | 'festival';
  name: string;
}
/** Every English voice of the installed engines that sounds distinct; interleaved by engine so rotations mix them. */
const VOICES: Voice[] = [
  { engine: 'espeak-ng', name: 'en-us' },
  { engine: 'flite', name: 'slt' },
  { engine: 'festival', name: 'kal_diphone' },
  { engine: 'espeak-ng', name: 'en-us+f3' },
  { engine: 'flite', name: 'awb' },
  { engine: 'espeak-ng', name: 'en-gb' },
  { engine: 'flite', name: 'rms' },
  { engine: 'espeak-ng', name: 'en-gb-scotland' },
  { engine: 'flite', name: 'kal16' },
];
/** espeak-ng takes words per minute; flite and festival a duration stretch. */
const RATES = [
  { label: 'slow', wpm: 125, stretch: 1.2 },
  { label: 'normal', wpm: 155, stretch: 1 },
  { label: 'fast', wpm: 190, stretch: 0.85 },
];

const COLOURS = ['whitenoise', 'pinknoise'] as const satisfies NoiseColour[];
type Colour = (typeof COLOURS)[number];
interface Condition {
  label: string;
  colour: Colour;
  /** Noise RMS. */
  dbfs: number;
  /** Against SPEECH_DBFS; null for clean and the quiet room. */
  snr: number | null;
}
const CLEAN: Condition = { label: 'clean', colour: 'whitenoise', dbfs: -Infinity, snr: null };
const ROOM: Condition = { label: 'room', colour: 'whitenoise', dbfs: ROOM_DBFS, snr: null };
const noisy = (colour: Colour, snr: number): Condition => ({
  label: `${colour.replace('noise', '')} ${snr} dB`,
  colour,
  dbfs: SPEECH_DBFS - snr,
  snr,
});
const FA_CONDITIONS = [
  CLEAN,
  ROOM,
  noisy('whitenoise', 20),
  noisy('pinknoise', 20),
  noisy('whitenoise', 10),
  noisy('pinknoise', 10),
];
/** The ungated baseline reruns the first blocks, one per condition. */
const BASELINE_BLOCKS = FA_CONDITIONS.length;
/** Positives: clean, the quiet room and two noise levels; the colour alternates between cases (white, pink). */
const POSITIVE_SNRS = [20, 10];

const WAKE_PHRASES: { text: string; keyword: Keyword }[] = [
  { text: 'hey jarvis', keyword: 'hey_jarvis' },
  { text: 'alexa', keyword: 'alexa' },
  // Every engine reads the spelling "mycroft" as "mick-roft" (tests/unit/worker/wake-tts.test.ts).
  { text: 'hey my croft', keyword: 'hey_mycroft' },
];

const NEAR_MISSES: { text: string; resembles: Keyword }[] = [
  { text: 'hey travis', resembles: 'hey_jarvis' },
  { text: 'jarvis', resembles: 'hey_jarvis' },
  { text: 'hey marvin', resembles: 'hey_jarvis' },
  { text: 'did you see travis at the party', resembles: 'hey_jarvis' },
  { text: 'a lexus', resembles: 'alexa' },
  { text: 'alexis', resembles: 'alexa' },
  { text: 'alexander', resembles: 'alexa' },
  { text: 'my neighbour just bought a lexus', resembles: 'alexa' },
  { text: 'the election', resembles: 'alexa' },
  { text: 'microsoft', resembles: 'hey_mycroft' },
  { text: 'hey microsoft', resembles: 'hey_mycroft' },
  { text: 'minecraft', resembles: 'hey_mycroft' },
  { text: 'hey mike', resembles: 'hey_mycroft' },
  { text: 'she works for microsoft in seattle', resembles: 'hey_mycroft' },
];
const NEAR_MISS_CONDITIONS = [CLEAN, ROOM, noisy('whitenoise', 20)];
/** Thresholds the miss / false-accept curve is drawn over. */
const CURVE_THRESHOLDS = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/** The false-accept rate a threshold is chosen at (the issue's target). */
const FA_PER_HOUR_BUDGET = 0.1;

/** Per-frame scores kept for the curve: the false-accept hour's and the wake phrases'. */
interface CurveData {
  negatives: Map<Keyword, ScoreTrace[]>;
  hours: number;
  /** Detections the live detector made on the negatives at the profile's threshold: checks the replay. */
  detectorAccepts: Map<Keyword, number>;
  positives: Map<Keyword, PositiveCase[]>;
}
/** Kept out of the everyday corpus: the wake phrases, the near-misses and their parts. */
const NOT_EVERYDAY = /\b(hey|jarvis|travis|marvin|alexa|alex\w*|lexus|election|mycroft|micro\w*|\w*craft|mike)\b/;

/**
 * Wake-word accuracy on generated speech (espeak-ng, flite, festival; sox noise), through the
 * live pipeline: 80 ms frames in order into the energy gate, Silero VAD and openWakeWord
 * (hey_jarvis, alexa, hey_mycroft) with the Balanced profile's settings, the heads running only
 * while the gate is open or the VAD hears speech, exactly as `Listening` does.
 * 1. False accepts per hour on EARSHOT_FA_HOURS (default 1) of everyday sentences without a wake
 *    phrase, in blocks of clean and noisy audio; the gated compute is timed against the same
 *    pipeline without gating on the first blocks (the baseline). A smaller near-miss set
 *    ("hey travis", "a lexus", "microsoft"…) is reported separately.
 * 2. Misses on the wake phrases in every voice × 3 rates × clean, a quiet room and two noise levels,
 *    each after silence or another sentence.
 * Measures only: the targets (0 false accepts per hour, openWakeWord's own < 0.5; < 5 % misses)
 * are printed beside the figures, never enforced.
 */
export const wakeAccuracyBench = {
  name: `Wake-word accuracy on generated speech (${KEYWORDS.join(', ')}; ${PROFILE.name} profile, gated as live)`,
  async run(): Promise<string[]> {
    if (!(HOURS > 0))
      throw new Error(`EARSHOT_FA_HOURS must be a positive number of hours, not "${process.env.EARSHOT_FA_HOURS}".`);
    const dir = mkdtempSync(join(tmpdir(), 'earshot-wake-accuracy-'));
    try {
      return await measure(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function measure(dir: string): Promise<string[]> {
  const random = seededRandom(0xea5);
  const lines: string[] = [];
  const started = performance.now();

  const corpus = everydaySentences(SENTENCES, random);
  const tts = new Speech(dir);
  const everyday = corpus.flatMap((text, i) =>
    Array.from({ length: VOICES_PER_SENTENCE }, (_, k) => {
      const voice = (i + k * Math.floor(VOICES.length / VOICES_PER_SENTENCE)) % VOICES.length;
      return tts.want(text, voice, (i + k) % RATES.length);
    }),
  );
  const wake = WAKE_PHRASES.flatMap((phrase) =>
    VOICES.flatMap((_, voice) => RATES.map((_r, rate) => ({ ...phrase, clip: tts.want(phrase.text, voice, rate) }))),
  );
  const nearMisses = NEAR_MISSES.flatMap((miss, m) =>
    VOICES.map((_, voice) => ({ ...miss, clip: tts.want(miss.text, voice, (m + voice) % RATES.length) })),
  );
  const ttsS = await tts.synthesizeAll();
  const speechS = everyday.reduce((sum, clip) => sum + clip.samples.length / RATE, 0);
  lines.push(
    `speech: ${tts.count} clips synthesised in ${ttsS.toFixed(1)} s (${availableParallelism()} at a time): ` +
      `${corpus.length} everyday sentences × ${VOICES_PER_SENTENCE} of ${VOICES.length} voices (${(speechS / 60).toFixed(0)} min), ` +
      `${wake.length} wake phrases, ${nearMisses.length} near-misses`,
    `voices: ${VOICES.map(voiceName).join(', ')}; rates ${RATES.map((r) => `${r.label} (${r.wpm} wpm / ×${r.stretch})`).join(', ')}`,
    `levels: speech ${SPEECH_DBFS} ± ${SPEECH_SPREAD_DB} dBFS RMS, SNRs against ${SPEECH_DBFS}; clean = digital silence between utterances, room = white noise at ${ROOM_DBFS} dBFS`,
  );
  const noise: Noises = {
    whitenoise: await unitNoise('whitenoise', dir),
    pinknoise: await unitNoise('pinknoise', dir),
  };

  const pipeline = await Pipeline.create(new ModelLoader());
  const curve: CurveData = {
    negatives: new Map(KEYWORDS.map((k) => [k, []])),
    hours: 0,
    detectorAccepts: new Map(),
    positives: new Map(KEYWORDS.map((k) => [k, []])),
  };
  try {
    lines.push('', ...(await falseAccepts(pipeline, everyday, noise, random, curve)));
    lines.push('', ...(await nearMissAccepts(pipeline, nearMisses, noise, random)));
    lines.push('', ...(await misses(pipeline, wake, everyday, noise, random, curve)));
    lines.push('', ...describeCurves(curve));
  } finally {
    await pipeline.dispose();
  }
  lines.push('', `whole bench ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return lines;
}

// ── Streams ──────────────────────────────────────────────────────────────────

type Noises = Record<Colour, Float32Array>;

async function falseAccepts(
  pipeline: Pipeline,
  clips: Clip[],
  noise: Noises,
  random: () => number,
  curve: CurveData,
): Promise<string[]> {
  const targetFrames = Math.round((HOURS * 3600) / FRAME_S);
  const gated = new Tally();
  const byCondition = new Map<string, { frames: number; accepts: number }>();
  const accepts: { keyword: string; score: number; time_s: number; span: Span<Clip> | undefined; condition: string }[] =
    [];
  const baselineBlocks: Float32Array[] = [];
  let baselineGated: Tally | null = null;
  let order: Clip[] = [];
  let utterances = 0;
  for (let block = 0; gated.frames < targetFrames; block++) {
    const condition = FA_CONDITIONS[block % FA_CONDITIONS.length]!;
    const parts: Part<Clip>[] = [];
    let length = 0;
    while (length < BLOCK_S) {
      if (order.length === 0) order = shuffle([...clips], random);
      const clip = order.pop()!;
      const pause = between(random, ...PAUSE_S);
      parts.push({ pauseS: pause }, { clip, gainDb: between(random, -SPEECH_SPREAD_DB, SPEECH_SPREAD_DB), tag: clip });
      length += pause + clip.samples.length / RATE;
      utterances++;
    }
    const segment = assemble(parts, condition, noise, random);
    if (block < BASELINE_BLOCKS) baselineBlocks.push(segment.samples);
    const traces = new Map(KEYWORDS.map((k) => [k, new Float32Array(segment.frames).fill(NaN)]));
    const { detections, startS } = await pipeline.feed(segment.samples, gated, (frame, scores) => {
      for (const k of KEYWORDS) traces.get(k)![frame] = scores[k] ?? 0;
    });
    for (const k of KEYWORDS) curve.negatives.get(k)!.push(traces.get(k)!);
    const entry = byCondition.get(condition.label) ?? { frames: 0, accepts: 0 };
    entry.frames += segment.samples.length / WAKE_FRAME_SAMPLES;
    entry.accepts += detections.length;
    byCondition.set(condition.label, entry);
    for (const d of detections) {
      accepts.push({ ...d, span: lastStartedBy(segment.spans, d.time_s - startS), condition: condition.label });
    }
    if (block === BASELINE_BLOCKS - 1) baselineGated = gated.copy();
    // Long runs: the blocks are garbage once streamed.
    if (block % 10 === 9) globalThis.gc?.();
  }

  // Baseline: the same first blocks with the keyword heads on every frame (VAD still gated, as live).
  await pipeline.restart();
  pipeline.gating = false;
  const ungated = new Tally();
  let ungatedAccepts = 0;
  for (const samples of baselineBlocks) ungatedAccepts += (await pipeline.feed(samples, ungated)).detections.length;
  pipeline.gating = true;
  await pipeline.restart();
  const baseline = baselineGated ?? gated;
  const baselineAccepts = accepts.filter((a) => a.time_s <= baseline.frames * FRAME_S).length;

  const hours = (gated.frames * FRAME_S) / 3600;
  curve.hours = hours;
  for (const k of KEYWORDS) curve.detectorAccepts.set(k, accepts.filter((a) => a.keyword === k).length);
  const perHour = (n: number) => (n / hours).toFixed(2);
  const lines = [
    `False accepts: ${hours.toFixed(2)} h streamed (${gated.frames} frames), ${utterances} everyday utterances, ` +
      `pauses ${PAUSE_S[0]}–${PAUSE_S[1]} s, ${BLOCK_S / 60}-min blocks cycling ${FA_CONDITIONS.map((c) => c.label).join(' | ')}`,
  ];
  for (const keyword of KEYWORDS) {
    const n = accepts.filter((a) => a.keyword === keyword).length;
    lines.push(`  ${keyword.padEnd(12)} ${String(n).padStart(3)} false accepts  ${perHour(n)} per hour`);
  }
  lines.push(
    `  all keywords ${String(accepts.length).padStart(3)} false accepts  ${perHour(accepts.length)} per hour ` +
      `(target 0; openWakeWord's own target < 0.5 per hour per keyword)`,
    `  by condition: ${[...byCondition].map(([label, c]) => `${label} ${c.accepts} in ${((c.frames * FRAME_S) / 60).toFixed(0)} min`).join(' | ')}`,
  );
  for (const a of accepts.slice(0, 20)) {
    const what = a.span ? `"${a.span.tag.text}" (${a.span.tag.voice}, ${a.span.tag.rate})` : 'before any speech';
    lines.push(`    ${fmtTime(a.time_s)} ${a.keyword} ${a.score.toFixed(3)} ${a.condition}: ${what}`);
  }
  if (accepts.length > 20) lines.push(`    … and ${accepts.length - 20} more`);
  const baselineMin = ((baseline.frames * FRAME_S) / 60).toFixed(0);
  lines.push(
    describeTally('gated pipeline (whole stream)', gated),
    describeTally(`gated, first ${baselineMin} min`, baseline),
    describeTally(`no gate, first ${baselineMin} min (baseline)`, ungated),
    `  gated / no gate on the first ${baselineMin} min: wall ${(baseline.wallS / ungated.wallS).toFixed(3)}×, ` +
      `CPU ${(baseline.cpuS / ungated.cpuS).toFixed(3)}×, heads run ${(baseline.headFrames / ungated.headFrames).toFixed(3)}×; ` +
      `false accepts ${baselineAccepts} gated vs ${ungatedAccepts} ungated`,
  );
  return lines;
}

async function nearMissAccepts(
  pipeline: Pipeline,
  items: { text: string; resembles: Keyword; clip: Clip }[],
  noise: Noises,
  random: () => number,
): Promise<string[]> {
  const tally = new Tally();
  const hits = new Map<string, { total: number; accepts: Map<string, number>; who: string[] }>();
  for (const condition of NEAR_MISS_CONDITIONS) {
    const parts: Part<(typeof items)[number]>[] = [];
    for (const item of shuffle([...items], random)) {
      parts.push(
        { pauseS: between(random, 0.5, 1) },
        { clip: item.clip, gainDb: between(random, -SPEECH_SPREAD_DB, SPEECH_SPREAD_DB), tag: item },
        { pauseS: TAIL_S },
      );
    }
    const segment = assemble(parts, condition, noise, random);
    const { detections, startS } = await pipeline.feed(segment.samples, tally);
    for (const item of items) {
      const entry = hits.get(item.text) ?? { total: 0, accepts: new Map(), who: [] };
      entry.total++;
      hits.set(item.text, entry);
    }
    for (const d of detections) {
      const span = lastStartedBy(segment.spans, d.time_s - startS);
      if (!span) continue;
      const entry = hits.get(span.tag.text)!;
      entry.accepts.set(d.keyword, (entry.accepts.get(d.keyword) ?? 0) + 1);
      entry.who.push(
        `${span.tag.clip.voice}${condition === CLEAN ? '' : `, ${condition.label}`} ${d.score.toFixed(2)}`,
      );
    }
  }
  await pipeline.restart();
  const total = [...hits.values()].reduce((sum, h) => sum + [...h.accepts.values()].reduce((a, b) => a + b, 0), 0);
  const lines = [
    `Near-misses: ${items.length} utterances (${NEAR_MISSES.length} texts × ${VOICES.length} voices, one rate each) ` +
      `× ${NEAR_MISS_CONDITIONS.map((c) => c.label).join(' and ')}; each followed by ${TAIL_S} s of quiet`,
    `  ${total} detections on ${items.length * NEAR_MISS_CONDITIONS.length} utterances ` +
      `(${pct(total, items.length * NEAR_MISS_CONDITIONS.length)}); per text: detections/utterances by keyword`,
  ];
  for (const miss of NEAR_MISSES) {
    const entry = hits.get(miss.text)!;
    const counts = KEYWORDS.map((k) => `${k} ${entry.accepts.get(k) ?? 0}`).join(', ');
    const n = [...entry.accepts.values()].reduce((a, b) => a + b, 0);
    lines.push(
      `  "${miss.text}"`.padEnd(40) +
        ` (like ${miss.resembles}) ${String(n).padStart(2)}/${entry.total}: ${counts}` +
        (entry.who.length ? `  [${entry.who.join('; ')}]` : ''),
    );
  }
  lines.push(describeTally('gated pipeline', tally));
  return lines;
}

interface WakeCase {
  text: string;
  keyword: Keyword;
  clip: Clip;
  condition: Condition;
}

async function misses(
  pipeline: Pipeline,
  wake: { text: string; keyword: Keyword; clip: Clip }[],
  everyday: Clip[],
  noise: Noises,
  random: () => number,
  curve: CurveData,
): Promise<string[]> {
  // Grouped by condition, so the noise changes between groups only, as a room's does.
  const groups = new Map<Condition, WakeCase[]>([
    [CLEAN, []],
    [ROOM, []],
  ]);
  for (const snr of POSITIVE_SNRS) for (const colour of COLOURS) groups.set(noisy(colour, snr), []);
  const conditions = [...groups.keys()];
  for (const [i, w] of wake.entries()) {
    for (const condition of [CLEAN, ROOM]) groups.get(condition)!.push({ ...w, condition });
    for (const [s, snr] of POSITIVE_SNRS.entries()) {
      const condition = conditions.find((c) => c.snr === snr && c.colour === COLOURS[(i + s) % COLOURS.length])!;
      groups.get(condition)!.push({ ...w, condition });
    }
  }
  const streams = [...groups].map(([condition, cases]) => {
    const parts: Part<WakeCase | Clip>[] = [];
    for (const c of shuffle(cases, random)) {
      // Silence or another sentence before each phrase; the quiet after it, then the next case.
      if (random() < 0.5) {
        const other = everyday[Math.floor(random() * everyday.length)]!;
        parts.push({ pauseS: between(random, 0.3, 1) }, { clip: other, gainDb: between(random, -2, 2), tag: other });
        parts.push({ pauseS: between(random, 0.3, 1) });
      } else parts.push({ pauseS: between(random, 1, 2) });
      parts.push(
        { clip: c.clip, gainDb: between(random, -SPEECH_SPREAD_DB, SPEECH_SPREAD_DB), tag: c },
        { pauseS: TAIL_S },
      );
    }
    return { condition, segment: assemble(parts, condition, noise, random) };
  });
  const { results, stray, tally } = await scoreWakeStreams(pipeline, streams, curve.positives);
  // The same streams with the heads on every frame: what gating costs in misses, if anything.
  pipeline.gating = false;
  const ungated = (await scoreWakeStreams(pipeline, streams)).results;
  pipeline.gating = true;
  // The same streams scored at one phase of the frame grid, as before phases were a profile setting.
  pipeline.usePhases(1);
  const onePhase = await scoreWakeStreams(pipeline, streams);
  pipeline.usePhases(PROFILE.wake.phases);
  const missRate = (of: WakeResult[]) =>
    `${pct(of.filter((r) => !r.hit).length, of.length)} (${KEYWORDS.map((k) => `${k} ${of.filter((r) => r.c.keyword === k && !r.hit).length}`).join(', ')})`;

  const missed = results.filter((r) => !r.hit);
  const lines = [
    `Misses: ${results.length} wake phrases (${WAKE_PHRASES.map((w) => `"${w.text}"`).join(', ')}) × ${VOICES.length} voices × ` +
      `${RATES.length} rates × clean, room, ${POSITIVE_SNRS.join(' and ')} dB SNR (white or pink, alternating), ` +
      `each after silence or another sentence; hit = fires within ${HIT_WINDOW_S} s of the phrase's end`,
  ];
  for (const keyword of KEYWORDS) {
    const mine = results.filter((r) => r.c.keyword === keyword);
    const hits = mine.filter((r) => r.hit);
    const latencies = hits.map((r) => r.latencyS).sort((a, b) => a - b);
    lines.push(
      `  ${keyword.padEnd(12)} detected ${hits.length}/${mine.length}  miss rate ${pct(mine.length - hits.length, mine.length)}` +
        `  (missed: ${[...new Set(mine.map((r) => level(r.c.condition)))].map((l) => `${l} ${rate(mine, l)}`).join(', ')})` +
        `  median fire ${(median(latencies) * 1000).toFixed(0)} ms after the phrase ends`,
    );
  }
  lines.push(
    `  overall miss rate ${pct(missed.length, results.length)} (${missed.length}/${results.length}; target < 5 %)`,
    `  the same streams without the gate (heads on every frame): miss rate ${missRate(ungated)}`,
    `  the same streams at one phase of the frame grid (${PROFILE.name} scores ${PROFILE.wake.phases}): miss rate ${missRate(onePhase.results)}`,
    `  by voice (misses/cases): ${VOICES.map((v) => `${voiceName(v)} ${missed.filter((r) => r.c.clip.voice === voiceName(v)).length}/${results.filter((r) => r.c.clip.voice === voiceName(v)).length}`).join(', ')}`,
    `  by rate: ${RATES.map((r) => `${r.label} ${missed.filter((m) => m.c.clip.rate === r.label).length}/${results.filter((m) => m.c.clip.rate === r.label).length}`).join(', ')}`,
    `  wrong or stray detections in these streams: ${stray.length}${stray.length ? ` (${stray.slice(0, 8).join('; ')})` : ''}`,
    `  misses by keyword and voice:`,
  );
  for (const keyword of KEYWORDS) {
    for (const v of VOICES.map(voiceName)) {
      const mine = results.filter((r) => r.c.keyword === keyword && r.c.clip.voice === v);
      const lost = mine.filter((r) => !r.hit);
      if (lost.length === 0) continue;
      const conditions = lost.map((r) => `${r.c.clip.rate} ${r.c.condition.label}`).join(', ');
      lines.push(`    ${keyword.padEnd(12)} ${v.padEnd(26)} ${lost.length}/${mine.length} (${conditions})`);
    }
  }
  lines.push(
    `  worst cases (lowest peak of the expected keyword from the phrase's start to ${HIT_WINDOW_S} s after it):`,
  );
  for (const r of [...results].sort((a, b) => a.peak - b.peak).slice(0, 12)) {
    lines.push(
      `    ${r.hit ? 'hit ' : 'MISS'} ${r.c.keyword.padEnd(12)} peak ${r.peak.toFixed(3)}  ${r.c.clip.voice}, ${r.c.clip.rate}, ` +
        `${r.c.condition.label}; heads ran on ${r.ran} frames`,
    );
  }
  const gatedOut = missed.filter((r) => r.ran.startsWith('0/')).length;
  lines.push(`  misses where the gate kept the heads off the whole phrase: ${gatedOut}`);
  lines.push(describeTally(`gated pipeline, ${PROFILE.wake.phases} phases`, tally));
  lines.push(describeTally('gated pipeline, one phase', onePhase.tally));
  return lines;
}

interface WakeResult {
  c: WakeCase;
  hit: boolean;
  peak: number;
  ran: string;
  latencyS: number;
}

/** Streams each condition's audio from a fresh pipeline and matches detections to the wake phrases in it. */
async function scoreWakeStreams(
  pipeline: Pipeline,
  streams: { condition: Condition; segment: Segment<WakeCase | Clip> }[],
  /** Where to keep each case's scores for the curve. */
  collect?: Map<Keyword, PositiveCase[]>,
): Promise<{ results: WakeResult[]; stray: string[]; tally: Tally }> {
  const tally = new Tally();
  const results: WakeResult[] = [];
  const stray: string[] = [];
  for (const { condition, segment } of streams) {
    // NaN: the heads did not run on that frame (gated).
    const peaks = new Map<Keyword, Float32Array>(KEYWORDS.map((k) => [k, new Float32Array(segment.frames).fill(NaN)]));
    const { detections, startS } = await pipeline.feed(segment.samples, tally, (frame, scores) => {
      for (const k of KEYWORDS) peaks.get(k)![frame] = scores[k] ?? 0;
    });
    const used = new Set<number>();
    for (const span of segment.spans) {
      if (!('keyword' in span.tag)) continue;
      const c = span.tag;
      const from = span.startS;
      const to = span.endS + HIT_WINDOW_S;
      const index = detections.findIndex(
        (d, i) => !used.has(i) && d.keyword === c.keyword && d.time_s - startS >= from && d.time_s - startS <= to,
      );
      if (index >= 0) used.add(index);
      const scores = peaks.get(c.keyword)!;
      // A detection at the end of frame f is timed (f + 1) frames into the stream.
      collect?.get(c.keyword)!.push({
        trace: scores,
        from: Math.ceil(from / FRAME_S) - 1,
        to: Math.floor(to / FRAME_S) - 1,
        group: level(condition),
      });
      let peak = 0;
      let ran = 0;
      const first = Math.floor(from / FRAME_S);
      const last = Math.min(scores.length, Math.ceil(to / FRAME_S));
      for (let f = first; f < last; f++) {
        if (Number.isNaN(scores[f])) continue;
        ran++;
        peak = Math.max(peak, scores[f]!);
      }
      results.push({
        c,
        hit: index >= 0,
        peak,
        ran: `${ran}/${last - first}`,
        latencyS: index >= 0 ? detections[index]!.time_s - startS - span.endS : NaN,
      });
    }
    for (const [i, d] of detections.entries()) {
      if (used.has(i)) continue;
      const span = lastStartedBy(segment.spans, d.time_s - startS);
      const what = !span
        ? 'before any speech'
        : 'keyword' in span.tag
          ? `"${span.tag.text}" (${span.tag.clip.voice})`
          : `"${span.tag.text}" (${span.tag.voice})`;
      stray.push(`${d.keyword} ${d.score.toFixed(2)} ${condition.label} on ${what}`);
    }
  }
  await pipeline.restart();
  return { results, stray, tally };
}

/** A condition's noise level, whatever its colour. */
function level(c: Condition): string {
  return c.snr === null ? c.label : `${c.snr} dB`;
}

function rate(results: { c: WakeCase; hit: boolean }[], label: string): string {
  const mine = results.filter((r) => level(r.c.condition) === label);
  return `${mine.filter((r) => !r.hit).length}/${mine.length}`;
}

// ── The live pipeline ────────────────────────────────────────────────────────

/** Frames, model runs and compute of one stream (or part of it). */
class Tally {
  frames = 0;
  /** Frames on which the keyword heads ran (`process`, not `skip`). */
  headFrames = 0;
  vadRuns = 0;
  wallS = 0;
  cpuS = 0;

  copy(): Tally {
    return Object.assign(new Tally(), this);
  }
}

/**
 * Per keyword: false accepts per hour and misses (overall and per noise level) over thresholds,
 * replayed from the recorded scores with the profile's patience and refractory time, and the
 * threshold with the fewest misses at or under FA_PER_HOUR_BUDGET.
 */
function describeCurves(curve: CurveData): string[] {
  const rules = {
    patience: PROFILE.wake.patience,
    refractoryFrames: Math.ceil(PROFILE.wake.refractoryMs / (FRAME_S * 1000)),
  };
  const lines = [
    `Miss rate against false accepts per hour (${curve.hours.toFixed(2)} h of everyday speech; the wake phrases above), ` +
      `replayed from the recorded scores (${PROFILE.wake.phases} phases, patience ${rules.patience}, refractory ${PROFILE.wake.refractoryMs} ms)`,
  ];
  for (const keyword of KEYWORDS) {
    const positives = curve.positives.get(keyword)!;
    const points = missFalseAcceptCurve(curve.negatives.get(keyword)!, curve.hours, positives, CURVE_THRESHOLDS, rules);
    const groups = [...new Set(positives.map((p) => p.group))];
    const atProfile = points.find((p) => p.threshold === PROFILE.wake.threshold);
    lines.push(
      `  ${keyword}: threshold  FA/h   miss   ${groups.map((g) => g.padStart(8)).join(' ')}` +
        (atProfile
          ? `   (replay check at ${PROFILE.wake.threshold}: ${Math.round(atProfile.falseAcceptsPerHour * curve.hours)} false accepts, the detector ${curve.detectorAccepts.get(keyword)})`
          : ''),
    );
    for (const p of points) {
      lines.push(
        `    ${p.threshold.toFixed(2).padStart(17)}  ${p.falseAcceptsPerHour.toFixed(2).padStart(5)}  ${(p.missRate * 100).toFixed(1).padStart(5)} %` +
          groups.map((g) => `${((p.missRateByGroup[g] ?? NaN) * 100).toFixed(1).padStart(7)} %`).join(''),
      );
    }
    const best = bestUnder(points, FA_PER_HOUR_BUDGET);
    lines.push(
      best
        ? `    at ≤ ${FA_PER_HOUR_BUDGET} false accepts per hour: threshold ${best.threshold}, miss rate ${(best.missRate * 100).toFixed(1)} %` +
            ` (${groups.map((g) => `${g} ${((best.missRateByGroup[g] ?? NaN) * 100).toFixed(1)} %`).join(', ')}; target < 5 % clean, < 10 % at 10 dB)`
        : `    no threshold keeps false accepts at or under ${FA_PER_HOUR_BUDGET} per hour`,
    );
  }
  return lines;
}

function describeTally(label: string, t: Tally): string {
  const audioS = t.frames * FRAME_S;
  const chunks = (t.frames * WAKE_FRAME_SAMPLES) / 512;
  return (
    `  ${label.padEnd(36)} ${(audioS / 60).toFixed(1).padStart(6)} min in ${t.wallS.toFixed(1).padStart(5)} s: ` +
    `RTF ${(t.wallS / audioS).toFixed(4)}, ` +
    `CPU ${((t.cpuS / audioS) * 100).toFixed(2)} % of one core, heads ran on ${pct(t.headFrames, t.frames)} of frames, ` +
    `VAD on ${pct(t.vadRuns, chunks)} of chunks`
  );
}

/** Energy gate → Silero VAD → openWakeWord, as `Listening.process` runs them on each live frame. */
class Pipeline {
  gating = true;
  private gate = new EnergyGate();
  /** Frames since the stream began: its clock. */
  private clock = 0;

  private constructor(
    private readonly vad: VoiceActivity,
    private readonly detector: WakeWordDetector,
  ) {}

  static async create(loader: ModelLoader): Promise<Pipeline> {
    const detector = await WakeWordDetector.create({ keywords: KEYWORDS, threads: PROFILE.threads.wake, loader });
    detector.configure({ ...PROFILE.wake, thresholds: PROFILE.wake.keywordThresholds });
    const vad = await VoiceActivity.create({ threads: PROFILE.threads.vad, loader });
    vad.configure(PROFILE.vad);
    return new Pipeline(vad, detector);
  }

  /** Streams whole frames in order; detections are timed at the end of their frame, in stream seconds. */
  async feed(
    samples: Float32Array,
    tally: Tally,
    onScores?: (frame: number, scores: Record<string, number>) => void,
  ): Promise<{ detections: { keyword: string; score: number; time_s: number }[]; startS: number }> {
    const startS = this.clock * FRAME_S;
    const detections: { keyword: string; score: number; time_s: number }[] = [];
    const frames = Math.floor(samples.length / WAKE_FRAME_SAMPLES);
    const runsBefore = this.vad.modelRuns;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    for (let f = 0; f < frames; f++) {
      const frame = samples.subarray(f * WAKE_FRAME_SAMPLES, (f + 1) * WAKE_FRAME_SAMPLES);
      this.clock++;
      const gateOpen = this.gate.process(frame);
      const voice = await this.vad.process(frame, gateOpen);
      if (this.gating && !gateOpen && !voice.speaking) {
        await this.detector.skip(frame);
        continue;
      }
      tally.headFrames++;
      const wake = await this.detector.process(frame);
      onScores?.(f, wake.scores);
      for (const d of wake.detections) detections.push({ ...d, time_s: this.clock * FRAME_S });
    }
    tally.wallS += Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    tally.cpuS += (used.user + used.system) / 1e6;
    tally.frames += frames;
    tally.vadRuns += this.vad.modelRuns - runsBefore;
    return { detections, startS };
  }

  /** Scores this many phases of the frame grid from now on. */
  usePhases(phases: 1 | 2 | 4): void {
    this.detector.configure({ ...PROFILE.wake, thresholds: PROFILE.wake.keywordThresholds, phases });
  }

  /** A new stream: gate, VAD and detector as freshly opened. */
  async restart(): Promise<void> {
    this.gate = new EnergyGate();
    this.vad.reset();
    await this.detector.reset();
    this.clock = 0;
  }

  async dispose(): Promise<void> {
    await this.detector.dispose();
    await this.vad.dispose();
  }
}

// ── Assembling audio in memory ───────────────────────────────────────────────

type Part<T> = { pauseS: number } | { clip: Clip; gainDb: number; tag: T };
/** Assembled audio and where each tagged clip lies in it. */
interface Segment<T> {
  samples: Float32Array;
  frames: number;
  spans: Span<T>[];
}
interface Span<T> {
  startS: number;
  endS: number;
  tag: T;
}

/**
 * Lays the parts end to end (whole frames, padded with quiet), speech at SPEECH_DBFS plus each
 * part's gain, and mixes the condition's noise over all of it from a random point of the loop.
 */
function assemble<T>(parts: Part<T>[], condition: Condition, noise: Noises, random: () => number): Segment<T> {
  let length = 0;
  for (const p of parts) length += 'pauseS' in p ? Math.round(p.pauseS * RATE) : p.clip.samples.length;
  const frames = Math.ceil(length / WAKE_FRAME_SAMPLES);
  const samples = new Float32Array(frames * WAKE_FRAME_SAMPLES);
  const spans: Span<T>[] = [];
  let at = 0;
  for (const p of parts) {
    if ('pauseS' in p) {
      at += Math.round(p.pauseS * RATE);
      continue;
    }
    const gain = 10 ** ((SPEECH_DBFS + p.gainDb) / 20);
    const clip = p.clip.samples;
    for (let i = 0; i < clip.length; i++) samples[at + i] = clip[i]! * gain;
    spans.push({ startS: at / RATE, endS: (at + clip.length) / RATE, tag: p.tag });
    at += clip.length;
  }
  const source = noise[condition.colour];
  const gain = 10 ** (condition.dbfs / 20);
  let n = Math.floor(random() * source.length);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = samples[i]! + source[n]! * gain;
    if (++n === source.length) n = 0;
  }
  return { samples, frames, spans };
}

/** The span that began last at or before `time_s` (spans are in time order). */
function lastStartedBy<T>(spans: Span<T>[], time_s: number): Span<T> | undefined {
  let found: Span<T> | undefined;
  for (const span of spans) {
    if (span.startS > time_s) break;
    found = span;
  }
  return found;
}

/** A minute of sox noise (repeatable), scaled to an RMS of 1 so that a condition's level is its RMS. */
async function unitNoise(colour: Colour, dir: string): Promise<Float32Array> {
  const samples = (await decodeWavFile(noiseClip(colour, 60, 0.5, dir))).samples;
  const scale = 1 / rms(samples);
  return samples.map((v) => v * scale);
}

// ── Text to speech ───────────────────────────────────────────────────────────

/** A synthesised utterance: 16 kHz mono, trimmed of the engine's silence, RMS 1. */
interface Clip {
  text: string;
  voice: string;
  rate: string;
  samples: Float32Array;
}

const INSTALL_HINT: Record<string, string> = {
  'espeak-ng': 'espeak-ng',
  flite: 'flite',
  festival: 'festival',
  sox: 'sox',
};
const execFileAsync = promisify(execFile);

async function tool(command: string, args: string[]): Promise<void> {
  try {
    await execFileAsync(command, args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${command} is not installed; this bench needs it (apt-get install ${INSTALL_HINT[command]}).`);
    throw error;
  }
}

/** Each distinct text × voice × rate is synthesised once, engines running side by side; festival in batches (it starts slowly). */
class Speech {
  private readonly wanted = new Map<string, { clip: Clip; voice: Voice; stretch: number; wpm: number; path: string }>();

  constructor(private readonly dir: string) {}

  get count(): number {
    return this.wanted.size;
  }

  /** The clip for this text, voice and rate; its samples are filled by `synthesizeAll`. */
  want(text: string, voice: number, rate: number): Clip {
    const key = `${voice}|${rate}|${text}`;
    const existing = this.wanted.get(key);
    if (existing) return existing.clip;
    const v = VOICES[voice]!;
    const r = RATES[rate]!;
    const clip: Clip = { text, voice: voiceName(v), rate: r.label, samples: new Float32Array(0) };
    const path = join(this.dir, `tts-${this.wanted.size}`);
    this.wanted.set(key, { clip, voice: v, stretch: r.stretch, wpm: r.wpm, path });
    return clip;
  }

  /** Synthesises every wanted clip; returns the seconds it took. */
  async synthesizeAll(): Promise<number> {
    const start = performance.now();
    const all = [...this.wanted.values()];
    const jobs: (() => Promise<void>)[] = [];
    for (const w of all.filter((w) => w.voice.engine !== 'festival')) {
      jobs.push(async () => {
        if (w.voice.engine === 'espeak-ng')
          await tool('espeak-ng', ['-v', w.voice.name, '-s', String(w.wpm), '-w', `${w.path}.wav`, w.clip.text]);
        else
          await tool('flite', [
            '-voice',
            w.voice.name,
            '--setf',
            `duration_stretch=${w.stretch}`,
            '-t',
            w.clip.text,
            '-o',
            `${w.path}.wav`,
          ]);
        await this.load(w);
      });
    }
    const festival = all.filter((w) => w.voice.engine === 'festival');
    for (let i = 0; i < festival.length; i += FESTIVAL_BATCH) {
      const batch = festival.slice(i, i + FESTIVAL_BATCH);
      jobs.push(async () => {
        const script = batch.map(
          (w) =>
            `(voice_${w.voice.name})\n(Parameter.set 'Duration_Stretch ${w.stretch})\n` +
            `(utt.save.wave (utt.synth (Utterance Text "${w.clip.text.replace(/["\\]/g, '')}")) "${w.path}.wav" 'riff)`,
        );
        const file = `${batch[0]!.path}.scm`;
        writeFileSync(file, script.join('\n') + '\n');
        await tool('festival', ['-b', file]);
        for (const w of batch) await this.load(w);
      });
    }
    await inPool(jobs, availableParallelism());
    return (performance.now() - start) / 1000;
  }

  /** To 16 kHz mono (espeak-ng speaks at 22.05 kHz), trimmed of the engine's silence, at RMS 1. */
  private async load(w: { clip: Clip; path: string }): Promise<void> {
    let wav = await decodeWavFile(`${w.path}.wav`);
    if (wav.sampleRate !== RATE || wav.channels !== 1) {
      await tool('sox', ['-R', `${w.path}.wav`, '-r', String(RATE), '-c', '1', '-b', '16', `${w.path}-16k.wav`]);
      wav = await decodeWavFile(`${w.path}-16k.wav`);
    }
    const samples = trimSilence(wav.samples);
    if (samples.length < RATE / 10) throw new Error(`${w.clip.voice} made no usable speech for "${w.clip.text}".`);
    const scale = 1 / rms(samples);
    w.clip.samples = samples.map((v) => v * scale);
  }
}

/**
 * Cuts what lies TRIM_BELOW_DB under the loudest 10 ms, keeping TRIM_MARGIN_S. Relative and low on
 * purpose: sox's `silence 1 0.01 0.5%` (tests/support/tts-speech.ts) cut the breathy "h" of flite awb's
 * "hey my croft", and its score fell from 1.000 to 0.000.
 */
function trimSilence(samples: Float32Array): Float32Array {
  const w = RATE / 100;
  const energy: number[] = [];
  for (let at = 0; at + w <= samples.length; at += w) {
    let sum = 0;
    for (let i = at; i < at + w; i++) sum += samples[i]! * samples[i]!;
    energy.push(sum / w);
  }
  const floor = Math.max(...energy) * 10 ** (TRIM_BELOW_DB / 10);
  const first = energy.findIndex((e) => e >= floor);
  if (first < 0) return samples.subarray(0, 0);
  let last = energy.length - 1;
  while (energy[last]! < floor) last--;
  const margin = Math.round(TRIM_MARGIN_S * RATE);
  return samples.subarray(Math.max(0, first * w - margin), Math.min(samples.length, (last + 1) * w + margin));
}

async function inPool(jobs: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]!();
    }),
  );
}

function voiceName(v: Voice): string {
  return `${v.engine} ${v.name}`;
}

// ── The everyday corpus ──────────────────────────────────────────────────────

const PEOPLE = words(
  'my sister|the neighbour|our manager|the old man next door|a friend of mine|the delivery driver|' +
    'my brother|the teacher|my grandmother|the new intern|the plumber|our landlord|the bus driver|' +
    'my colleague|the doctor|the kids next door|my partner|the baker|your cousin|the whole team',
);
const DID = words(
  'forgot|found|bought|fixed|painted|borrowed|returned|cleaned|lost|ordered|carried|cooked|sold|' +
    'dropped|washed|packed|moved|checked|opened|wrapped',
);
const THINGS = words(
  'the blue umbrella|a bag of apples|the kitchen table|an old bicycle|the garden gate|' +
    'a box of books|the front door key|a loaf of bread|the broken lamp|a pair of boots|' +
    'the winter coats|a bunch of flowers|the heavy suitcase|a cup of coffee|the car windows|' +
    'some fresh fish|the living room curtains|a new phone charger|the recycling bins|a birthday cake|' +
    'the spare tyre|a jar of honey|the photo album|the red notebook|a basket of laundry',
);
const WHEN = words(
  'before lunch|on the way home|last tuesday|after the meeting|in the rain|this morning|' +
    'at the station|without telling anyone|twice this week|for the weekend|near the park|' +
    'late at night|in a hurry|yesterday afternoon|at the market|during the storm|on sunday evening|' +
    'right after dinner',
);
const PLACES = words(
  'the library|the post office|the swimming pool|the pharmacy|the bakery|the train station|' +
    'the museum|the garage|the supermarket|the dentist|the hardware store|the town hall',
);
const DAYS = words('monday|tuesday|wednesday|thursday|friday|saturday|sunday');
const CITIES = words('paris|london|tokyo|berlin|madrid|chicago|toronto|sydney|dublin|oslo|lisbon|vienna');
const COUNTS = words('two|three|four|five|six|seven|eight|ten|twelve|fifteen|twenty|forty five');
const HOURS_OF_DAY = words('one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve');
const ROOMS = words('kitchen|bedroom|living room|hallway|bathroom|garden|office|garage');
const GENRES = words('jazz|classical|rock|folk|piano|reggae|country|blues');
const ITEMS = words('milk|eggs|butter|rice|coffee beans|dish soap|tomatoes|orange juice|batteries|paper towels');
const TASKS = words(
  'call the bank|water the plants|pick up the kids|pay the electricity bill|' +
    'book a table for dinner|take out the rubbish|feed the cat|send the report',
);
const LATER = words('tomorrow morning|at six|in an hour|after work|on friday|tonight');
const WEATHER = words('rain|snow|be windy|be sunny|get colder|clear up');
const FEELINGS = words('tired|happy|surprised|worried|hungry|relieved|bored|excited');
const BECAUSE = words(
  'the train was late again|nobody answered the phone|the shop closed early|' +
    'it rained all afternoon|the printer ran out of paper|the meeting took three hours|' +
    'the roads were icy|the oven would not turn on',
);

/** Distinct everyday sentences (statements, questions, assistant-style commands) without a wake phrase or near-miss. */
function everydaySentences(count: number, random: () => number): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const templates: (() => string)[] = [
    () => `${pick(PEOPLE)} ${pick(DID)} ${pick(THINGS)} ${pick(WHEN)}`,
    () => `${pick(PEOPLE)} ${pick(DID)} ${pick(THINGS)} ${pick(WHEN)}`,
    () => `what time does ${pick(PLACES)} open on ${pick(DAYS)}`,
    () => `how long does it take to get to ${pick(PLACES)} from here`,
    () => `do you know where i left ${pick(THINGS)}`,
    () => `is it going to ${pick(WEATHER)} in ${pick(CITIES)} on ${pick(DAYS)}`,
    () => `turn off the lights in the ${pick(ROOMS)}`,
    () => `set a timer for ${pick(COUNTS)} minutes`,
    () => `play some ${pick(GENRES)} music in the ${pick(ROOMS)}`,
    () => `add ${pick(ITEMS)} to the shopping list`,
    () => `remind me to ${pick(TASKS)} ${pick(LATER)}`,
    () => `what is the weather like in ${pick(CITIES)} today`,
    () => `${pick(PEOPLE)} was ${pick(FEELINGS)} because ${pick(BECAUSE)}`,
    () => `we need ${pick(COUNTS)} more chairs for the party on ${pick(DAYS)}`,
    () => `i think ${pick(PEOPLE)} left ${pick(THINGS)} at ${pick(PLACES)}`,
    () => `the meeting with ${pick(PEOPLE)} moved to ${pick(HOURS_OF_DAY)} o'clock`,
    () => `can you tell me how to get to ${pick(PLACES)}`,
    () => `i was ${pick(FEELINGS)} when ${pick(BECAUSE)}`,
  ];
  const sentences = new Set<string>();
  for (let tries = 0; sentences.size < count && tries < count * 100; tries++) {
    const sentence = pick(templates)();
    if (!NOT_EVERYDAY.test(sentence)) sentences.add(sentence);
  }
  return [...sentences];
}

// ── Small helpers ────────────────────────────────────────────────────────────

function words(list: string): string[] {
  return list.split('|');
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (const v of samples) sum += v * v;
  return Math.sqrt(sum / Math.max(1, samples.length)) || 1;
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(1)} %`;
}

function median(sorted: number[]): number {
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : NaN;
}

function fmtTime(s: number): string {
  return `${String(Math.floor(s / 60)).padStart(3)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

function between(random: () => number, low: number, high: number): number {
  return low + random() * (high - low);
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
