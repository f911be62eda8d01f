// Level metering in dBFS: known signals (sine, silence, full-scale square) and LevelMeter throttling on an injected clock.
import { describe, expect, it } from 'vitest';
import { LevelMeter, measureLevel, SILENCE_DB } from '../../../src/main/audio/levels';

const RATE = 16_000;

function sine(amplitude: number, hz: number, samples: number): Float32Array {
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / RATE);
  return out;
}

describe('measureLevel', () => {
  it('reads a 0.5-amplitude sine as -9.03 dBFS RMS and -6.02 dBFS peak', () => {
    const level = measureLevel(sine(0.5, 1000, RATE));
    expect(level.rmsDb).toBeCloseTo(-9.03, 1);
    expect(Math.abs(level.rmsDb - -9.03)).toBeLessThan(0.05);
    expect(Math.abs(level.peakDb - -6.02)).toBeLessThan(0.05);
  });

  it('reads silence, and no samples at all, as the -100 dB floor', () => {
    expect(measureLevel(new Float32Array(1280))).toEqual({ rmsDb: SILENCE_DB, peakDb: SILENCE_DB });
    expect(measureLevel(new Float32Array(0))).toEqual({ rmsDb: -100, peakDb: -100 });
    // Quieter than the floor is still the floor, never -Infinity or NaN.
    expect(measureLevel(new Float32Array(100).fill(1e-9))).toEqual({ rmsDb: -100, peakDb: -100 });
  });

  it('reads a full-scale square wave as 0 dB', () => {
    const square = new Float32Array(1280).map((_, i) => (Math.floor(i / 20) % 2 ? -1 : 1));
    const level = measureLevel(square);
    expect(level.rmsDb).toBeCloseTo(0, 6);
    expect(level.peakDb).toBeCloseTo(0, 6);
  });

  it('measures only the first `length` samples', () => {
    const samples = new Float32Array([0.5, -0.5, 1, 1]);
    const level = measureLevel(samples, 2);
    expect(level.peakDb).toBeCloseTo(-6.02, 2);
    expect(level.rmsDb).toBeCloseTo(-6.02, 2);
  });
});

describe('LevelMeter', () => {
  it('emits at most once per interval on 10 ms chunks', () => {
    const meter = new LevelMeter(50);
    const chunk = sine(0.5, 1000, 160);
    const emittedAt: number[] = [];
    for (let t = 0; t <= 1000; t += 10) if (meter.push(chunk, chunk.length, t)) emittedAt.push(t);
    expect(emittedAt[0]).toBe(0); // the first chunk shows at once
    expect(emittedAt).toHaveLength(21);
    for (let i = 1; i < emittedAt.length; i++) expect(emittedAt[i]! - emittedAt[i - 1]!).toBeGreaterThanOrEqual(50);
  });

  it('reports the level over every chunk since the last emission', () => {
    const meter = new LevelMeter(50);
    const silence = new Float32Array(160);
    const loud = new Float32Array(160).fill(1);
    meter.push(silence, 160, 0);
    for (let t = 10; t < 50; t += 10) expect(meter.push(silence, 160, t)).toBeNull();
    const level = meter.push(loud, 160, 50)!;
    // One full-scale chunk among five: mean square 1/5, peak full scale.
    expect(level.rmsDb).toBeCloseTo(10 * Math.log10(1 / 5), 6);
    expect(level.peakDb).toBe(0);
    // The next window starts afresh.
    for (let t = 60; t < 100; t += 10) expect(meter.push(silence, 160, t)).toBeNull();
    expect(meter.push(silence, 160, 100)).toEqual({ rmsDb: -100, peakDb: -100 });
  });

  it('emits on every chunk when chunks are longer than the interval, and honours `length`', () => {
    const meter = new LevelMeter();
    expect(meter.intervalMs).toBe(50);
    const chunk = new Float32Array(2560);
    chunk.fill(0.5, 0, 1280);
    chunk.fill(1, 1280);
    for (let t = 0; t < 800; t += 80) expect(meter.push(chunk, 1280, t)!.peakDb).toBeCloseTo(-6.02, 2);
  });

  it('re-arms when the clock goes backwards, and after reset', () => {
    const meter = new LevelMeter(50);
    const chunk = new Float32Array(16).fill(0.1);
    expect(meter.push(chunk, 16, 1000)).not.toBeNull();
    expect(meter.push(chunk, 16, 1010)).toBeNull();
    expect(meter.push(chunk, 16, 5)).not.toBeNull();
    meter.reset();
    expect(meter.push(chunk, 16, 6)).not.toBeNull();
  });
});
