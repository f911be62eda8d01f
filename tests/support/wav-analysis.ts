/** Simple measurements of a mono signal, for checking what came out of the capture path. */
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
