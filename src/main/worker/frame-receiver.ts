import { AudioFramesSchema, type FramesAck } from '../../shared/worker-protocol';
import { StreamLag, wallClock } from './stream-lag';

type FrameHandler = (samples: Float32Array, seq: number, captureTime: number) => void | Promise<void>;

/**
 * The worker's end of the frame stream: validates each batch, notices gaps in the sequence
 * (frames dropped in main while the worker lagged), and acknowledges arrival so main's sender
 * can send more. Detectors subscribe with `onFrame`.
 */
export class FrameReceiver {
  private readonly handlers = new Set<FrameHandler>();
  private lastSeq = -1;
  /** Frames main dropped before sending (seen as sequence gaps). */
  missed = 0;
  received = 0;
  private readonly lag: StreamLag;

  constructor(private readonly now: () => number = wallClock) {
    this.lag = new StreamLag(now);
  }

  /** How far behind live audio this worker's detectors are, in ms (StreamLag). */
  get lagMs(): number {
    return this.lag.ms;
  }

  onFrame(handler: FrameHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Runs the handlers on each frame in order; returns the acknowledgement to send, or an error for a malformed batch. */
  async receive(message: unknown): Promise<{ ack: FramesAck } | { error: string }> {
    const receivedAt = this.now();
    const parsed = AudioFramesSchema.safeParse(message);
    if (!parsed.success) return { error: `malformed audio-frames message: ${parsed.error.issues[0]?.message ?? ''}` };
    for (const frame of parsed.data.frames) {
      if (frame.seq > this.lastSeq + 1 && this.lastSeq >= 0) this.missed += frame.seq - this.lastSeq - 1;
      this.lastSeq = Math.max(this.lastSeq, frame.seq);
      this.received++;
      this.lag.mark(frame.captureTime);
      for (const handler of this.handlers) await handler(frame.samples, frame.seq, frame.captureTime);
    }
    return { ack: { type: 'frames-ack', seq: this.lastSeq, count: parsed.data.frames.length, receivedAt } };
  }
}
