import { randomBytes } from 'node:crypto';
import type { MetricsEndpoint } from '../host/metrics-endpoint';
import type { MetricsService } from '../metrics/metrics-service';
import type { SettingsService } from '../settings/settings-service';
import type { EventHub } from './event-hub';
import type { IpcRouter } from './router';

/** The Monitor's part of the IPC contract. */
export function bindMetrics(
  metrics: MetricsService,
  endpoint: MetricsEndpoint,
  settings: SettingsService,
  router: IpcRouter,
  events: EventHub,
): (() => void)[] {
  return [
    router.handle('metrics:get-endpoint', () => endpoint.current),
    router.handle('metrics:set-endpoint', (patch) => {
      const { monitoring } = settings.get();
      const next = { ...monitoring.endpoint, ...patch };
      // The token is made the first time it is turned on, and kept: a scraper's config stays valid.
      if (next.enabled && next.token === null) next.token = randomBytes(24).toString('base64url');
      return endpoint.apply(settings.update({ monitoring: { ...monitoring, endpoint: next } }).monitoring.endpoint);
    }),
    router.handle('metrics:get-snapshot', () => metrics.snapshot()),
    router.handle('metrics:get-history', ({ seconds }) => metrics.history(seconds)),
    router.handle('metrics:set-thresholds', (patch) => {
      const { monitoring } = settings.get();
      return settings.update({ monitoring: { ...monitoring, alerts: { ...monitoring.alerts, ...patch } } }).monitoring
        .alerts;
    }),
    metrics.onSample((sample) => events.emit('metrics:sample', sample)),
    metrics.onAlert((event) => {
      events.emit('metrics:alert', event);
      if (event.state === 'raised') events.emit('app:notice', { code: 'MonitorAlert', message: event.alert.message });
    }),
  ];
}
