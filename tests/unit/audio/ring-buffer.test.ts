// RingBuffer against a naive reference model: wrap-around, oversize writes, readLatest/readFrom/consume, overruns, no reallocation.
import { describe, expect, it } from 'vitest';
import { steadyBytesPerCall } from '../../support/wav-analysis';
import { RingBuffer } from '../../../src/main/audio/ring-buffer';
import { seededRandom } from '../../../src/shared/seeded-random';

/** Whole numbers below `n` from a seeded PRNG, so a failing random case can be replayed. */
function seeded(seed: number): (n: number) => number {
  const random = seededRandom(seed);
  return (n) => Math.floor(random() * n);
}

/** Sample `k` of the stream carries the value k + 1, so every sample is recognisable (exact below 2^24). */
function stream(from: number, length: number, extra = 0): Float32Array {
  const out = new Float32Array(length + extra);
  for (let i = 0; i < out.length; i++) out[i] = from + i + 1;
  return out;
}

const values = (from: number, count: number) => Array.from(stream(from, count));

/** Everything a correct ring buffer must agree with, kept the slow and obvious way. */
class Reference {
  all: number[] = [];
  cursor = 0;
  overruns = 0;
  constructor(readonly capacity: number) {}
  get oldest() {
    return Math.max(0, this.all.length - this.capacity);
  }
  write(samples: Float32Array, length: number) {
    for (let i = 0; i < length; i++) this.all.push(samples[i]!);
  }
  consume(max: number): number[] {
    if (this.cursor < this.oldest) {
      this.overruns++;
      this.cursor = this.oldest;
    }
    const out = this.all.slice(this.cursor, this.cursor + max);
    this.cursor += out.length;
    return out;
  }
}

describe('RingBuffer', () => {
  it.each([1, 2, 7, 64, 1000])('matches the reference model under random operations (capacity %i)', (capacity) => {
    const rand = seeded(capacity * 7919);
    const ring = new RingBuffer(capacity);
    const ref = new Reference(capacity);
    for (let step = 0; step < 400; step++) {
      // Lengths up to 2.5× capacity exercise oversize writes; spare room exercises `length`.
      const length = rand(Math.ceil(capacity * 2.5) + 2);
      const samples = stream(ref.all.length, length, rand(3));
      ring.write(samples, length);
      ref.write(samples, length);

      expect(ring.written).toBe(ref.all.length);
      expect(ring.oldestIndex).toBe(ref.oldest);
      expect(ring.size).toBe(ref.all.length - ref.oldest);

      const latest = new Float32Array(rand(capacity + 3));
      const count = rand(capacity + 3);
      const n = ring.readLatest(count, latest);
      const expectedN = Math.min(count, latest.length, ring.size);
      expect(n).toBe(expectedN);
      expect(Array.from(latest.subarray(0, n))).toEqual(ref.all.slice(ref.all.length - n));

      const start = rand(ref.all.length + 3);
      const from = new Float32Array(rand(capacity + 3));
      const got = ring.readFrom(start, from);
      const begin = Math.max(start, ref.oldest);
      const expected = ref.all.slice(begin, begin + from.length);
      expect(got).toEqual({ start: begin, copied: expected.length });
      expect(Array.from(from.subarray(0, got.copied))).toEqual(expected);

      if (rand(3) > 0) {
        const out = new Float32Array(rand(capacity * 2 + 2));
        const taken = ring.consume(out);
        expect(Array.from(out.subarray(0, taken))).toEqual(ref.consume(out.length));
        expect(ring.overruns).toBe(ref.overruns);
      }
      expect(ring.unconsumed).toBe(ref.all.length - Math.max(ref.cursor, ref.oldest));
    }
  });

  it('wraps correctly at every write offset', () => {
    const capacity = 16;
    for (let offset = 0; offset < capacity; offset++) {
      for (const length of [1, capacity - 1, capacity]) {
        const ring = new RingBuffer(capacity);
        ring.write(stream(0, offset));
        ring.write(stream(offset, length));
        const out = new Float32Array(capacity);
        const n = ring.readLatest(capacity, out);
        const held = Math.min(capacity, offset + length);
        expect(n).toBe(held);
        expect(Array.from(out.subarray(0, n))).toEqual(values(offset + length - held, held));
      }
    }
  });

  it('keeps only the last `capacity` samples of an oversize write but counts them all', () => {
    const ring = new RingBuffer(8);
    ring.write(stream(0, 3));
    ring.write(stream(3, 20));
    expect(ring.written).toBe(23);
    expect(ring.oldestIndex).toBe(15);
    const out = new Float32Array(8);
    expect(ring.readLatest(100, out)).toBe(8);
    expect(Array.from(out)).toEqual(values(15, 8));
  });

  it('writes only the first `length` samples', () => {
    const ring = new RingBuffer(10);
    ring.write(stream(0, 4, 6), 4);
    expect(ring.written).toBe(4);
    const out = new Float32Array(10);
    expect(ring.readLatest(10, out)).toBe(4);
    expect(Array.from(out.subarray(0, 4))).toEqual(values(0, 4));
  });

  it('rejects bad capacities, storage and lengths', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(2.5)).toThrow(RangeError);
    expect(() => new RingBuffer(4, new Float32Array(5))).toThrow(/holds 5 samples, expected 4/);
    const ring = new RingBuffer(4);
    expect(() => ring.write(new Float32Array(2), 3)).toThrow(RangeError);
    expect(() => ring.write(new Float32Array(2), -1)).toThrow(RangeError);
    expect(() => ring.readLatest(-1, new Float32Array(1))).toThrow(RangeError);
    expect(() => ring.readFrom(0.5, new Float32Array(1))).toThrow(RangeError);
    expect(ring.written).toBe(0);
  });

  it('readLatest returns the newest samples when `out` is the limit', () => {
    const ring = new RingBuffer(10);
    ring.write(stream(0, 7));
    const out = new Float32Array(3);
    expect(ring.readLatest(5, out)).toBe(3);
    expect(Array.from(out)).toEqual(values(4, 3));
    expect(ring.readLatest(0, out)).toBe(0);
  });

  it('readFrom clamps an overwritten start and copies nothing past the newest sample', () => {
    const ring = new RingBuffer(10);
    ring.write(stream(0, 25));
    const out = new Float32Array(4);
    expect(ring.readFrom(3, out)).toEqual({ start: 15, copied: 4 });
    expect(Array.from(out)).toEqual(values(15, 4));
    expect(ring.readFrom(23, out)).toEqual({ start: 23, copied: 2 });
    expect(Array.from(out.subarray(0, 2))).toEqual(values(23, 2));
    expect(ring.readFrom(40, out)).toEqual({ start: 40, copied: 0 });
  });

  it('consume reads each sample once, and jumps to the oldest sample after being lapped', () => {
    const ring = new RingBuffer(10);
    const out = new Float32Array(4);
    ring.write(stream(0, 6));
    expect(ring.consume(out)).toBe(4);
    expect(Array.from(out)).toEqual(values(0, 4));
    expect(ring.unconsumed).toBe(2);
    expect(ring.consume(out)).toBe(2);
    expect(ring.consume(out)).toBe(0);
    expect(ring.overruns).toBe(0);

    ring.write(stream(6, 19)); // 25 written; cursor at 6 is lapped (oldest is 15)
    expect(ring.unconsumed).toBe(10);
    expect(ring.consume(out)).toBe(4);
    expect(Array.from(out)).toEqual(values(15, 4));
    expect(ring.overruns).toBe(1);
    expect(ring.consume(out)).toBe(4);
    expect(ring.overruns).toBe(1);
  });

  it('clear forgets the samples but keeps absolute indices monotonic', () => {
    const ring = new RingBuffer(10);
    ring.write(stream(0, 7));
    ring.clear();
    expect(ring.written).toBe(7);
    expect(ring.oldestIndex).toBe(7);
    expect(ring.size).toBe(0);
    expect(ring.unconsumed).toBe(0);
    const out = new Float32Array(10);
    expect(ring.readLatest(10, out)).toBe(0);
    expect(ring.readFrom(0, out)).toEqual({ start: 7, copied: 0 });
    expect(ring.consume(out)).toBe(0);
    ring.write(stream(7, 3));
    expect(ring.consume(out)).toBe(3);
    expect(Array.from(out.subarray(0, 3))).toEqual(values(7, 3));
    expect(ring.overruns).toBe(0);
  });

  it('keeps writing into the storage it was given (never reallocates)', () => {
    const capacity = 1000;
    const storage = new Float32Array(capacity);
    const ring = new RingBuffer(capacity, storage);
    const rand = seeded(42);
    for (let i = 0; i < 200; i++) ring.write(stream(ring.written, rand(2 * capacity)));
    // Sample k lives at k % capacity in the caller's own array.
    for (let k = ring.oldestIndex; k < ring.written; k++) expect(storage[k % capacity]).toBe(k + 1);
    expect(storage.buffer.byteLength).toBe(capacity * 4);
  });

  it('allocates nothing per write, read or consume in steady state', async () => {
    const ring = new RingBuffer(60 * 16_000);
    // 1000 samples never divides the capacity evenly, so writes wrap at varying offsets; `length`
    // below the array length takes the partial-copy path.
    const chunk = stream(0, 1000, 280);
    const out = new Float32Array(1280);
    const step = () => {
      ring.write(chunk);
      ring.write(chunk, 1000);
      ring.readLatest(1280, out);
      ring.consume(out);
    };
    const { write, readLatest, consume } = RingBuffer.prototype;
    expect(await steadyBytesPerCall(step, 8, { warmUp: 5000, hot: [write, readLatest, consume] })).toBeLessThan(8);
  }, 60_000);
});
