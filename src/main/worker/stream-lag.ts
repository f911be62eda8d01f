/** Wall-clock milliseconds, comparable across threads and processes (frames carry their capture time in it). */
export const wallClock = (): number => performance.timeOrigin + performance.now();

/** No frame for this long: the stream has stopped, and nothing is behind. */
const STOPPED_AFTER_MS = 500;

/**
 * How far behind live audio a consumer of the frame stream is: how long ago the frame it handled
 * last was captured. 0 once no frame has come for half a second (no stream to fall behind).
 */
export class StreamLag {
  private lastLagMs = 0;
  private lastFrameAt = -Infinity;

  constructor(private readonly now: () => number = wallClock) {}

  /** A frame captured at `captureTime` (wall clock, ms) is being handled now. */
  mark(captureTime: number): void {
    this.lastFrameAt = this.now();
    this.lastLagMs = this.lastFrameAt - captureTime;
  }

  get ms(): number {
    return this.now() - this.lastFrameAt > STOPPED_AFTER_MS ? 0 : this.lastLagMs;
  }
}
