// The capture watchdog with an injected clock: first buffer, stalls, runaway sources, and measurement figures.
import { describe, expect, it } from 'vitest';
import { StreamHealth } from '../../../src/main/audio/stream-health';

const RATE = 16000;

/** Feeds 10 ms buffers at the given times (ms). */
function feed(health: StreamHealth, times: number[], frames = 160): void {
  for (const t of times) health.buffer(frames, t);
}

describe('StreamHealth', () => {
  it('is healthy while buffers arrive in real time', () => {
    const health = new StreamHealth(RATE);
    health.opened(0);
    feed(
      health,
      Array.from({ length: 300 }, (_, i) => 20 + i * 10),
    );
    expect(health.check(3015)).toEqual({ healthy: true });
  });

  it('reports a device that never delivers', () => {
    const health = new StreamHealth(RATE);
    health.opened(0);
    expect(health.check(2900).healthy).toBe(true);
    expect(health.check(3100)).toEqual({ healthy: false, reason: 'no audio within 3.0 s of opening' });
  });

  it('reports a stall after audio was flowing', () => {
    const health = new StreamHealth(RATE);
    health.opened(0);
    feed(health, [10, 20, 30]);
    expect(health.check(1500).healthy).toBe(true);
    expect(health.check(1600)).toEqual({ healthy: false, reason: 'no audio for 1.6 s' });
  });

  it('reports a source that runs faster than real time (a file at its end), but tolerates an opening backlog', () => {
    const health = new StreamHealth(RATE);
    health.opened(0);
    health.buffer(RATE * 2, 5); // a 2 s backlog handed over at once
    expect(health.check(10).healthy).toBe(true);
    health.buffer(RATE * 10, 400);
    expect(health.check(500)).toEqual({
      healthy: false,
      reason: 'the device delivers audio faster than real time (its source has ended)',
    });
  });

  it('summarises timing for ranking: first buffer, jitter and dropped buffers', () => {
    const steady = new StreamHealth(RATE);
    steady.opened(0);
    feed(
      steady,
      Array.from({ length: 50 }, (_, i) => 12 + i * 10),
    );
    const s = steady.summary(505);
    expect(s).toMatchObject({ ok: true, firstBufferMs: 12, droppedBuffers: 0, error: null });
    expect(s.meanIntervalMs).toBeCloseTo(10, 5);
    expect(s.jitterMs).toBeCloseTo(0, 5);

    const gappy = new StreamHealth(RATE);
    gappy.opened(0);
    // 10 ms buffers from 10 to 205 ms: about 20 due, only 10 came (a 100 ms hole, uneven spacing).
    feed(gappy, [10, 20, 35, 40, 50, 160, 170, 180, 195, 200]);
    const g = gappy.summary(205);
    expect(g.droppedBuffers).toBeGreaterThanOrEqual(8); // ~9.5 missing, less one buffer of slack
    expect(g.jitterMs).toBeGreaterThan(20);
  });

  it('summarises a failure with its reason', () => {
    const health = new StreamHealth(RATE);
    health.opened(0);
    expect(health.summary(400, 'Device unavailable')).toMatchObject({
      ok: false,
      firstBufferMs: null,
      error: 'Device unavailable',
    });
    expect(health.summary(400)).toMatchObject({ ok: false, error: 'no audio' });
  });
});
