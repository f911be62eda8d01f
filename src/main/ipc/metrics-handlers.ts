import type { MetricsService } from '../metrics/metrics-service';
import type { SettingsService } from '../settings/settings-service';
import type { EventHub } from './event-hub';
import type { IpcRouter } from './router';

/** The Monitor's part of the IPC contract. */
export function bindMetrics(
  metrics: MetricsService,
  settings: SettingsService,
  router: IpcRouter,
  events: EventHub,
): (() => void)[] {
  return [
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
