import { RingBuffer } from '../src/main/audio/ring-buffer';
import { describeMicros, percentile } from './stats';

const RATE = 16_000;
/** One 80 ms pipeline frame. */
const CHUNK = 1280;
const KEEP = 60 * RATE;

interface Appender {
  label: string;
  append(chunk: Float32Array): void;
  /** Appends per timed batch: enough to dwarf the timer for cheap appends, few for slow ones. */
  batch: number;
}

function ringAppender(): Appender {
  const ring = new RingBuffer(KEEP);
  return { label: 'RingBuffer.write', batch: 500, append: (chunk) => ring.write(chunk) };
}

/**
 * The same, fed from a larger scratch array with an explicit length, as a resampler would:
 * that takes the element-by-element copy path instead of `set()`.
 */
function ringScratchAppender(): Appender {
  const ring = new RingBuffer(KEEP);
  const scratch = new Float32Array(2 * CHUNK);
  return {
    label: 'RingBuffer.write(scratch, 1280)',
    batch: 500,
    append(chunk) {
      scratch.set(chunk);
      ring.write(scratch, chunk.length);
    },
  };
}

/** The obvious way: a new array per append holding the last 60 s. */
function concatAppender(): Appender {
  let kept = new Float32Array(0);
  return {
    label: 'concat into a new Float32Array',
    batch: 2,
    append(chunk) {
      const length = Math.min(KEEP, kept.length + chunk.length);
      const next = new Float32Array(length);
      next.set(kept.subarray(kept.length - (length - chunk.length)));
      next.set(chunk, length - chunk.length);
      kept = next;
    },
  };
}

/** The other obvious way: a JS array, trimmed from the front. */
function arrayAppender(): Appender {
  const kept: number[] = [];
  return {
    label: 'push into a JS array + splice',
    batch: 5,
    append(chunk) {
      for (let i = 0; i < chunk.length; i++) kept.push(chunk[i]!);
      if (kept.length > KEEP) kept.splice(0, kept.length - KEEP);
    },
  };
}

/** Per-append times in microseconds, sorted, each the mean of one batch. */
function sampleAppendMicros(appender: Appender, chunk: Float32Array, batches: number): number[] {
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < appender.batch; i++) appender.append(chunk);
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / appender.batch);
  }
  return samples.sort((a, b) => a - b);
}

/**
 * Bytes allocated per append: growth of the JS heap plus ArrayBuffer backing stores (which
 * live outside it) across a batch, median over batches. A batch during which the GC ran shows
 * a drop and is skipped, so this counts allocation, not retention.
 */
function bytesPerAppend(appender: Appender, chunk: Float32Array, batches: number): number {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  // What measuring costs by itself (memoryUsage() returns a fresh object).
  const overhead: number[] = [];
  const perAppend: number[] = [];
  for (let b = 0; b < batches; b++) {
    const before = used();
    overhead.push(used() - before);
    const start = used();
    for (let i = 0; i < appender.batch; i++) appender.append(chunk);
    const grown = used() - start;
    if (grown >= 0) perAppend.push(grown);
  }
  const baseline = percentile(
    overhead.sort((a, b) => a - b),
    50,
  );
  const median = percentile(
    perAppend.sort((a, b) => a - b),
    50,
  );
  return Math.max(0, (median - baseline) / appender.batch);
}

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(2)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes.toFixed(0)} B`;
}

/**
 * Keeping the last 60 s of 16 kHz audio, appended in 80 ms chunks: the preallocated ring
 * buffer against the two naive ways, in time per append and heap allocated per append once
 * the 60 s window is full (steady state).
 */
export const ringBufferBench = {
  name: 'Ring buffer vs naive growing history (60 s window, 80 ms appends)',
  async run(): Promise<string[]> {
    const chunk = new Float32Array(CHUNK).map((_, i) => Math.sin(i / 10));
    const lines: string[] = [];
    const results: { label: string; p50: number; bytes: number }[] = [];
    for (const appender of [ringAppender(), ringScratchAppender(), concatAppender(), arrayAppender()]) {
      // Fill the window (750 appends) so every measurement is in steady state.
      for (let i = 0; i < KEEP / CHUNK + 50; i++) appender.append(chunk);
      globalThis.gc?.();
      const micros = sampleAppendMicros(appender, chunk, appender.batch > 10 ? 400 : 200);
      globalThis.gc?.();
      const bytes = bytesPerAppend(appender, chunk, 200);
      lines.push(describeMicros(appender.label, micros));
      results.push({ label: appender.label, p50: percentile(micros, 50), bytes });
    }
    const [ring, ...naive] = results;
    for (const other of naive) lines.push(`${other.label} / ring (p50): ${(other.p50 / ring!.p50).toFixed(0)}×`);
    for (const r of results) lines.push(`heap allocated per append, ${r.label.padEnd(31)} ${formatBytes(r.bytes)}`);
    if (!globalThis.gc) lines.push('(run node with --expose-gc for steadier allocation figures)');
    return lines;
  },
};
