/**
 * A fixed-size history of mono samples (e.g. the last 60 s at 16 kHz) for pre-roll and
 * transcription. Samples are addressed by absolute index: sample `k` of the stream, ever,
 * lives at `k % capacity` until it is overwritten, so indices taken earlier stay meaningful.
 *
 * Nothing here allocates after construction. `subarray()` would make the code shorter but
 * creates a view object on every call (about 96 bytes, measured on Node 20), so partial
 * copies use a plain loop and `set()` is kept for whole-array copies, which need no view.
 */
export class RingBuffer {
  readonly capacity: number;
  private readonly data: Float32Array;
  private total = 0;
  /** Everything before this index was dropped by `clear()`. */
  private floor = 0;
  private cursor = 0;
  private overrunCount = 0;

  /**
   * @param capacity samples held, e.g. `60 * 16_000`.
   * @param storage backing memory of exactly `capacity` samples, if the caller wants to own it.
   */
  constructor(capacity: number, storage: Float32Array = new Float32Array(capacity)) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) {
      throw new RangeError(`RingBuffer capacity must be a positive integer, got ${capacity}`);
    }
    if (storage.length !== capacity) {
      throw new RangeError(`RingBuffer storage holds ${storage.length} samples, expected ${capacity}`);
    }
    this.capacity = capacity;
    this.data = storage;
  }

  /** Total samples ever written: the absolute index the next sample will get. */
  get written(): number {
    return this.total;
  }

  /** Absolute index of the oldest sample still held (equals `written` when empty). */
  get oldestIndex(): number {
    return Math.max(this.floor, this.total - this.capacity);
  }

  /** Samples currently held. */
  get size(): number {
    return this.total - this.oldestIndex;
  }

  /** Samples written but not yet returned by `consume()` (lapped ones excluded). */
  get unconsumed(): number {
    return this.total - Math.max(this.cursor, this.oldestIndex);
  }

  /** Times `consume()` found that the writer had overwritten samples it had not read yet. */
  get overruns(): number {
    return this.overrunCount;
  }

  /**
   * Appends `samples[0 .. length)`. A write longer than the capacity keeps only its last
   * `capacity` samples, but `written` still advances by `length`.
   */
  write(samples: Float32Array, length: number = samples.length): void {
    checkCount('length', length, samples.length);
    const kept = Math.min(length, this.capacity);
    const skipped = length - kept;
    const pos = (this.total + skipped) % this.capacity;
    const first = Math.min(kept, this.capacity - pos);
    if (skipped === 0 && first === samples.length) {
      this.data.set(samples, pos);
    } else {
      copy(samples, skipped, this.data, pos, first);
      copy(samples, skipped + first, this.data, 0, kept - first);
    }
    this.total += length;
  }

  /**
   * Copies the newest min(count, size, out.length) samples, oldest first, into the start of
   * `out`; returns how many.
   */
  readLatest(count: number, out: Float32Array): number {
    checkCount('count', count, Infinity);
    const n = Math.min(count, this.size, out.length);
    this.copyOut(this.total - n, out, n);
    return n;
  }

  /**
   * Copies from absolute index `start` up to `out.length` samples or the newest. When
   * `start` has already been overwritten (or cleared) the copy begins at `oldestIndex`
   * instead; the returned `start` says where it really began. A `start` beyond `written`
   * copies nothing and is returned unchanged.
   */
  readFrom(start: number, out: Float32Array): { start: number; copied: number } {
    if (!Number.isSafeInteger(start)) throw new RangeError(`start must be an integer, got ${start}`);
    const from = Math.max(start, this.oldestIndex);
    const copied = Math.max(0, Math.min(out.length, this.total - from));
    this.copyOut(from, out, copied);
    return { start: from, copied };
  }

  /**
   * Copies not-yet-consumed samples (up to `out.length`) into `out` and advances the read
   * cursor; returns how many. If the writer lapped the cursor, reading resumes at the oldest
   * sample still held and `overruns` goes up by one.
   */
  consume(out: Float32Array): number {
    // clear() moves the cursor too, so a cursor behind the oldest sample means it was lapped.
    const oldest = this.oldestIndex;
    if (this.cursor < oldest) {
      this.overrunCount++;
      this.cursor = oldest;
    }
    const n = Math.min(out.length, this.total - this.cursor);
    this.copyOut(this.cursor, out, n);
    this.cursor += n;
    return n;
  }

  /**
   * Forgets every held sample. `written` keeps counting (absolute indices never repeat), the
   * read cursor moves to the end and `overruns` is kept.
   */
  clear(): void {
    this.floor = this.total;
    this.cursor = this.total;
  }

  /** Copies `n` held samples starting at absolute index `from` into `out[0 .. n)`. */
  private copyOut(from: number, out: Float32Array, n: number): void {
    const pos = from % this.capacity;
    const first = Math.min(n, this.capacity - pos);
    copy(this.data, pos, out, 0, first);
    copy(this.data, 0, out, first, n - first);
  }
}

function copy(src: Float32Array, srcStart: number, dst: Float32Array, dstStart: number, n: number): void {
  for (let i = 0; i < n; i++) dst[dstStart + i] = src[srcStart + i]!;
}

function checkCount(name: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in [0, ${max}], got ${value}`);
  }
}
