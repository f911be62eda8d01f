import { eventChannels, type EventChannel, type EventPayload } from '../../shared/ipc/contract';
import type { Logger } from '../log';

export type EventSink = (channel: EventChannel, payload: unknown) => void;

/**
 * Main → renderer events. Services emit here; each host adds a sink for its transport
 * (the Electron window, every WebSocket client). Payloads are validated once, here.
 */
export class EventHub {
  private readonly sinks = new Set<EventSink>();

  constructor(private readonly log: Logger) {}

  addSink(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    const parsed = eventChannels[channel].payload.safeParse(payload);
    if (!parsed.success) {
      this.log.error(`dropped invalid ${channel} event`, parsed.error.issues);
      return;
    }
    for (const sink of this.sinks) {
      try {
        sink(channel, parsed.data);
      } catch (err) {
        this.log.warn(`event sink failed for ${channel}`, err);
      }
    }
  }
}
