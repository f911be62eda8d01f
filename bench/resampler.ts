import { createRequire } from 'node:module';
import { fitSine, medianBytesPerCall, rms } from '../tests/support/wav-analysis';
import { createResampler, type ResamplerQuality } from '../src/main/audio/resampler';
import { describeMicros, percentile, sampleMicros } from './stats';

/**
 * The 16 kHz resampler per quality: speed (× real time, 1024-sample chunks) and quality (1 kHz
 * SNR, 3.4 kHz and 7 kHz level, 10 kHz alias level, heap bytes per call), for 44.1k and 48k input.
 * Baselines measured in the same run: linear interpolation (the naive way, always) and
 * `@alexanderolsen/libsamplerate-js` at the matching converter when it can be loaded. It is not a
 * dependency: to compare, install it anywhere and point LIBSAMPLERATE_JS at its folder.
 */
export const resamplerBench = {
  name: 'Resampler to 16 kHz: polyphase Kaiser sinc vs linear interpolation (and libsamplerate-js if present)',
  async run(): Promise<string[]> {
    const lib = loadLibsamplerate();
    const lines: string[] = [];
    for (const rate of [44100, 48000]) {
      lines.push('', `${rate / 1000}k → 16k, ${CHUNK}-sample chunks`, header());
      const linear = await measure('linear interpolation (baseline)', () => linearProcessor(rate), rate);
      const rows = [linear];
      const comparisons: string[] = [];
      for (const quality of QUALITIES) {
        const ours = await measure(`polyphase ${quality}`, () => polyphaseProcessor(rate, quality), rate);
        rows.push(ours);
        let versus = `polyphase ${quality}: ${ratio(ours, linear)} the speed of linear`;
        if (lib) {
          const theirs = await measure(
            `libsamplerate ${LIB_NAMES[quality]}`,
            await libProcessor(lib, rate, quality),
            rate,
          );
          rows.push(theirs);
          versus += `, ${ratio(ours, theirs)} the speed of libsamplerate ${LIB_NAMES[quality]}`;
        }
        comparisons.push(versus);
      }
      lines.push(...rows.map(row), ...rows.map((r) => describeMicros(`${r.label} µs/chunk`, r.micros)), ...comparisons);
    }
    if (!lib) lines.push('', 'libsamplerate-js not loaded (set LIBSAMPLERATE_JS to its folder to compare)');
    return lines;
  },
};

const CHUNK = 1024;
const OUT = 16000;
const QUALITIES: ResamplerQuality[] = ['fast', 'medium', 'high'];
const LIB_NAMES: Record<ResamplerQuality, string> = {
  fast: 'SINC_FASTEST',
  medium: 'SINC_MEDIUM_QUALITY',
  high: 'SINC_BEST_QUALITY',
};
const LIB_TYPES: Record<ResamplerQuality, number> = { fast: 2, medium: 1, high: 0 };

/** A streaming resampler under test: returns the output of one chunk. */
type Processor = (input: Float32Array) => Float32Array;

interface Row {
  label: string;
  micros: number[];
  realTime: number;
  snr1k: number;
  gain3k4: number;
  gain7k: number;
  alias10k: number;
  bytesPerCall: number;
}

async function measure(label: string, make: () => Processor, rate: number): Promise<Row> {
  const chunks = Array.from({ length: 8 }, (_, i) => tone(rate, 1000, CHUNK, i * CHUNK));
  const speed = make();
  let k = 0;
  const micros = await sampleMicros(1000, () => speed(chunks[k++ % chunks.length]!));
  const realTime = ((CHUNK / rate) * 1e6) / percentile(micros, 50);
  const heap = make();
  for (let i = 0; i < 1000; i++) heap(chunks[i % chunks.length]!); // until optimised
  // Batches of ≥ 5 ms, less what an empty call reports (memoryUsage() itself allocates a little).
  const batch = Math.max(50, Math.ceil(5000 / percentile(micros, 50)));
  const floor = medianBytesPerCall(() => undefined, 51, batch);
  const bytesPerCall = Math.max(0, medianBytesPerCall(() => heap(chunks[k++ % chunks.length]!), 51, batch) - floor);

  const one = steadyOutput(make(), rate, 1000);
  const fit = fitSine(one, OUT, 1000);
  return {
    label,
    micros,
    realTime,
    snr1k: fit.snrDb,
    gain3k4: db(fitSine(steadyOutput(make(), rate, 3400), OUT, 3400).amplitude / 0.5),
    gain7k: db(fitSine(steadyOutput(make(), rate, 7000), OUT, 7000).amplitude / 0.5),
    alias10k: db(rms(steadyOutput(make(), rate, 10000)) / (0.5 / Math.SQRT2)),
    bytesPerCall,
  };
}

function header(): string {
  return `${'converter'.padEnd(38)} ${'× real time'.padStart(11)} ${'SNR 1k'.padStart(9)} ${'3.4 kHz'.padStart(9)} ${'7 kHz'.padStart(9)} ${'alias 10k'.padStart(10)} ${'B/call'.padStart(7)}`;
}

function row(r: Row): string {
  const dB = (v: number, width: number) => `${v.toFixed(Math.abs(v) < 1 ? 3 : 1)} dB`.padStart(width);
  return `${r.label.padEnd(38)} ${r.realTime.toFixed(0).padStart(11)} ${dB(r.snr1k, 9)} ${dB(r.gain3k4, 9)} ${dB(r.gain7k, 9)} ${dB(r.alias10k, 10)} ${r.bytesPerCall.toFixed(0).padStart(7)}`;
}

function ratio(a: Row, b: Row): string {
  return `${(percentile(b.micros, 50) / percentile(a.micros, 50)).toFixed(2)}×`;
}

function tone(rate: number, freq: number, length: number, from = 0): Float32Array {
  const x = new Float32Array(length);
  for (let i = 0; i < length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * freq * (from + i)) / rate);
  return x;
}

/** One second of a 0.5-amplitude tone through `process` in chunks; the middle 60 % of the output. */
function steadyOutput(process: Processor, rate: number, freq: number): Float32Array {
  const input = tone(rate, freq, rate);
  const out: number[] = [];
  for (let i = 0; i < input.length; i += CHUNK) out.push(...process(input.subarray(i, i + CHUNK)));
  return Float32Array.from(out.slice(Math.floor(out.length * 0.2), Math.floor(out.length * 0.8)));
}

const db = (ratio: number) => 20 * Math.log10(ratio);

/** Output views cached per length, so that baselines are not charged for our own `subarray`s. */
function viewCache(buffer: Float32Array): (length: number) => Float32Array {
  const views: Float32Array[] = [];
  return (length) => (views[length] ??= buffer.subarray(0, length));
}

function polyphaseProcessor(rate: number, quality: ResamplerQuality): Processor {
  const r = createResampler(rate, OUT, quality);
  return (input) => r.process(input);
}

/** Streaming linear interpolation: what a quick hand-rolled converter usually is (no low-pass). */
function linearProcessor(rate: number): Processor {
  const step = rate / OUT;
  const out = new Float32Array(CHUNK);
  const view = viewCache(out);
  // Kept in a typed array: a captured `let` double would be re-boxed on every update.
  const state = new Float64Array(2); // [next output position relative to this chunk, last sample]
  return (input) => {
    let n = 0;
    let t = state[0]!;
    // A position in [-1, 0) lies between the previous chunk's last sample and input[0].
    for (; t < input.length - 1; t += step) {
      const i = Math.floor(t);
      const a = i < 0 ? state[1]! : input[i]!;
      out[n++] = a + (input[i + 1]! - a) * (t - i);
    }
    state[0] = t - input.length;
    state[1] = input[input.length - 1]!;
    return view(n);
  };
}

/** The parts of libsamplerate-js 2.x used here (its own typings are not available without it). */
interface LibSampleRate {
  create(channels: number, inputRate: number, outputRate: number, options: { converterType: number }): Promise<LibSrc>;
}
interface LibSrc {
  full(input: Float32Array, output: Float32Array | null, outLength: { frames: number } | null): Float32Array;
}

function loadLibsamplerate(): LibSampleRate | null {
  try {
    const require = createRequire(import.meta.url);
    return require(process.env.LIBSAMPLERATE_JS ?? '@alexanderolsen/libsamplerate-js') as LibSampleRate;
  } catch {
    return null;
  }
}

/** Its streaming (`full`) API into a reused output array, as it recommends to avoid allocation. */
async function libProcessor(lib: LibSampleRate, rate: number, quality: ResamplerQuality): Promise<() => Processor> {
  // Each `create` instantiates a separate WASM module (tens of MB); make the instances up front.
  const instances = await Promise.all(
    Array.from({ length: 6 }, () => lib.create(1, rate, OUT, { converterType: LIB_TYPES[quality] })),
  );
  return () => {
    const src = instances.pop();
    if (!src) throw new Error('libsamplerate-js: more instances needed');
    const out = new Float32Array(CHUNK);
    const view = viewCache(out);
    const length = { frames: 0 };
    return (input) => {
      src.full(input, out, length);
      return view(length.frames);
    };
  };
}
