/** Measurements of signals for tests: levels, tone fits and allocation per call. */
import v8 from 'node:v8';

export function rms(samples: Float32Array): number {
  let sum = 0;
  for (const v of samples) sum += v * v;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

export function dbfs(value: number): number {
  return 20 * Math.log10(Math.max(value, 1e-10));
}

/** Frequency from rising zero crossings (fine for a clean tone). */
export function toneFrequency(samples: Float32Array, sampleRate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  return crossings / (samples.length / sampleRate);
}

/** Least-squares fit of a sine at `freq`: its amplitude, and the SNR of everything else in dB. */
export function fitSine(y: Float32Array, rate: number, freq: number): { amplitude: number; snrDb: number } {
  let ss = 0;
  let cc = 0;
  let sc = 0;
  let ys = 0;
  let yc = 0;
  for (let i = 0; i < y.length; i++) {
    const w = (2 * Math.PI * freq * i) / rate;
    const s = Math.sin(w);
    const c = Math.cos(w);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    ys += y[i]! * s;
    yc += y[i]! * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det;
  const b = (yc * ss - ys * sc) / det;
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < y.length; i++) {
    const w = (2 * Math.PI * freq * i) / rate;
    const fitted = a * Math.sin(w) + b * Math.cos(w);
    signal += fitted * fitted;
    noise += (y[i]! - fitted) ** 2;
  }
  return { amplitude: Math.hypot(a, b), snrDb: 10 * Math.log10(signal / noise) };
}

/**
 * Heap growth per call in the steady state, where V8 runs the code optimised: the lowest median
 * of up to `rounds` rounds, each `warmUp` calls (type feedback) then a measurement.
 *
 * Left alone, V8 optimises on a background thread, and on a busy CI machine that thread can starve
 * for seconds; the hot loops then run as on-stack-replaced code, which boxed one number a call
 * (16 bytes, measured in CI through every round, reproduced with `node --always-osr`). So `fn` and
 * the `hot` functions it calls are optimised synchronously on this thread through V8's test
 * intrinsics: the state measured no longer depends on the scheduler, and the bound is unchanged.
 */
export async function steadyBytesPerCall(
  fn: () => void,
  bound: number,
  { rounds = 4, warmUp = 2000, hot = [] as readonly AnyFunction[] } = {},
): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < rounds && best >= bound; round++) {
    for (let i = 0; i < warmUp; i++) fn();
    for (const f of [...hot, fn]) optimiseOnNextCall(f);
    fn();
    // A turn of the event loop between rounds lets a pending GC finish outside the measurement.
    await new Promise((resolve) => setTimeout(resolve, 10));
    best = Math.min(best, medianBytesPerCall(fn, 51));
  }
  return best;
}

/** Any function, as V8's intrinsics take it. */
export type AnyFunction = (...args: never[]) => unknown;

let intrinsic: ((f: AnyFunction) => void) | undefined;

/** `%PrepareFunctionForOptimization` + `%OptimizeFunctionOnNextCall`, enabled at first use. */
function optimiseOnNextCall(f: AnyFunction): void {
  if (!intrinsic) {
    v8.setFlagsFromString('--allow-natives-syntax');
    intrinsic = new Function('f', '%PrepareFunctionForOptimization(f); %OptimizeFunctionOnNextCall(f);') as (
      f: AnyFunction,
    ) => void;
  }
  intrinsic(f);
}

/** Heap growth per call, median over batches of `calls`; batches during which a GC ran are skipped. */
export function medianBytesPerCall(fn: () => void, batches = 51, calls = 200): number {
  const perCall: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < calls; i++) fn();
    const after = process.memoryUsage().heapUsed;
    if (after >= before) perCall.push((after - before) / calls);
  }
  perCall.sort((a, b) => a - b);
  return perCall[perCall.length >> 1] ?? Infinity;
}
