import type { Alert, AlertId, LatencyStats, MetricsSample, PipelineCounters } from '../../shared/metrics';
import type { AlertThresholds } from '../../shared/settings';

/** What the rules look at after each sample. */
export interface AlertInput {
  now: number;
  /** Samples of the last few minutes, oldest first, the newest last. */
  samples: readonly MetricsSample[];
  releaseToFinal: LatencyStats;
  counters: PipelineCounters;
  thresholds: AlertThresholds;
}

export interface AlertChanges {
  raised: Alert[];
  cleared: Alert[];
}

/** A count that went up this recently keeps its alert raised. */
const DROPS_WINDOW_MS = 60_000;
const RESTARTS_WINDOW_MS = 5 * 60_000;
/** A p95 from fewer push-to-talks than this says little. */
const MIN_RELEASES = 3;
const MIB = 2 ** 20;

/**
 * Alert rules with memory: an alert is raised once when its condition starts and cleared when it
 * ends, so the user hears of it once. Each message says what is wrong and what to do.
 */
export class AlertRules {
  private readonly active = new Map<AlertId, Alert>();
  /** When each counter last went up, and its value then. */
  private readonly increases = new Map<'drops' | 'restarts', { value: number; at: number }>();

  get alerts(): Alert[] {
    return [...this.active.values()].sort((a, b) => a.raisedAt - b.raisedAt);
  }

  evaluate(input: AlertInput): AlertChanges {
    const changes: AlertChanges = { raised: [], cleared: [] };
    const conditions = this.conditions(input);
    for (const [id, condition] of conditions) {
      const current = this.active.get(id);
      if (condition && !current) {
        const alert = { id, raisedAt: input.now, ...condition };
        this.active.set(id, alert);
        changes.raised.push(alert);
      } else if (!condition && current) {
        this.active.delete(id);
        changes.cleared.push(current);
      }
    }
    return changes;
  }

  private conditions(input: AlertInput): Map<AlertId, Omit<Alert, 'id' | 'raisedAt'> | null> {
    const { thresholds: t, samples, now } = input;
    const latest = samples.at(-1);
    const found = new Map<AlertId, Omit<Alert, 'id' | 'raisedAt'> | null>();

    const worker = latest?.processes.find((p) => p.process === 'worker');
    const workerMb = worker ? worker.residentBytes / MIB : 0;
    found.set(
      'worker-memory',
      workerMb > t.workerMemoryMb
        ? {
            message: `The inference worker uses ${Math.round(workerMb)} MiB (alert above ${t.workerMemoryMb} MiB). Switch to the Low resource profile or a smaller model.`,
            value: workerMb,
            threshold: t.workerMemoryMb,
          }
        : null,
    );

    const availableMb = latest ? latest.system.memoryAvailableBytes / MIB : Infinity;
    found.set(
      'system-memory',
      availableMb < t.systemAvailableMb
        ? {
            message: `Only ${Math.round(availableMb)} MiB of memory is left (alert below ${t.systemAvailableMb} MiB). Earshot emptied its encoder cache and unloaded the models it is not using; close other programs or switch to Low resource.`,
            value: availableMb,
            threshold: t.systemAvailableMb,
          }
        : null,
    );

    // Sustained: every sample of the last cpuSustainSeconds above the threshold, and the samples
    // reach back that far (a Monitor just started has not seen enough to say).
    const from = now - t.cpuSustainSeconds * 1000;
    const window = samples.filter((s) => s.at >= from);
    const total = (s: MetricsSample) => s.processes.reduce((sum, p) => sum + p.cpuPercent, 0);
    const covered = samples.some((s) => s.at <= from + 1500);
    const lowest = window.length > 0 ? Math.min(...window.map(total)) : 0;
    found.set(
      'cpu',
      covered && lowest > t.cpuPercent
        ? {
            message: `Earshot has used over ${Math.round(lowest)} % of a core for ${t.cpuSustainSeconds} s (alert above ${t.cpuPercent} %). Switch to the Low resource profile, or turn live partials down.`,
            value: lowest,
            threshold: t.cpuPercent,
          }
        : null,
    );

    const p95 = input.releaseToFinal.p95;
    found.set(
      'release-latency',
      p95 !== null && input.releaseToFinal.count >= MIN_RELEASES && p95 > t.releaseToFinalP95Ms
        ? {
            message: `Push-to-talk text takes ${Math.round(p95)} ms at p95 (alert above ${t.releaseToFinalP95Ms} ms). Switch to the Low latency profile, or close busy programs.`,
            value: p95,
            threshold: t.releaseToFinalP95Ms,
          }
        : null,
    );

    const recent = (key: 'drops' | 'restarts', value: number, windowMs: number): boolean => {
      const last = this.increases.get(key) ?? { value: 0, at: -Infinity };
      const latestIncrease = value > last.value ? { value, at: now } : last;
      this.increases.set(key, latestIncrease);
      return now - latestIncrease.at < windowMs;
    };
    const drops = input.counters.framesDropped;
    found.set(
      'dropped-frames',
      recent('drops', drops, DROPS_WINDOW_MS)
        ? {
            message: `Audio frames were dropped on their way to the inference worker in the last minute (${drops} since start): the machine is too busy for this profile. Switch to Low resource; no speech was lost (finals use Earshot's own copy).`,
            value: drops,
            threshold: 0,
          }
        : null,
    );
    const restarts = input.counters.workerRestarts;
    found.set(
      'worker-restarts',
      recent('restarts', restarts, RESTARTS_WINDOW_MS)
        ? {
            message: `The inference worker stopped and was restarted (${restarts} since start). If it keeps happening, switch to Low resource and look at the log.`,
            value: restarts,
            threshold: 0,
          }
        : null,
    );
    return found;
  }
}
