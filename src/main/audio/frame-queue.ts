import { FRAME_SAMPLES } from '../../shared/audio';

/** One pipeline frame. Owned by the queue: valid until the next `shift()`, `push()` or `clear()`. */
export interface Frame {
  /** Backed by a plain ArrayBuffer the queue owns, so it can go straight into a structured-clone message. */
  samples: Float32Array<ArrayBuffer>;
  /** Sequence number given by the producer; gaps show where frames were dropped. */
  seq: number;
  /** Epoch ms with sub-ms precision (`performance.timeOrigin + performance.now()`). */
  captureTime: number;
}

/**
 * Frames waiting for the inference worker, at most `capacity` of them. When the worker falls
 * behind, the oldest frame is dropped rather than blocking capture: live audio that is late is
 * worth less than audio that is current. Slots are preallocated and reused, so pushing never
 * allocates.
 */
export class BoundedFrameQueue {
  readonly capacity: number;
  readonly frameSamples: number;
  private readonly slots: Frame[];
  private head = 0;
  private count = 0;
  private pushedCount = 0;
  private droppedCount = 0;

  constructor(capacity: number, frameSamples: number = FRAME_SAMPLES) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) {
      throw new RangeError(`BoundedFrameQueue capacity must be a positive integer, got ${capacity}`);
    }
    if (!Number.isSafeInteger(frameSamples) || frameSamples <= 0) {
      throw new RangeError(`frameSamples must be a positive integer, got ${frameSamples}`);
    }
    this.capacity = capacity;
    this.frameSamples = frameSamples;
    this.slots = Array.from({ length: capacity }, () => ({
      samples: new Float32Array(frameSamples),
      seq: 0,
      captureTime: 0,
    }));
  }

  /** Frames waiting. */
  get size(): number {
    return this.count;
  }

  /** Frames ever pushed, dropped ones included. */
  get pushed(): number {
    return this.pushedCount;
  }

  /** Frames dropped because the queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Copies `samples` into a free slot. When the queue is full the oldest frame is dropped to
   * make room; a full queue never blocks or throws. Throws `RangeError` only when `samples`
   * is not exactly `frameSamples` long (a bug in the caller's framing). Returns the sequence
   * number of the frame dropped to make room, if one was.
   */
  push(samples: Float32Array, seq: number, captureTime: number): number | undefined {
    if (samples.length !== this.frameSamples) {
      throw new RangeError(`a frame has ${this.frameSamples} samples, got ${samples.length}`);
    }
    let dropped: number | undefined;
    if (this.count === this.capacity) {
      dropped = this.slots[this.head]!.seq;
      this.head = (this.head + 1) % this.capacity;
      this.count--;
      this.droppedCount++;
    }
    const slot = this.slots[(this.head + this.count) % this.capacity]!;
    slot.samples.set(samples);
    slot.seq = seq;
    slot.captureTime = captureTime;
    this.count++;
    this.pushedCount++;
    return dropped;
  }

  /**
   * The oldest frame (or the one `index` places after it, for batching), still queued. Its slot
   * is reused after `shift()`, so serialise it first.
   */
  peek(index = 0): Frame | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    return this.slots[(this.head + index) % this.capacity];
  }

  /** Removes the oldest frame (after it has been sent). Does nothing when empty. */
  shift(): void {
    if (this.count === 0) return;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  /** Drops every queued frame without counting them as dropped; `pushed`/`dropped` are kept. */
  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}
