// Alert rules: each alert is raised once when its condition starts (with what to do) and cleared when it ends; sustained CPU needs the whole window above the threshold; counters alert while they went up recently.
import { describe, expect, it } from 'vitest';
import { AlertRules, type AlertInput } from '../../../src/main/metrics/alert-rules';
import type { MetricsSample, PipelineCounters } from '../../../src/shared/metrics';
import { DEFAULT_ALERT_THRESHOLDS } from '../../../src/shared/settings';

const MIB = 2 ** 20;
const NO_LATENCY = { count: 0, p50: null, p95: null, p99: null };
const COUNTERS: PipelineCounters = {
  utterances: { wake: 0, ptt: 0 },
  wakes: {},
  framesDropped: 0,
  workerRestarts: 0,
  recoveredUtterances: 0,
  reusedPartials: 0,
  encoderCacheHits: 0,
  encoderCacheMisses: 0,
  rejectedWakes: {},
  modelLoads: 0,
};

function sample(at: number, { cpu = 20, workerMb = 260, availableMb = 8000 } = {}): MetricsSample {
  return {
    at,
    processes: [
      { process: 'main', pid: 1, cpuPercent: cpu / 2, residentBytes: 120 * MIB },
      { process: 'worker', pid: 2, cpuPercent: cpu / 2, residentBytes: workerMb * MIB },
    ],
    system: { memoryTotalBytes: 16_000 * MIB, memoryAvailableBytes: availableMb * MIB },
    gpus: [],
    latency: { release_to_final: NO_LATENCY, wake_to_recording: NO_LATENCY },
    pipeline: { wakeRealtimeFactor: 0.1, frameQueueDepth: 0 },
  };
}

function input(samples: MetricsSample[], extra: Partial<AlertInput> = {}): AlertInput {
  return {
    now: samples.at(-1)!.at,
    samples,
    releaseToFinal: NO_LATENCY,
    counters: COUNTERS,
    thresholds: DEFAULT_ALERT_THRESHOLDS,
    ...extra,
  };
}

describe('alert rules', () => {
  it('raises a memory alert once, with what to do, and clears it when memory is back', () => {
    const rules = new AlertRules();
    expect(rules.evaluate(input([sample(0)]))).toEqual({ raised: [], cleared: [] });
    const high = rules.evaluate(input([sample(1000, { workerMb: 1500, availableMb: 300 })]));
    expect(high.raised.map((a) => a.id)).toEqual(['worker-memory', 'system-memory']);
    expect(high.raised[0]).toMatchObject({ value: 1500, threshold: 1024, raisedAt: 1000 });
    expect(high.raised[0]!.message).toMatch(/1500 MiB .*Low resource/);
    expect(high.raised[1]!.message).toMatch(/Only 300 MiB .*encoder cache/);
    // Still high: nothing new.
    expect(rules.evaluate(input([sample(2000, { workerMb: 1600, availableMb: 250 })]))).toEqual({
      raised: [],
      cleared: [],
    });
    expect(rules.alerts.map((a) => a.id)).toEqual(['worker-memory', 'system-memory']);
    const back = rules.evaluate(input([sample(3000)]));
    expect(back.cleared.map((a) => a.id)).toEqual(['worker-memory', 'system-memory']);
    expect(rules.alerts).toEqual([]);
  });

  it('raises CPU only when every sample of the sustain window is above the threshold', () => {
    const rules = new AlertRules();
    const thresholds = { ...DEFAULT_ALERT_THRESHOLDS, cpuPercent: 150, cpuSustainSeconds: 5 };
    const busy = (from: number, to: number) =>
      Array.from({ length: (to - from) / 1000 + 1 }, (_, i) => sample(from + i * 1000, { cpu: 190 }));
    // Busy for 3 s only: not sustained.
    expect(rules.evaluate(input(busy(0, 3000), { thresholds })).raised).toEqual([]);
    // Busy for 6 s, covering the window.
    const raised = rules.evaluate(input(busy(0, 6000), { thresholds })).raised;
    expect(raised).toMatchObject([{ id: 'cpu', value: 190, threshold: 150 }]);
    // One quiet sample inside the window clears it.
    const dip = [...busy(0, 6000), sample(7000, { cpu: 40 })];
    expect(rules.evaluate(input(dip, { thresholds })).cleared.map((a) => a.id)).toEqual(['cpu']);
  });

  it('raises release → final only on a p95 over enough push-to-talks', () => {
    const rules = new AlertRules();
    const slow = (count: number) => ({ count, p50: 900, p95: 2100, p99: 2500 });
    expect(rules.evaluate(input([sample(0)], { releaseToFinal: slow(2) })).raised).toEqual([]);
    expect(rules.evaluate(input([sample(1000)], { releaseToFinal: slow(3) })).raised).toMatchObject([
      { id: 'release-latency', value: 2100, threshold: 1500 },
    ]);
  });

  it('raises dropped frames and worker restarts while they went up recently, then clears them', () => {
    const rules = new AlertRules();
    expect(rules.evaluate(input([sample(0)])).raised).toEqual([]);
    const dropped = rules.evaluate(
      input([sample(1000)], { counters: { ...COUNTERS, framesDropped: 6, workerRestarts: 1 } }),
    );
    expect(dropped.raised.map((a) => a.id)).toEqual(['dropped-frames', 'worker-restarts']);
    expect(dropped.raised[0]!.message).toMatch(/no speech was lost/);
    const counters = { ...COUNTERS, framesDropped: 6, workerRestarts: 1 };
    // A minute without new drops clears that one; restarts stay for five minutes.
    expect(rules.evaluate(input([sample(62_000)], { counters })).cleared.map((a) => a.id)).toEqual(['dropped-frames']);
    expect(rules.evaluate(input([sample(302_000)], { counters })).cleared.map((a) => a.id)).toEqual([
      'worker-restarts',
    ]);
  });
});
