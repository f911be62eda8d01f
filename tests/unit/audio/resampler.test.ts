// The streaming resampler: pitch, level, SNR, alias rejection and flatness per quality, chunking, rates, buffers.
import { describe, expect, it } from 'vitest';
import { fitSine, rms, steadyBytesPerCall, type AnyFunction } from '../../support/wav-analysis';
import { createResampler, type Resampler, type ResamplerQuality } from '../../../src/main/audio/resampler';

const QUALITIES: ResamplerQuality[] = ['fast', 'medium', 'high'];
const RATES = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000];
const OUT = 16000;

/** Minimum 1 kHz SNR (dB) per quality; linear interpolation manages about 50 dB at 44.1k → 16k. */
const MIN_SNR: Record<ResamplerQuality, number> = { fast: 100, medium: 120, high: 130 };
/** Maximum level (dB) of anything above 8 kHz after conversion; nearest-neighbour leaves 0 dB. */
const MAX_ALIAS: Record<ResamplerQuality, number> = { fast: -100, medium: -120, high: -140 };
/** Upper edge of the flat band as a fraction of the output Nyquist (see FILTER_DESIGNS). */
const PASSBAND: Record<ResamplerQuality, number> = { fast: 0.7, medium: 0.85, high: 0.92 };

function sine(rate: number, freq: number, seconds: number, amplitude = 0.5): Float32Array {
  const x = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < x.length; i++) x[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / rate);
  return x;
}

/** Feeds `input` in chunks of the given sizes (cycled) and concatenates the outputs. */
function stream(r: Resampler, input: Float32Array, sizes: number[] = [1024]): Float32Array {
  const out: number[] = [];
  for (let i = 0, k = 0; i < input.length; k++) {
    const n = Math.min(sizes[k % sizes.length]!, input.length - i);
    for (const v of r.process(input.subarray(i, i + n))) out.push(v);
    i += n;
  }
  return Float32Array.from(out);
}

/** Drops the first 50 ms (filter warm-up over zero history). */
function steady(y: Float32Array): Float32Array {
  return y.subarray(Math.round(0.05 * OUT));
}

const db = (ratio: number) => 20 * Math.log10(ratio);

/** Frequency from the first and last upward zero crossings, interpolated between samples. */
function zeroCrossingFrequency(y: Float32Array, rate: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 1; i < y.length; i++) {
    if (y[i - 1]! < 0 && y[i]! >= 0) {
      const t = i - 1 + y[i - 1]! / (y[i - 1]! - y[i]!);
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return ((count - 1) * rate) / (last - first);
}

/** Level in dB of what a tone at `freq` leaves in the output, relative to its input level. */
function toneGainDb(make: () => Resampler, inputRate: number, freq: number): number {
  const y = steady(stream(make(), sine(inputRate, freq, 0.3)));
  return db(rms(y) / (0.5 / Math.SQRT2));
}

/** One-shot naive resamplers that the thresholds above must reject (proof that the tests can fail). */
function naive(kind: 'nearest' | 'linear', inputRate: number): Resampler {
  const step = inputRate / OUT;
  return {
    inputRate,
    outputRate: OUT,
    quality: 'fast',
    process(input) {
      const out: number[] = [];
      for (let t = 0; t + 1 < input.length; t += step) {
        const i = Math.floor(t);
        const a = input[i]!;
        const b = input[i + 1]!;
        out.push(kind === 'nearest' ? (t - i < 0.5 ? a : b) : a + (b - a) * (t - i));
      }
      return Float32Array.from(out);
    },
    reset() {},
  };
}

describe('createResampler', () => {
  it.each(QUALITIES)('%s: a 1 kHz tone at 44.1 kHz stays at 1 kHz and at its level', (quality) => {
    const y = steady(stream(createResampler(44100, OUT, quality), sine(44100, 1000, 0.5)));
    expect(zeroCrossingFrequency(y, OUT)).toBeCloseTo(1000, 1);
    // RMS of a 0.5-amplitude sine is 0.3536.
    expect(Math.abs(db(rms(y) / 0.35355))).toBeLessThan(0.01);
  });

  it.each(QUALITIES)('%s: 1 kHz SNR meets its threshold at 44.1k and 48k', (quality) => {
    for (const rate of [44100, 48000]) {
      const y = steady(stream(createResampler(rate, OUT, quality), sine(rate, 1000, 0.5)));
      expect(fitSine(y, OUT, 1000).snrDb, `${rate} Hz`).toBeGreaterThan(MIN_SNR[quality]);
    }
  });

  it.each(QUALITIES)('%s: tones above the output Nyquist (10 kHz and others) are rejected', (quality) => {
    const make = () => createResampler(44100, OUT, quality);
    expect(toneGainDb(make, 44100, 10000)).toBeLessThan(MAX_ALIAS[quality]);
    for (const freq of [8200, 9000, 15000, 21000]) {
      expect(toneGainDb(make, 44100, freq), `${freq} Hz`).toBeLessThan(MAX_ALIAS[quality] + 10);
    }
    expect(toneGainDb(() => createResampler(48000, OUT, quality), 48000, 10000)).toBeLessThan(MAX_ALIAS[quality]);
    expect(toneGainDb(() => createResampler(96000, OUT, quality), 96000, 30000)).toBeLessThan(MAX_ALIAS[quality]);
  });

  it.each(QUALITIES)('%s: the passband is flat (3.4 kHz and near its edge within 0.01 dB)', (quality) => {
    const make = () => createResampler(44100, OUT, quality);
    expect(Math.abs(toneGainDb(make, 44100, 3400))).toBeLessThan(0.01);
    expect(Math.abs(toneGainDb(make, 44100, 0.95 * PASSBAND[quality] * 8000))).toBeLessThan(0.01);
  });

  it('the thresholds reject nearest-neighbour and linear interpolation', () => {
    for (const kind of ['nearest', 'linear'] as const) {
      expect(
        toneGainDb(() => naive(kind, 44100), 44100, 10000),
        kind,
      ).toBeGreaterThan(MAX_ALIAS.fast + 50);
      const y = steady(stream(naive(kind, 44100), sine(44100, 1000, 0.5)));
      expect(fitSine(y, OUT, 1000).snrDb, kind).toBeLessThan(MIN_SNR.fast);
    }
  });

  it.each(QUALITIES)('%s: chunked processing equals one-shot for odd chunk sizes', (quality) => {
    const input = sine(44100, 1234, 0.4);
    for (let i = 0; i < input.length; i++) input[i] = input[i]! + 0.2 * Math.sin(i * 0.731) * Math.cos(i * 0.0137);
    const oneShot = stream(createResampler(44100, OUT, quality), input, [input.length]);
    for (const sizes of [[1], [7, 441, 1], [1023], [4099, 13], [441, 1024, 4096]]) {
      const chunked = stream(createResampler(44100, OUT, quality), input, sizes);
      expect(chunked.length, String(sizes)).toBe(oneShot.length);
      let maxDiff = 0;
      for (let i = 0; i < oneShot.length; i++) maxDiff = Math.max(maxDiff, Math.abs(chunked[i]! - oneShot[i]!));
      expect(maxDiff, String(sizes)).toBeLessThan(1e-6);
    }
  });

  it.each(QUALITIES.flatMap((q) => RATES.map((rate) => [q, rate] as const)))(
    '%s: %i Hz → 16 kHz keeps pitch, level, SNR and length',
    (quality, rate) => {
      const seconds = 0.5;
      const y = stream(createResampler(rate, OUT, quality), sine(rate, 1000, seconds), [rate / 50 + 1]);
      // Everything but the kernel's look-ahead (under 25 ms) has come out.
      expect(y.length).toBeLessThanOrEqual(seconds * OUT);
      expect(y.length).toBeGreaterThan((seconds - 0.025) * OUT);
      const s = steady(y);
      expect(zeroCrossingFrequency(s, OUT)).toBeCloseTo(1000, 1);
      expect(Math.abs(db(rms(s) / 0.35355))).toBeLessThan(0.01);
      expect(fitSine(s, OUT, 1000).snrDb).toBeGreaterThan(MIN_SNR[quality]);
    },
  );

  it('an odd rate pair (interpolated coefficient table) still converts cleanly', () => {
    for (const quality of QUALITIES) {
      const y = steady(stream(createResampler(44101, OUT, quality), sine(44101, 1000, 0.5), [777]));
      expect(fitSine(y, OUT, 1000).snrDb, quality).toBeGreaterThan(100);
      expect(toneGainDb(() => createResampler(44101, OUT, quality), 44101, 10000)).toBeLessThan(-100);
    }
  });

  it('places output sample n at input time n·in/out (no added delay)', () => {
    const r = createResampler(48000, OUT, 'medium');
    const y = stream(r, sine(48000, 440, 0.3), [960]);
    const ideal = sine(OUT, 440, y.length / OUT);
    let maxErr = 0;
    for (let i = 0.05 * OUT; i < y.length; i++) maxErr = Math.max(maxErr, Math.abs(y[i]! - ideal[i]!));
    expect(maxErr).toBeLessThan(1e-5);
  });

  it('equal rates pass samples through unchanged', () => {
    const r = createResampler(OUT, OUT, 'high');
    const x = sine(OUT, 1000, 0.01);
    expect(Array.from(r.process(x))).toEqual(Array.from(x));
    expect(Array.from(r.process(x, 5))).toEqual(Array.from(x.subarray(0, 5)));
  });

  it('reads only `length` samples when given', () => {
    const x = sine(44100, 1000, 0.1);
    const padded = new Float32Array(x.length + 500).fill(0.9);
    padded.set(x);
    const a = createResampler(44100, OUT, 'fast');
    const b = createResampler(44100, OUT, 'fast');
    expect(Array.from(a.process(padded, x.length))).toEqual(Array.from(b.process(x)));
    expect(() => a.process(x, x.length + 1)).toThrow(RangeError);
  });

  it('reset() forgets history', () => {
    const x = sine(22050, 700, 0.1);
    const r = createResampler(22050, OUT, 'medium');
    const first = Array.from(r.process(x));
    r.process(sine(22050, 3000, 0.05));
    r.reset();
    expect(Array.from(r.process(x))).toEqual(first);
  });

  it.each([44100, 16000])('stops growing its buffers after warm-up (%i Hz)', (rate) => {
    const r = createResampler(rate, OUT, 'high');
    const sizes = [441, 1024, 4096, 1];
    const x = sine(rate, 1000, 0.5);
    let offset = 0;
    const next = (n: number) => {
      if (offset + n > x.length) offset = 0;
      const out = r.process(x.subarray(offset, offset + n));
      offset += n;
      return out;
    };
    for (let i = 0; i < 40; i++) next(sizes[i % sizes.length]!);
    const buffer = next(4096).buffer;
    const views = new Map<number, Float32Array>();
    for (let i = 0; i < 400; i++) {
      const out = next(sizes[i % sizes.length]!);
      expect(out.buffer).toBe(buffer);
      // A view of a length seen before is the same object: no allocation per call.
      if (i >= 40) expect(out).toBe(views.get(out.length) ?? out);
      views.set(out.length, out);
    }
  });

  it.each(['fast', 'high'] as const)(
    '%s: allocates nothing per call in steady state',
    async (quality) => {
      const r = createResampler(44100, OUT, quality);
      // Small chunks keep the test quick; allocation does not depend on chunk size once warmed up.
      const chunks = [441, 64, 199].map((n) => sine(44100, 1000, n / 44100));
      let k = 0;
      const step = () => r.process(chunks[k++ % chunks.length]!);
      const hot = [Object.getPrototypeOf(r).process as AnyFunction];
      expect(await steadyBytesPerCall(step, 8, { hot })).toBeLessThan(8);
    },
    60_000,
  );

  it('rejects rates that are not positive integers and unknown qualities', () => {
    expect(() => createResampler(0, OUT, 'fast')).toThrow(RangeError);
    expect(() => createResampler(44100.5, OUT, 'fast')).toThrow(RangeError);
    expect(() => createResampler(44100, OUT, 'best' as ResamplerQuality)).toThrow(RangeError);
  });
});
