// The wake-word detector on generated audio (espeak-ng, flite, festival and sox): wake phrases in several voices, clean and with white noise, must fire; ordinary sentences, the near-misses the models do reject, and a stream that starts in noise must not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWavFile } from '../../../src/main/audio/wav';
import { ModelLoader } from '../../../src/main/worker/models/model-loader';
import { scanForWakeWords } from '../../../src/main/worker/wake/scan-file';
import { WAKE_FRAME_SAMPLES, WakeWordDetector } from '../../../src/main/worker/wake/wake-word-detector';
import { useTempDirs } from '../../support/temp-dir';
import { noiseClip, synthesize, TTS_VOICES, voiceLabel, type NoiseColour, type TtsVoice } from '../../support/tts';

/*
 * Measured with these models and Debian 12's engines (peak score from a cold start; threshold 0.5;
 * clean | white noise `vol 0.02` | `vol 0.1`, mixed over the padded clip):
 *
 * "hey jarvis" → hey_jarvis
 *   espeak-ng en-us 0.995 | 0.998 | 0.928   en-us+f3 0.989 | 0.990 | 0.996   en-gb 0.998 | 0.998 | 0.992
 *   flite slt 0.988 | 0.996 | 0.849   awb 0.956 | 0.812 | 0.026   rms 0.997 | 0.998 | 0.493
 *   festival kal_diphone 0.985 | 0.987 | 0.347
 * "alexa" → alexa
 *   espeak-ng en-us 0.986 | 0.018 | 0.005   en-us+f3 0.892 | 0.016 | 0.030   en-gb 1.000 | 0.912 | 0.164
 *   flite slt 1.000 | 1.000 | 0.999   awb 0.999 | 0.990 | 0.996   rms 1.000 | 0.938 | 0.898
 *   festival kal_diphone 1.000 | 0.980 | 0.351
 * "hey my croft" → hey_mycroft (every engine reads the spelling "mycroft" as "mick-roft", which scores 0.000)
 *   espeak-ng en-us 0.998 | 0.782 | 0.001   en-us+f3 1.000 | 0.998 | 0.003   en-gb 1.000 | 1.000 | 1.000
 *   flite slt 0.919 | 0.021 | 0.007   awb 1.000 | 0.012 | 0.000   rms 0.030 | 0.000 | 0.000
 *   festival kal_diphone 1.000 | 0.999 | 0.489
 *
 * Near-misses, clean (the keyword they resemble):
 *   "hey travis" (hey_jarvis): espeak-ng en-us 0.123, en-us+f3 0.387, en-gb 0.435; flite slt 0.877,
 *     awb 0.962, rms 0.206; festival 0.111. Two flite voices fire: a true confusion of the model.
 *   "jarvis" (hey_jarvis): ≤ 0.049 everywhere but flite slt 0.424.
 *   "hey microsoft" (hey_mycroft): espeak-ng en-us 0.000, en-us+f3 0.002, en-gb 0.629; flite slt 0.995,
 *     awb 0.180, rms 1.000; festival 1.000. A known weakness of the hey_mycroft head.
 *   "a lexus" (alexa): 0.97–1.00 in six voices (en-us+f3 0.143): it is the same sounds as "alexa".
 * Ordinary sentences ("the weather is nice today", "please set a timer for ten minutes"): ≤ 0.005
 * for all three keywords in every voice, clean or with either noise.
 *
 * A stream that starts in 3 s of sox noise (white, pink, brown at vol 0.02, 0.1, 0.3): ≤ 0.009 for all
 * three. With openWakeWord's mel pre-fill of ones instead (see WakeWordDetector.computePrefill) the
 * same clips reach alexa 0.59–0.91 (pink and brown, vol 0.1 and 0.3) and hey_mycroft 0.46.
 *
 * Asserted below: every case measured ≥ 0.75 must fire, every case measured ≤ 0.25 must not.
 */

type VoiceName = keyof typeof TTS_VOICES;
const KEYWORDS = ['hey_jarvis', 'alexa', 'hey_mycroft'];
const ALL: VoiceName[] = ['espeakUs', 'espeakUsFemale', 'espeakGb', 'fliteSlt', 'fliteAwb', 'fliteRms', 'festivalKal'];
const CLEAN = 0;
const NOISE = 0.02;
const LOUD_NOISE = 0.1;

interface Case {
  text: string;
  keyword: string;
  voices: VoiceName[];
  noise: number;
}

const POSITIVES: Case[] = [
  { text: 'hey jarvis', keyword: 'hey_jarvis', voices: ALL, noise: CLEAN },
  { text: 'hey jarvis', keyword: 'hey_jarvis', voices: ALL, noise: NOISE },
  {
    text: 'hey jarvis',
    keyword: 'hey_jarvis',
    voices: ['espeakUs', 'espeakUsFemale', 'espeakGb', 'fliteSlt'],
    noise: LOUD_NOISE,
  },
  { text: 'alexa', keyword: 'alexa', voices: ALL, noise: CLEAN },
  {
    text: 'alexa',
    keyword: 'alexa',
    voices: ['espeakGb', 'fliteSlt', 'fliteAwb', 'fliteRms', 'festivalKal'],
    noise: NOISE,
  },
  { text: 'alexa', keyword: 'alexa', voices: ['fliteSlt', 'fliteAwb', 'fliteRms'], noise: LOUD_NOISE },
  {
    text: 'hey my croft',
    keyword: 'hey_mycroft',
    voices: ['espeakUs', 'espeakUsFemale', 'espeakGb', 'fliteSlt', 'fliteAwb', 'festivalKal'],
    noise: CLEAN,
  },
  {
    text: 'hey my croft',
    keyword: 'hey_mycroft',
    voices: ['espeakUs', 'espeakUsFemale', 'espeakGb', 'festivalKal'],
    noise: NOISE,
  },
  { text: 'hey my croft', keyword: 'hey_mycroft', voices: ['espeakGb'], noise: LOUD_NOISE },
];

const NEGATIVES: Case[] = [
  { text: 'the weather is nice today', keyword: '', voices: ALL, noise: CLEAN },
  { text: 'please set a timer for ten minutes', keyword: '', voices: ALL, noise: CLEAN },
  { text: 'hey travis', keyword: 'hey_jarvis', voices: ['espeakUs', 'fliteRms', 'festivalKal'], noise: CLEAN },
  {
    text: 'jarvis',
    keyword: 'hey_jarvis',
    voices: ['espeakUs', 'espeakUsFemale', 'espeakGb', 'fliteAwb', 'fliteRms', 'festivalKal'],
    noise: CLEAN,
  },
  { text: 'hey microsoft', keyword: 'hey_mycroft', voices: ['espeakUs', 'espeakUsFemale', 'fliteAwb'], noise: CLEAN },
  { text: 'a lexus', keyword: 'alexa', voices: ['espeakUsFemale'], noise: CLEAN },
  { text: 'the weather is nice today', keyword: '', voices: ALL, noise: NOISE },
];

const rows = (cases: Case[]) =>
  cases.flatMap((c) =>
    c.voices.map((name) => {
      const voice: TtsVoice = TTS_VOICES[name];
      return { ...c, voice, label: `${voiceLabel(voice)}${c.noise ? `, noise ${c.noise}` : ''}` };
    }),
  );

const tempDir = useTempDirs();
let detector: WakeWordDetector;

beforeAll(async () => {
  detector = await WakeWordDetector.create({ keywords: KEYWORDS, threads: 1, loader: new ModelLoader() });
  detector.configure({ threshold: 0.5, patience: 1, refractoryMs: 2000 });
}, 60_000);

afterAll(() => detector?.dispose());

async function speak(text: string, voice: TtsVoice, noise: number): Promise<Float32Array> {
  const path = synthesize(text, voice, tempDir(), noise ? { noise } : {});
  const wav = await decodeWavFile(path);
  expect([wav.sampleRate, wav.channels]).toEqual([16000, 1]);
  return wav.samples;
}

describe('generated wake phrases fire', () => {
  it.each(rows(POSITIVES))('"$text" → $keyword ($label)', async ({ text, keyword, voice, noise }) => {
    const samples = await speak(text, voice, noise);
    const scan = await scanForWakeWords(samples, detector);
    expect(scan.detections.map((d) => d.keyword)).toEqual([keyword]);
    expect(scan.detections[0]!.score).toBeGreaterThanOrEqual(0.5);
    // Speech starts after 0.5 s of padding; the detection comes within the clip or its appended second.
    expect(scan.detections[0]!.time_s).toBeGreaterThan(0.5);
    expect(scan.detections[0]!.time_s).toBeLessThanOrEqual(samples.length / 16000 + 1.04);
  });
});

/** Peak score per keyword over every frame from the pre-filled state; no frame may fire. */
async function maxScoresWithoutDetection(samples: Float32Array): Promise<Record<string, number>> {
  await detector.reset();
  const max: Record<string, number> = {};
  const frame = new Float32Array(WAKE_FRAME_SAMPLES);
  for (let at = 0; at < samples.length; at += WAKE_FRAME_SAMPLES) {
    frame.fill(0).set(samples.subarray(at, at + WAKE_FRAME_SAMPLES));
    const result = await detector.process(frame);
    expect(result.detections).toEqual([]);
    for (const [k, v] of Object.entries(result.scores)) max[k] = Math.max(max[k] ?? 0, v);
  }
  return max;
}

describe('ordinary speech and rejected near-misses do not', () => {
  it.each(rows(NEGATIVES))('"$text" ($label)', async ({ text, keyword, voice, noise }) => {
    const max = await maxScoresWithoutDetection(await speak(text, voice, noise));
    // The resembled keyword may come closer (measured ≤ 0.206), the others stay near zero.
    for (const k of KEYWORDS) expect(max[k], k).toBeLessThanOrEqual(k === keyword ? 0.35 : 0.1);
  });
});

describe('a stream that starts in noise does not', () => {
  const cases = (['whitenoise', 'pinknoise', 'brownnoise'] as NoiseColour[]).flatMap((colour) =>
    [0.02, 0.1, 0.3].map((volume) => ({ colour, volume })),
  );
  it.each(cases)('$colour at vol $volume', async ({ colour, volume }) => {
    const wav = await decodeWavFile(noiseClip(colour, 3, volume, tempDir()));
    const max = await maxScoresWithoutDetection(wav.samples);
    for (const k of KEYWORDS) expect(max[k], k).toBeLessThanOrEqual(0.1);
  });
});
