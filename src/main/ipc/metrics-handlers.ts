import type { MetricsService } from '../metrics/metrics-service';
import type { EventHub } from './event-hub';
import type { IpcRouter } from './router';

/** The Monitor's part of the IPC contract. */
export function bindMetrics(metrics: MetricsService, router: IpcRouter, events: EventHub): (() => void)[] {
  return [
    router.handle('metrics:get-snapshot', () => metrics.snapshot()),
    router.handle('metrics:get-history', ({ seconds }) => metrics.history(seconds)),
    metrics.onSample((sample) => events.emit('metrics:sample', sample)),
  ];
}
