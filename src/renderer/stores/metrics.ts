import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { Alert, MetricsEndpointStatus, MetricsSample, MetricsSnapshot } from '../../shared/metrics';
import type { AlertThresholds } from '../../shared/settings';
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
  /** Alerts raised and not cleared (from the snapshot, then kept current by `metrics:alert`). */
  const alerts = ref<Alert[]>([]);
  const thresholds = ref<AlertThresholds | null>(null);
  const savingThresholds = ref(false);
  const endpoint = ref<MetricsEndpointStatus | null>(null);
  const loaded = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      const api = bridge();
      const [history, latest, endpointNow] = await Promise.all([
        api.getMetricsHistory({ seconds: HISTORY_SECONDS }),
        api.getMetricsSnapshot(),
        api.getMetricsEndpoint(),
      ]);
      endpoint.value = endpointNow;
      samples.value = history.samples;
      snapshot.value = latest;
      alerts.value = latest.alerts;
      thresholds.value = latest.thresholds;
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

  /** Saves some thresholds; the next sample applies them. On failure the old ones stay. */
  async function setThresholds(patch: Partial<AlertThresholds>): Promise<void> {
    savingThresholds.value = true;
    try {
      thresholds.value = await bridge().setAlertThresholds(patch);
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      savingThresholds.value = false;
    }
  }

  /** Turns the Prometheus endpoint on or off, or moves it; the answer says whether it listens. */
  async function setEndpoint(patch: { enabled?: boolean; port?: number }): Promise<void> {
    try {
      endpoint.value = await bridge().setMetricsEndpoint(patch);
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  /** Follows new samples and alerts while the Monitor is open. */
  function subscribe(): () => void {
    const offAlerts = bridge().onMetricsAlert(({ state, alert }) => {
      const others = alerts.value.filter((a) => a.id !== alert.id);
      alerts.value = state === 'raised' ? [...others, alert] : others;
    });
    const offSamples = bridge().onMetricsSample((sample) => {
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
    return () => {
      offAlerts();
      offSamples();
    };
  }

  return {
    samples,
    snapshot,
    paused,
    alerts,
    thresholds,
    savingThresholds,
    endpoint,
    loaded,
    error,
    load,
    subscribe,
    setThresholds,
    setEndpoint,
  };
});
