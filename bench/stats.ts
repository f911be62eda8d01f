/** Percentile of already-sorted samples (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Runs `fn` `count` times after a warm-up and returns per-call times in microseconds, sorted. */
export async function sampleMicros(count: number, fn: () => unknown): Promise<number[]> {
  for (let i = 0; i < Math.min(200, count); i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  return samples.sort((a, b) => a - b);
}

export function describeMicros(label: string, sorted: readonly number[]): string {
  const f = (n: number) => n.toFixed(1).padStart(7);
  return `${label.padEnd(34)} p50 ${f(percentile(sorted, 50))} µs  p95 ${f(percentile(sorted, 95))} µs  p99 ${f(percentile(sorted, 99))} µs`;
}
