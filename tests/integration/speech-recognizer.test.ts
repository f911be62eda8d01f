// Whisper recognition with the real tiny model: jfk.wav, generated speech in several voices and languages, long audio, caching.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWavFile } from '../../src/main/audio/wav';
import { ModelLoader } from '../../src/main/worker/models/model-loader';
import { EncoderCache } from '../../src/main/worker/asr/encoder-cache';
import { SpeechRecognizer, type TranscribeOptions } from '../../src/main/worker/asr/speech-recognizer';
import { ARENA_WINDOW_FRAMES, WhisperModel } from '../../src/main/worker/asr/whisper-model';
import { resolveWhisperModel } from '../../src/main/worker/asr/whisper-registry';
import { PRESETS } from '../../src/shared/profiles';
import { SHARED_AUDIO } from '../support/shared-audio';
import { SpeechGenerator, type SpeechPart, type TtsVoice } from '../support/tts-speech';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normaliseText, wordErrorRate } from '../support/wer';

const JFK_TEXT =
  'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const BALANCED = PRESETS[0]!.decoding;
const OPTIONS: TranscribeOptions = {
  language: 'auto',
  task: 'transcribe',
  timestamps: false,
  beamSize: 1,
  temperatures: BALANCED.temperatures,
  compressionRatioThreshold: BALANCED.compressionRatioThreshold,
  logProbThreshold: BALANCED.logProbThreshold,
  noSpeechThreshold: BALANCED.noSpeechThreshold,
};

/** Spoken commands in voices tiny hears well and one it does not (espeak-ng). */
const COMMANDS: { voice: TtsVoice; text: string }[] = [
  { voice: 'flite-slt', text: 'Turn on the lights in the kitchen.' },
  { voice: 'flite-kal', text: 'What is the weather going to be like tomorrow?' },
  { voice: 'festival-kal', text: 'Set a timer for twenty minutes.' },
  { voice: 'flite-rms', text: 'Send a message to my sister saying I will be late.' },
  { voice: 'flite-slt', text: 'Add milk and bread to the shopping list.' },
  { voice: 'festival-kal', text: 'Open the garage door please.' },
  { voice: 'espeak-en-us', text: 'Call my mother on her mobile phone.' },
  { voice: 'flite-kal', text: 'How long does it take to drive to the airport?' },
];

let speech: SpeechGenerator;
let speechDir: string;
let model: WhisperModel;
let recognizer: SpeechRecognizer;
let jfk: Float32Array;

beforeAll(async () => {
  model = await WhisperModel.load(resolveWhisperModel('tiny'), new ModelLoader(), { threads: 2, fitWindow: true });
  recognizer = new SpeechRecognizer(model, new EncoderCache(4));
  jfk = (await decodeWavFile(SHARED_AUDIO.jfk)).samples;
  speechDir = mkdtempSync(join(tmpdir(), 'earshot-asr-'));
  speech = new SpeechGenerator(speechDir);
}, 60_000);
afterAll(async () => {
  await model?.release();
  rmSync(speechDir, { recursive: true, force: true });
});

describe('SpeechRecognizer (whisper-tiny, fitted encoder window)', () => {
  it('transcribes jfk.wav exactly and identifies English with probability above 0.9', async () => {
    expect(model.fitted).toBe(true);
    const result = await recognizer.transcribe(jfk, OPTIONS);
    expect(normaliseText(result.text)).toEqual(normaliseText(JFK_TEXT));
    expect(result.language).toBe('en');
    expect(result.languageProbs.en).toBeGreaterThan(0.9);
    expect(Object.keys(result.languageProbs)).toHaveLength(5);
    expect(result.noSpeech).toBe(false);
    expect(result.temperatures).toEqual([0]);
  });

  it('gives the same text with beam search and with timestamps, and segments inside the clip', async () => {
    const beam = await recognizer.transcribe(jfk, { ...OPTIONS, language: 'en', beamSize: 3 });
    expect(normaliseText(beam.text)).toEqual(normaliseText(JFK_TEXT));
    const timed = await recognizer.transcribe(jfk, { ...OPTIONS, language: 'en', timestamps: true });
    expect(normaliseText(timed.text)).toEqual(normaliseText(JFK_TEXT));
    expect(timed.segments.length).toBeGreaterThan(0);
    let previousEnd = 0;
    for (const s of timed.segments) {
      expect(s.start).toBeGreaterThanOrEqual(previousEnd - 0.01);
      expect(s.end).toBeGreaterThan(s.start);
      expect(s.end).toBeLessThanOrEqual(jfk.length / 16000 + 0.5);
      previousEnd = s.end;
    }
  });

  it('serves the encoder from the cache when the same audio comes again, and only then', async () => {
    const clip = jfk.slice(0, 16000 * 4);
    const first = await recognizer.transcribe(clip, { ...OPTIONS, language: 'en' });
    expect(first.cache).toEqual({ encoderHits: 0, encoderMisses: 1 });
    const again = await recognizer.transcribe(clip, { ...OPTIONS, language: 'en' });
    expect(again.cache).toEqual({ encoderHits: 1, encoderMisses: 0 });
    expect(again.timings.encoderMs).toBe(0);
    expect(again.text).toBe(first.text);
    // One sample changed is another input: never the same key.
    const changed = clip.slice();
    changed[12345] = (changed[12345] as number) + 1e-3;
    expect((await recognizer.transcribe(changed, { ...OPTIONS, language: 'en' })).cache.encoderMisses).toBe(1);
  });

  it('transcribes generated commands from espeak-ng, flite and festival voices (WER measured and bounded)', async () => {
    const pairs = [];
    for (const c of COMMANDS) {
      const clip = await speech.compose([{ silence_s: 0.3 }, { say: c.text, voice: c.voice }, { silence_s: 0.5 }]);
      const result = await recognizer.transcribe(clip.samples, { ...OPTIONS, language: 'en' });
      pairs.push({ reference: c.text, hypothesis: result.text });
    }
    const wer = wordErrorRate(pairs);
    // Measured 0.08 here: tiny mishears espeak-ng's robotic voice most.
    expect(wer, JSON.stringify(pairs, null, 1)).toBeLessThan(0.15);
  });

  it('hears the same words alike whatever silence surrounds them, and times segments on the clip it was given', async () => {
    // Without speech bounds, tiny dropped "close all the windows" with some of these leads and not others.
    const words = (
      await speech.compose([{ say: 'close all the windows and lock the front door', voice: 'festival-kal' }])
    ).samples;
    const around = (before: number, after: number): Float32Array => {
      const clip = new Float32Array(before + words.length + after);
      clip.set(words, before);
      return clip;
    };
    const variants = [around(10_437, 3_211), around(14_401, 9_600), around(7_200, 800), around(12_000, 0)];
    const results = [];
    for (const clip of variants) results.push(await recognizer.transcribe(clip, OPTIONS));
    for (const r of results.slice(1)) {
      expect(r.text).toBe(results[0]!.text);
      expect(r.windowTokens).toEqual(results[0]!.windowTokens);
    }
    expect(normaliseText(results[0]!.text).join(' ')).toContain('close all the windows');
    const timed = await recognizer.transcribe(variants[1]!, { ...OPTIONS, timestamps: true });
    expect(timed.segments[0]!.start).toBeCloseTo(14_401 / 16000, 0);
    expect(timed.segments.at(-1)!.end).toBeLessThanOrEqual(variants[1]!.length / 16000);
  });

  it('warms the fallback ladder and the windows without caching anything, and stops when asked', async () => {
    const fresh = new SpeechRecognizer(model, new EncoderCache(4));
    const stopped = new AbortController();
    stopped.abort();
    let waits = 0;
    await fresh.warmUp(2, stopped.signal, async () => void waits++);
    expect(waits).toBe(1); // asked for a quiet moment once, then stopped
    await fresh.warmUp(2, undefined, async () => void waits++);
    expect(waits).toBe(1 + 1 + 2); // the ladder, then each window
    expect(fresh.cache.size).toBe(0);
    await fresh.warmUp(2, undefined, async () => void waits++);
    expect(waits).toBe(4); // all warm already
  });

  it('decodes identically whether the language is given or identified first (the identification run is reused)', async () => {
    for (const c of COMMANDS.slice(0, 4)) {
      const clip = await speech.compose([{ silence_s: 0.3 }, { say: c.text, voice: c.voice }, { silence_s: 0.5 }]);
      const greedy = { ...OPTIONS, temperatures: [0] };
      const given = await recognizer.transcribe(clip.samples, { ...greedy, language: 'en' });
      const identified = await recognizer.transcribe(clip.samples, greedy);
      expect(identified.language).toBe('en');
      expect(identified.text, c.text).toBe(given.text);
      expect(identified.tokens).toBe(given.tokens);
    }
  });

  it('runs the translate task (English stays English)', async () => {
    const translated = await recognizer.transcribe(jfk, { ...OPTIONS, task: 'translate' });
    expect(normaliseText(translated.text).join(' ')).toContain('ask not what your country can do for you');
  });

  it('follows an initial prompt: custom vocabulary spells a name its way', async () => {
    const jane = (await decodeWavFile(SHARED_AUDIO.heyJane)).samples;
    const plain = await recognizer.transcribe(jane, { ...OPTIONS, language: 'en' });
    expect(plain.text).toContain('Jane');
    const prompted = await recognizer.transcribe(jane, {
      ...OPTIONS,
      language: 'en',
      prompt: 'Hey Jayne, Hey Jayne, turn the lights on',
    });
    expect(prompted.text).toContain('Jayne');
    expect(normaliseText(prompted.text)).toContain('lights');
  });

  it('identifies German, French and Spanish spoken by espeak-ng', async () => {
    const samples: { voice: TtsVoice; language: string; text: string }[] = [
      { voice: 'espeak-de', language: 'de', text: 'Guten Morgen, wie geht es dir heute? Das Wetter ist sehr schön.' },
      {
        voice: 'espeak-fr',
        language: 'fr',
        text: 'Bonjour, je voudrais réserver une table pour deux personnes ce soir.',
      },
      { voice: 'espeak-es', language: 'es', text: 'Buenos días, ¿dónde está la estación de tren más cercana?' },
    ];
    for (const s of samples) {
      const clip = await speech.compose([{ silence_s: 0.3 }, { say: s.text, voice: s.voice }, { silence_s: 0.5 }]);
      const result = await recognizer.transcribe(clip.samples, OPTIONS);
      expect(result.language, `${s.language}: ${JSON.stringify(result.languageProbs)}`).toBe(s.language);
    }
  });

  it('transcribes alike in a window on the arena session and in a longer one on its own session', async () => {
    // jfk.wav (11 s) with its 3 s tail fits ARENA_WINDOW_FRAMES; 2 s of silence more does not.
    const longer = new Float32Array(jfk.length + 2 * 16000);
    longer.set(jfk);
    const [short, long] = [
      await recognizer.transcribe(jfk, { ...OPTIONS, language: 'en' }),
      await recognizer.transcribe(longer, { ...OPTIONS, language: 'en' }),
    ];
    expect(Math.ceil(jfk.length / 160) + 300).toBeLessThanOrEqual(ARENA_WINDOW_FRAMES);
    expect(Math.ceil(longer.length / 160) + 300).toBeGreaterThan(ARENA_WINDOW_FRAMES);
    // The two windows differ in silence only, which may move a comma; the words are the same.
    expect(normaliseText(short.text)).toEqual(normaliseText(JFK_TEXT));
    expect(normaliseText(long.text)).toEqual(normaliseText(JFK_TEXT));
    // Memory ran low: the arena goes, and the short window gives the same text without it.
    const arenaLess = await WhisperModel.load(resolveWhisperModel('tiny'), new ModelLoader(), {
      threads: 2,
      fitWindow: true,
    });
    try {
      expect(await arenaLess.releaseArena()).toBe(true);
      expect(await arenaLess.releaseArena()).toBe(false);
      const again = await new SpeechRecognizer(arenaLess, new EncoderCache(0)).transcribe(jfk, {
        ...OPTIONS,
        language: 'en',
      });
      expect(again.text).toBe(short.text);
    } finally {
      await arenaLess.release();
    }
  });

  it('transcribes audio longer than 30 s window by window instead of truncating it', async () => {
    const parts: SpeechPart[] = [];
    for (const c of COMMANDS) parts.push({ say: c.text, voice: c.voice }, { silence_s: 0.8 });
    const commands = await speech.compose(parts);
    const long = new Float32Array(jfk.length + commands.samples.length);
    long.set(jfk);
    long.set(commands.samples, jfk.length);
    expect(long.length / 16000).toBeGreaterThan(32);
    const result = await recognizer.transcribe(long, { ...OPTIONS, language: 'en', timestamps: true });
    const reference = [JFK_TEXT, ...COMMANDS.map((c) => c.text)].join(' ');
    // Measured 0.21: in one long context tiny runs two commands together; what matters here is that nothing is cut.
    expect(wordErrorRate([{ reference, hypothesis: result.text }]), result.text).toBeLessThan(0.3);
    // The last command lies after the first 30 s window.
    expect(normaliseText(result.text).slice(-8)).toEqual(expect.arrayContaining(['take', 'drive']));
    expect(result.segments.at(-1)!.end).toBeGreaterThan(30);
    expect(result.temperatures.length).toBeGreaterThanOrEqual(2);
  });
});
