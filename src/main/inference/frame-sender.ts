import { FRAME_SAMPLES } from '../../shared/audio';
import { FramesAckSchema, type AudioFrames } from '../../shared/worker-protocol';
import { BoundedFrameQueue } from '../audio/frame-queue';
import type { WorkerChannel } from './worker-channel';

export interface FrameSenderOptions {
  /** Frames waiting in main before the oldest is dropped (default 2 s). */
  queueFrames?: number;
  /** Frames sent but not yet acknowledged; more waits in the queue (credit-based flow control). */
  window?: number;
  /** Frames per message: the profile's `frameMs` / 80. */
  batchFrames?: number;
  /** Each frame's time from capture to arrival in the worker (ms), as its acknowledgement comes. */
  onLatency?: (ms: number) => void;
}

const LATENCY_SAMPLES = 1024;
/** Dropped frames remembered, newest last: more than a longest utterance (30 s) holds. */
const DROPPED_REMEMBERED = 1024;

/**
 * Sends 80 ms frames to the worker without ever blocking capture. Frames wait in a bounded
 * queue while `window` frames are unacknowledged; when the worker lags long enough for the
 * queue to fill, the oldest frames are dropped and counted.
 */
export class FrameSender {
  private readonly queue: BoundedFrameQueue;
  private readonly window: number;
  private batchFrames: number;
  /** Capture times of unacknowledged frames, by sequence number. */
  private readonly inFlight = new Map<number, number>();
  private readonly latencies = new Float64Array(LATENCY_SAMPLES);
  private latencyCount = 0;
  /** Sequence numbers of frames dropped before they reached the worker, in order. */
  private readonly droppedSeqs: number[] = [];
  private readonly stopListening: () => void;
  sent = 0;
  acknowledged = 0;
  private readonly onLatency: ((ms: number) => void) | undefined;

  constructor(
    private readonly channel: WorkerChannel,
    options: FrameSenderOptions = {},
  ) {
    this.queue = new BoundedFrameQueue(options.queueFrames ?? 25, FRAME_SAMPLES);
    this.window = options.window ?? 8;
    this.batchFrames = options.batchFrames ?? 1;
    this.onLatency = options.onLatency;
    this.stopListening = channel.onMessage((message) => {
      const ack = FramesAckSchema.safeParse(message);
      if (ack.success) this.acknowledge(ack.data.seq, ack.data.receivedAt);
    });
  }

  get dropped(): number {
    return this.queue.dropped;
  }

  get queued(): number {
    return this.queue.size;
  }

  /** Frames captured and not yet processed by the worker: queued here, or sent and not acknowledged. */
  get pending(): number {
    return this.queue.size + this.inFlight.size;
  }

  setBatchFrames(frames: number): void {
    this.batchFrames = Math.max(1, frames);
    this.pump();
  }

  push(samples: Float32Array, seq: number, captureTime: number): void {
    const dropped = this.queue.push(samples, seq, captureTime);
    if (dropped !== undefined) {
      this.droppedSeqs.push(dropped);
      if (this.droppedSeqs.length > DROPPED_REMEMBERED) this.droppedSeqs.shift();
    }
    this.pump();
  }

  /** Frames in [from, to] dropped before they reached the worker (the worker's copy of them has a gap). */
  droppedBetween(from: number, to: number): number {
    return this.droppedSeqs.filter((seq) => seq >= from && seq <= to).length;
  }

  /** Latency from capture callback to arrival in the worker over the last ~1000 frames, in ms. */
  latencyPercentiles(): { p50: number; p99: number; count: number } {
    const n = Math.min(this.latencyCount, LATENCY_SAMPLES);
    const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b);
    const at = (p: number): number => sorted[Math.min(n - 1, Math.floor(p * n))] ?? NaN;
    return { p50: at(0.5), p99: at(0.99), count: this.latencyCount };
  }

  /** After a worker restart: frames in flight will never be acknowledged; free the window. */
  forgetInFlight(): void {
    this.inFlight.clear();
    this.pump();
  }

  dispose(): void {
    this.stopListening();
    this.queue.clear();
    this.inFlight.clear();
  }

  private pump(): void {
    while (this.inFlight.size + this.batchFrames <= this.window && this.queue.size >= this.batchFrames) {
      const frames: AudioFrames['frames'] = [];
      for (let i = 0; i < this.batchFrames; i++) {
        const frame = this.queue.peek(i);
        if (!frame) break;
        frames.push({ seq: frame.seq, captureTime: frame.captureTime, samples: frame.samples });
        this.inFlight.set(frame.seq, frame.captureTime);
      }
      // post() copies synchronously, so the queue's slots can be reused right after.
      this.channel.post({ type: 'audio-frames', frames } satisfies AudioFrames);
      for (let i = 0; i < frames.length; i++) this.queue.shift();
      this.sent += frames.length;
    }
  }

  private acknowledge(lastSeq: number, receivedAt: number): void {
    for (const [seq, captureTime] of this.inFlight) {
      if (seq > lastSeq) continue;
      this.latencies[this.latencyCount++ % LATENCY_SAMPLES] = receivedAt - captureTime;
      this.onLatency?.(receivedAt - captureTime);
      this.inFlight.delete(seq);
      this.acknowledged++;
    }
    this.pump();
  }
}
