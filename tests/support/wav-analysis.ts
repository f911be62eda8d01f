/** Measurements of signals for tests: levels, tone fits and allocation per call. */
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
 * Heap growth per call once the code is in its steady state: the lowest median of up to `rounds`
 * rounds of `warmUp` calls then a measurement, with a pause before each round. V8 optimises on a
 * background thread; on a busy machine that thread can starve while this one spins, and code not
 * yet optimised allocates (measured: 16 bytes a call, a boxed number, through all rounds of a CI
 * run beside other test files). The pause lets the optimiser run. What is checked stays the same:
 * some round must come under `bound`; rounds stop at the first that does.
 */
export async function steadyBytesPerCall(
  fn: () => void,
  bound: number,
  { rounds = 8, warmUp = 2000 } = {},
): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < rounds && best >= bound; round++) {
    for (let i = 0; i < warmUp; i++) fn();
    await new Promise((resolve) => setTimeout(resolve, 100 * (round + 1)));
    best = Math.min(best, medianBytesPerCall(fn, 51));
  }
  return best;
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
