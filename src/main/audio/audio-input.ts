import type { AudioDevice, CaptureEndReason } from '../../shared/audio';
import type { AudioLevel } from './levels';

/**
 * The microphone behind a contract (STYLE.md: hardware behind a contract). One real
 * implementation (naudiodon/PortAudio) and one honest double (a WAV file played at real-time
 * pace), chosen once at the composition root.
 */
export interface AudioInput {
  /** Input and output devices as the platform reports them (ranking happens elsewhere). */
  listDevices(): Promise<AudioDevice[]>;
  /** Opens a device; rejects with `AppError` `DeviceUnavailable` when it cannot be opened. */
  start(request: CaptureRequest): Promise<Capture>;
}

export interface CaptureRequest {
  deviceId: string;
  /** Preferred rate; the device's default when absent. Unsupported rates fall back to one that works. */
  sampleRate?: number;
  /** Duration of one device buffer; smaller means lower latency and more callbacks. */
  bufferMs?: number;
}

/** The format a stream was actually opened with. Samples are interleaved little-endian. */
export interface StreamFormat {
  sampleRate: number;
  channels: number;
  sampleFormat: 'int16' | 'float32';
}

export interface PcmChunk {
  /** Raw interleaved samples in the stream's format; valid only during the callback. */
  data: Uint8Array;
  frames: number;
  /** Epoch milliseconds with sub-millisecond precision (`performance.timeOrigin + performance.now()`). */
  receivedAt: number;
}

export interface Capture {
  readonly device: AudioDevice;
  readonly format: StreamFormat;
  /** Stops the stream; `onEnded` handlers get `'stopped'`. Safe to call twice. */
  stop(): Promise<void>;
  onFrame(handler: (chunk: PcmChunk) => void): () => void;
  /** Input level, throttled to about 20 updates per second. */
  onLevel(handler: (level: AudioLevel) => void): () => void;
  /** Called once: `'stopped'` after `stop()`, `'deviceLost'` when the device vanished or stalled. */
  onEnded(handler: (reason: CaptureEndReason, detail: string | null) => void): () => void;
}
