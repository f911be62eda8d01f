// BoundedFrameQueue: FIFO order, dropping the oldest frame when full, reusing preallocated slots, capacity 1.
import { describe, expect, it } from 'vitest';
import { BoundedFrameQueue, type Frame } from '../../../src/main/audio/frame-queue';

const frameOf = (value: number, length = 4) => new Float32Array(length).fill(value);

/** Takes every queued frame as plain data (the slots themselves are reused). */
function drain(queue: BoundedFrameQueue): { seq: number; captureTime: number; first: number }[] {
  const out = [];
  for (let frame: Frame | undefined; (frame = queue.peek()); queue.shift()) {
    out.push({ seq: frame.seq, captureTime: frame.captureTime, first: frame.samples[0]! });
  }
  return out;
}

describe('BoundedFrameQueue', () => {
  it('hands frames back oldest first, with their samples, seq and capture time', () => {
    const queue = new BoundedFrameQueue(4, 4);
    queue.push(frameOf(1), 10, 1000.5);
    queue.push(frameOf(2), 11, 1080.5);
    queue.push(frameOf(3), 12, 1160.5);
    expect(queue.size).toBe(3);
    expect(Array.from(queue.peek()!.samples)).toEqual([1, 1, 1, 1]);
    expect(drain(queue)).toEqual([
      { seq: 10, captureTime: 1000.5, first: 1 },
      { seq: 11, captureTime: 1080.5, first: 2 },
      { seq: 12, captureTime: 1160.5, first: 3 },
    ]);
    expect(queue.size).toBe(0);
    expect(queue.peek()).toBeUndefined();
  });

  it('drops the oldest frame when full, counting it, and never throws', () => {
    const queue = new BoundedFrameQueue(3, 4);
    for (let seq = 0; seq < 5; seq++) queue.push(frameOf(seq), seq, seq * 80);
    expect(queue.size).toBe(3);
    expect(queue.pushed).toBe(5);
    expect(queue.dropped).toBe(2);
    expect(drain(queue).map((f) => f.seq)).toEqual([2, 3, 4]);
  });

  it('keeps FIFO order across wrap-around with interleaved pushes and shifts', () => {
    const queue = new BoundedFrameQueue(3, 4);
    const seen: number[] = [];
    // Two in, two out: the head walks round the three slots at every offset.
    for (let seq = 0; seq < 30; seq++) {
      queue.push(frameOf(seq), seq, seq * 80);
      if (seq % 2 === 1) seen.push(...drain(queue).map((f) => f.first));
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(queue.dropped).toBe(0);
  });

  it('copies into preallocated slots and reuses them, so pushing never allocates arrays', () => {
    const queue = new BoundedFrameQueue(3);
    expect(queue.frameSamples).toBe(1280);
    const arrays = new Set<Float32Array>();
    const input = frameOf(0, 1280);
    for (let seq = 0; seq < 100; seq++) {
      input.fill(seq);
      queue.push(input, seq, 0);
      const frame = queue.peek()!;
      arrays.add(frame.samples);
      expect(frame.samples).not.toBe(input);
      if (seq % 2 === 0) queue.shift();
    }
    expect(arrays.size).toBeLessThanOrEqual(3);
    input.fill(-1); // the caller may reuse its buffer at once
    expect(drain(queue).every((f) => f.first >= 0)).toBe(true);
  });

  it('peek(index) looks further back for batching, across wrap-around', () => {
    const queue = new BoundedFrameQueue(3, 4);
    for (let seq = 0; seq < 5; seq++) queue.push(frameOf(seq), seq, 0); // slots hold 2, 3, 4; head has wrapped
    expect([0, 1, 2].map((i) => queue.peek(i)!.seq)).toEqual([2, 3, 4]);
    expect(queue.peek(3)).toBeUndefined();
    expect(queue.peek(-1)).toBeUndefined();
    queue.shift();
    expect(queue.peek(1)!.seq).toBe(4);
    expect(queue.peek(2)).toBeUndefined();
  });

  it('works with capacity 1', () => {
    const queue = new BoundedFrameQueue(1, 4);
    queue.push(frameOf(1), 1, 0);
    queue.push(frameOf(2), 2, 0);
    expect(queue.size).toBe(1);
    expect(queue.dropped).toBe(1);
    expect(queue.peek()!.seq).toBe(2);
    expect(queue.peek()!.samples[0]).toBe(2);
    queue.shift();
    expect(queue.peek()).toBeUndefined();
    queue.shift(); // shifting an empty queue is harmless
    expect(queue.size).toBe(0);
    queue.push(frameOf(3), 3, 0);
    expect(queue.peek()!.seq).toBe(3);
  });

  it('clear empties the queue but keeps the counters', () => {
    const queue = new BoundedFrameQueue(2, 4);
    for (let seq = 0; seq < 3; seq++) queue.push(frameOf(seq), seq, 0);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.peek()).toBeUndefined();
    expect(queue.pushed).toBe(3);
    expect(queue.dropped).toBe(1);
    queue.push(frameOf(9), 9, 0);
    expect(drain(queue).map((f) => f.seq)).toEqual([9]);
  });

  it('rejects frames of the wrong length and bad sizes', () => {
    const queue = new BoundedFrameQueue(2, 4);
    expect(() => queue.push(new Float32Array(3), 0, 0)).toThrow(/a frame has 4 samples, got 3/);
    expect(queue.size).toBe(0);
    expect(queue.pushed).toBe(0);
    expect(() => new BoundedFrameQueue(0)).toThrow(RangeError);
    expect(() => new BoundedFrameQueue(2, 0)).toThrow(RangeError);
  });
});
