import type { AudioDevice, CaptureEndReason } from '../../shared/audio';
import type { Capture, PcmChunk, StreamFormat } from './audio-input';
import { LevelMeter, type AudioLevel } from './levels';
import { downmixToMono } from './pcm-convert';

type EndHandler = (reason: CaptureEndReason, detail: string | null) => void;

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Listener bookkeeping and level metering shared by every `Capture` implementation, so the
 * real device and the WAV double behave identically above the stream itself.
 */
export abstract class CaptureBase implements Capture {
  private readonly frameHandlers = new Set<(chunk: PcmChunk) => void>();
  private readonly levelHandlers = new Set<(level: AudioLevel) => void>();
  private readonly endHandlers = new Set<EndHandler>();
  private readonly meter = new LevelMeter();
  private mono = new Float32Array(0);
  private endedWith: { reason: CaptureEndReason; detail: string | null } | null = null;

  protected constructor(
    readonly device: AudioDevice,
    readonly format: StreamFormat,
  ) {}

  abstract stop(): Promise<void>;

  get ended(): boolean {
    return this.endedWith !== null;
  }

  onFrame(handler: (chunk: PcmChunk) => void): () => void {
    this.frameHandlers.add(handler);
    return () => this.frameHandlers.delete(handler);
  }

  onLevel(handler: (level: AudioLevel) => void): () => void {
    this.levelHandlers.add(handler);
    return () => this.levelHandlers.delete(handler);
  }

  onEnded(handler: EndHandler): () => void {
    // A late subscriber still learns that the capture is over.
    if (this.endedWith) handler(this.endedWith.reason, this.endedWith.detail);
    else this.endHandlers.add(handler);
    return () => this.endHandlers.delete(handler);
  }

  protected deliver(chunk: PcmChunk): void {
    if (this.endedWith) return;
    for (const handler of this.frameHandlers) handler(chunk);
    if (this.levelHandlers.size > 0) this.meterLevel(chunk);
  }

  /** Ends the capture once; later calls are ignored. */
  protected finish(reason: CaptureEndReason, detail: string | null = null): void {
    if (this.endedWith) return;
    this.endedWith = { reason, detail };
    for (const handler of this.endHandlers) handler(reason, detail);
    this.endHandlers.clear();
    this.frameHandlers.clear();
    this.levelHandlers.clear();
  }

  private meterLevel(chunk: PcmChunk): void {
    if (this.mono.length < chunk.frames) this.mono = new Float32Array(chunk.frames);
    const frames = downmixToMono(chunk.data, this.format.sampleFormat, this.format.channels, this.mono);
    const level = this.meter.push(this.mono, frames, chunk.receivedAt);
    if (level) for (const handler of this.levelHandlers) handler(level);
  }
}
