import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { MetricsSample, MetricsSnapshot } from '../../shared/metrics';
import { bridge } from '../bridge';
import { messageOf } from './error-message';

/** Main keeps 15 minutes; the Monitor shows at most that. */
export const HISTORY_SECONDS = 900;

/**
 * The Monitor's data: the samples main keeps (fetched once when the view opens, then one per
 * `metrics:sample` event) and the latest snapshot (percentiles and counters), refreshed with each
 * sample. Paused, samples still arrive and are kept; the charts simply stop following them.
 */
export const useMetricsStore = defineStore('metrics', () => {
  /** Oldest first; a new array per sample, so watchers see the change without deep watching. */
  const samples = shallowRef<MetricsSample[]>([]);
  const snapshot = shallowRef<MetricsSnapshot | null>(null);
  const paused = ref(false);
  const loaded = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      const api = bridge();
      const [history, latest] = await Promise.all([
        api.getMetricsHistory({ seconds: HISTORY_SECONDS }),
        api.getMetricsSnapshot(),
      ]);
      samples.value = history.samples;
      snapshot.value = latest;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  function add(sample: MetricsSample): void {
    const from = sample.at - HISTORY_SECONDS * 1000;
    const kept = samples.value.filter((s) => s.at >= from);
    samples.value = [...kept, sample];
  }

  /** Follows new samples while the Monitor is open. */
  function subscribe(): () => void {
    return bridge().onMetricsSample((sample) => {
      add(sample);
      void bridge()
        .getMetricsSnapshot()
        .then((next) => {
          snapshot.value = next;
        })
        .catch((err: unknown) => {
          error.value = messageOf(err);
        });
    });
  }

  return { samples, snapshot, paused, loaded, error, load, subscribe };
});
