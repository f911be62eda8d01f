import type { DeviceMeasurement } from '../../shared/audio';

export interface StreamHealthLimits {
  /** No first buffer this long after opening: the device is not delivering. */
  firstBufferTimeoutMs: number;
  /** No buffer this long after audio was flowing: the device stalled or vanished. */
  stallMs: number;
  /**
   * Audio further ahead of the wall clock than this is not live: a real microphone cannot
   * deliver faster than real time (a file or FIFO source at end-of-file does). Generous,
   * because drivers may hand over a backlog when a stream opens.
   */
  maxAheadSeconds: number;
}

export const DEFAULT_HEALTH_LIMITS: StreamHealthLimits = {
  firstBufferTimeoutMs: 3000,
  stallMs: 1500,
  maxAheadSeconds: 5,
};

export type HealthVerdict = { healthy: true } | { healthy: false; reason: string };

/**
 * Watches one capture stream's buffer timing (times in ms, from any monotonic clock). Used
 * both to detect a lost device during capture and to measure a device for ranking.
 */
export class StreamHealth {
  private openedAt = 0;
  private firstAt: number | null = null;
  private lastAt: number | null = null;
  private frames = 0;
  private buffers = 0;
  private intervalSum = 0;
  private intervalSquares = 0;

  constructor(
    readonly sampleRate: number,
    private readonly limits: StreamHealthLimits = DEFAULT_HEALTH_LIMITS,
  ) {}

  opened(now: number): void {
    this.openedAt = now;
  }

  buffer(frameCount: number, now: number): void {
    if (this.lastAt !== null) {
      const interval = now - this.lastAt;
      this.intervalSum += interval;
      this.intervalSquares += interval * interval;
    } else {
      this.firstAt = now;
    }
    this.lastAt = now;
    this.frames += frameCount;
    this.buffers++;
  }

  check(now: number): HealthVerdict {
    if (this.firstAt === null) {
      return now - this.openedAt > this.limits.firstBufferTimeoutMs
        ? {
            healthy: false,
            reason: `no audio within ${(this.limits.firstBufferTimeoutMs / 1000).toFixed(1)} s of opening`,
          }
        : { healthy: true };
    }
    const silentFor = now - (this.lastAt ?? now);
    if (silentFor > this.limits.stallMs) {
      return { healthy: false, reason: `no audio for ${(silentFor / 1000).toFixed(1)} s` };
    }
    const ahead = this.frames / this.sampleRate - (now - this.openedAt) / 1000;
    if (ahead > this.limits.maxAheadSeconds) {
      return { healthy: false, reason: 'the device delivers audio faster than real time (its source has ended)' };
    }
    return { healthy: true };
  }

  /** Timing figures for ranking by measurement. */
  summary(now: number, error: string | null = null): DeviceMeasurement {
    const intervals = this.buffers - 1;
    const mean = intervals > 0 ? this.intervalSum / intervals : null;
    const jitter = mean !== null ? Math.sqrt(Math.max(0, this.intervalSquares / intervals - mean * mean)) : null;
    let dropped = 0;
    if (this.firstAt !== null && this.buffers > 1) {
      const expected = ((now - this.firstAt) / 1000) * this.sampleRate;
      const perBuffer = this.frames / this.buffers;
      // One buffer period of slack: the measurement window rarely ends on a buffer boundary.
      dropped = Math.max(0, Math.floor((expected - this.frames - perBuffer) / perBuffer));
    }
    const verdict = error ? { healthy: false as const, reason: error } : this.check(now);
    return {
      ok: verdict.healthy && this.firstAt !== null,
      firstBufferMs: this.firstAt === null ? null : this.firstAt - this.openedAt,
      meanIntervalMs: mean,
      jitterMs: jitter,
      droppedBuffers: dropped,
      error: verdict.healthy ? (this.firstAt === null ? 'no audio' : null) : verdict.reason,
    };
  }
}
