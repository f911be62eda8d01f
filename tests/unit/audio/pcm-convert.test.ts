// PCM downmix (int16/float32, any channel count, unaligned Buffers) and AudioConverter to 16 kHz mono float32.
import { describe, expect, it } from 'vitest';
import { fitSine, rms, steadyBytesPerCall, type AnyFunction } from '../../support/wav-analysis';
import {
  AudioConverter,
  downmixToMono,
  OUTPUT_SAMPLE_RATE,
  type SampleFormat,
} from '../../../src/main/audio/pcm-convert';
import type { ResamplerQuality } from '../../../src/main/audio/resampler';

const OUT = OUTPUT_SAMPLE_RATE;
const RATES = [8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000];

/**
 * Interleaved little-endian PCM at an odd byte offset (like Buffers from native code): every
 * channel carries 0.5·sin(1 kHz) plus a 2.5 kHz tone whose sign alternates between channels,
 * so only a true average of all channels is a clean 1 kHz tone.
 */
function encodeTone(rate: number, channels: number, format: SampleFormat, seconds: number, offset = 1): Buffer {
  const frames = Math.round(rate * seconds);
  const bytes = format === 'int16' ? 2 : 4;
  const backing = Buffer.alloc(frames * channels * bytes + offset);
  const pcm = backing.subarray(offset);
  const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  for (let f = 0; f < frames; f++) {
    const tone = 0.5 * Math.sin((2 * Math.PI * 1000 * f) / rate);
    // With an odd channel count the last channel carries the 1 kHz tone alone.
    const interferer = 0.3 * Math.sin((2 * Math.PI * 2500 * f) / rate);
    for (let c = 0; c < channels; c++) {
      const pairs = channels - (channels % 2);
      const v = tone + (c < pairs ? (c % 2 === 0 ? interferer : -interferer) : 0);
      const at = (f * channels + c) * bytes;
      if (format === 'int16') view.setInt16(at, Math.max(-32768, Math.min(32767, Math.round(v * 32768))), true);
      else view.setFloat32(at, v, true);
    }
  }
  return pcm;
}

/** Frequency of the strongest DFT bin below 4 kHz (Hann window, 2048 points), refined by a parabola. */
function peakFrequency(y: Float32Array, rate: number): number {
  const n = 2048;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = y[y.length - n + i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
  const logMag = (k: number) => {
    // Rotating phasor instead of sin/cos per sample.
    const [c, s] = [Math.cos((2 * Math.PI * k) / n), Math.sin((2 * Math.PI * k) / n)];
    let [wr, wi, re, im] = [1, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      re += x[i]! * wr;
      im -= x[i]! * wi;
      [wr, wi] = [wr * c - wi * s, wr * s + wi * c];
    }
    return Math.log(Math.hypot(re, im));
  };
  let best = 1;
  let bestMag = -Infinity;
  for (let k = 1; k < (4000 * n) / rate; k++) {
    const m = logMag(k);
    if (m > bestMag) [best, bestMag] = [k, m];
  }
  const [l, r] = [logMag(best - 1), logMag(best + 1)];
  return ((best + (0.5 * (l - r)) / (l - 2 * bestMag + r)) * rate) / n;
}

/** Converts a whole byte stream in chunks of `chunkBytes` (odd sizes split frames) and joins the output. */
function convertAll(converter: AudioConverter, pcm: Uint8Array, chunkBytes: number): Float32Array {
  const out: number[] = [];
  for (let i = 0; i < pcm.length; i += chunkBytes) {
    for (const v of converter.convert(pcm.subarray(i, Math.min(pcm.length, i + chunkBytes)))) out.push(v);
  }
  return Float32Array.from(out);
}

describe('downmixToMono', () => {
  it('averages int16 channels and scales by 1/32768', () => {
    const pcm = Buffer.alloc(8);
    [32767, -32768, 0, 16384].forEach((v, i) => pcm.writeInt16LE(v, i * 2));
    const out = new Float32Array(2);
    expect(downmixToMono(pcm, 'int16', 2, out)).toBe(2);
    expect(Array.from(out)).toEqual([(32767 - 32768) / 2 / 32768, 16384 / 2 / 32768]);
  });

  it('averages float32 channels, six of them', () => {
    const frame = [0.5, -0.25, 1, -1, 0.125, 0.625];
    const pcm = Buffer.alloc(4 * 12);
    [...frame, ...frame.map((v) => -v)].forEach((v, i) => pcm.writeFloatLE(v, i * 4));
    const out = new Float32Array(3).fill(9);
    expect(downmixToMono(pcm, 'float32', 6, out)).toBe(2);
    expect(out[0]).toBeCloseTo(1 / 6, 7);
    expect(out[1]).toBeCloseTo(-1 / 6, 7);
    expect(out[2]).toBe(9);
  });

  it.each(['int16', 'float32'] as const)(
    'reads %s from an odd byteOffset exactly as from an aligned copy',
    (format) => {
      const unaligned = encodeTone(44100, 2, format, 0.01, 1);
      expect(unaligned.byteOffset % 2).toBe(1);
      // A typed-array view could not even be made here.
      expect(() => new Int16Array(unaligned.buffer, unaligned.byteOffset, 4)).toThrow(RangeError);
      const aligned = Uint8Array.from(unaligned);
      const a = new Float32Array(441);
      const b = new Float32Array(441);
      expect(downmixToMono(unaligned, format, 2, a)).toBe(441);
      downmixToMono(aligned, format, 2, b);
      expect(Array.from(a)).toEqual(Array.from(b));
      // Channel average removes the alternating 2.5 kHz tone, leaving 0.5·sin(1 kHz).
      expect(a[11]).toBeCloseTo(0.5 * Math.sin((2 * Math.PI * 1000 * 11) / 44100), 4);
    },
  );

  it('ignores a trailing partial frame and refuses an output that is too small', () => {
    const pcm = new Uint8Array(4 * 3 + 3);
    expect(downmixToMono(pcm, 'int16', 2, new Float32Array(3))).toBe(3);
    expect(() => downmixToMono(pcm, 'int16', 2, new Float32Array(2))).toThrow(RangeError);
    expect(() => downmixToMono(pcm, 'int16', 0, new Float32Array(9))).toThrow(RangeError);
  });
});

describe('AudioConverter', () => {
  it('turns a 1 kHz tone at 44.1 kHz stereo int16 into 16 kHz mono at 1 kHz and the right level', () => {
    const converter = new AudioConverter({ sampleRate: 44100, channels: 2, sampleFormat: 'int16', quality: 'medium' });
    const y = convertAll(converter, encodeTone(44100, 2, 'int16', 0.5), 4 * 441).subarray(800);
    expect(converter.outputRate).toBe(16000);
    expect(converter.quality).toBe('medium');
    expect(peakFrequency(y, OUT)).toBeCloseTo(1000, 0);
    // RMS of a 0.5-amplitude sine is 0.3536; allow 0.5 dB.
    expect(Math.abs(20 * Math.log10(rms(y) / 0.35355))).toBeLessThan(0.5);
    expect(fitSine(y, OUT, 1000).snrDb).toBeGreaterThan(85); // int16 quantisation limits this to about 95 dB
  });

  const formats: SampleFormat[] = ['int16', 'float32'];
  const cases = RATES.flatMap((rate) =>
    [1, 2, 6].flatMap((channels) => formats.map((f) => [rate, channels, f] as const)),
  );
  it.each(cases)('%i Hz, %i channel(s), %s → 16 kHz mono 1 kHz at 0.3536 RMS', (rate, channels, format) => {
    const quality: ResamplerQuality = rate % 2 === 0 ? 'fast' : 'high';
    const converter = new AudioConverter({ sampleRate: rate, channels, sampleFormat: format, quality });
    const frameBytes = channels * (format === 'int16' ? 2 : 4);
    // 20 ms chunks plus three stray bytes, so frames straddle chunk boundaries.
    const y = convertAll(converter, encodeTone(rate, channels, format, 0.4), (rate / 50) * frameBytes + 3);
    expect(y.length).toBeGreaterThan(0.37 * OUT);
    const s = y.subarray(800);
    expect(peakFrequency(s, OUT)).toBeCloseTo(1000, 0);
    expect(Math.abs(20 * Math.log10(rms(s) / 0.35355))).toBeLessThan(0.5);
    expect(fitSine(s, OUT, 1000).snrDb).toBeGreaterThan(format === 'int16' ? 85 : 100);
  });

  it('gives the same result for int16 and float32 input up to int16 precision', () => {
    const convert = (format: SampleFormat) =>
      convertAll(
        new AudioConverter({ sampleRate: 48000, channels: 2, sampleFormat: format, quality: 'fast' }),
        encodeTone(48000, 2, format, 0.2),
        3840,
      );
    const a = convert('int16');
    const b = convert('float32');
    expect(a.length).toBe(b.length);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(4 / 32768);
    expect(maxDiff).toBeGreaterThan(0);
  });

  it('output does not depend on how the bytes were chunked (frames split across chunks)', () => {
    const pcm = encodeTone(44100, 6, 'int16', 0.2);
    const make = () => new AudioConverter({ sampleRate: 44100, channels: 6, sampleFormat: 'int16', quality: 'high' });
    const whole = convertAll(make(), pcm, pcm.length);
    for (const chunkBytes of [1, 7, 1001, 5292, 12 * 1024 + 5]) {
      expect(Array.from(convertAll(make(), pcm, chunkBytes)), String(chunkBytes)).toEqual(Array.from(whole));
    }
  });

  it('reset() drops a pending partial frame and the resampler history', () => {
    const pcm = encodeTone(32000, 2, 'float32', 0.05);
    const converter = new AudioConverter({
      sampleRate: 32000,
      channels: 2,
      sampleFormat: 'float32',
      quality: 'medium',
    });
    const fresh = Array.from(convertAll(converter, pcm, 999));
    converter.convert(pcm.subarray(0, 5)); // leaves a partial frame behind
    converter.reset();
    expect(Array.from(convertAll(converter, pcm, 999))).toEqual(fresh);
  });

  it('reuses its buffers and allocates nothing per chunk in steady state', async () => {
    const converter = new AudioConverter({ sampleRate: 48000, channels: 2, sampleFormat: 'int16', quality: 'fast' });
    const pcm = encodeTone(48000, 2, 'int16', 1);
    const chunk = 960 * 4; // 20 ms
    let offset = 0;
    const step = () => {
      if (offset + chunk > pcm.length) offset = 0;
      const out = converter.convert(pcm.subarray(offset, offset + chunk));
      offset += chunk;
      return out;
    };
    for (let i = 0; i < 3000; i++) step(); // warm up until optimised
    const buffer = step().buffer;
    for (let i = 0; i < 100; i++) expect(step().buffer).toBe(buffer);
    // The subarray() above that feeds each chunk is the test's own allocation, so feed fixed chunks here.
    const chunks = Array.from({ length: 10 }, (_, i) => pcm.subarray(i * chunk, (i + 1) * chunk));
    let k = 0;
    // Its resampler's `process` is too large for V8 to inline into `convert`, so it is listed too.
    const hot = [
      AudioConverter.prototype.convert,
      Object.getPrototypeOf(converter['resampler']).process as AnyFunction,
    ];
    expect(await steadyBytesPerCall(() => converter.convert(chunks[k++ % 10]!), 8, { hot })).toBeLessThan(8);
  }, 60_000);

  it('rejects a zero channel count and an unknown format', () => {
    expect(
      () => new AudioConverter({ sampleRate: 48000, channels: 0, sampleFormat: 'int16', quality: 'fast' }),
    ).toThrow(RangeError);
    expect(
      () =>
        new AudioConverter({ sampleRate: 48000, channels: 1, sampleFormat: 'int24' as SampleFormat, quality: 'fast' }),
    ).toThrow(RangeError);
  });
});
