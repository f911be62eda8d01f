import { basename } from 'node:path';
import type { AudioDevice } from '../../shared/audio';
import { AppError } from '../../shared/errors';
import type { AudioInput, Capture, CaptureRequest, StreamFormat } from './audio-input';
import { CaptureBase, preciseNow } from './capture-base';
import { deviceIdOf } from './device-ranking';
import { decodeWavFile, type DecodedWav } from './wav';

export const WAV_HOST_API = 'WAV file';

/** What a WAV "microphone" does once its recording is over. */
export type WavEnd = 'silence' | 'loop' | 'end';

interface Clip {
  device: AudioDevice;
  wav: DecodedWav;
}

/**
 * The honest test double of a microphone: each WAV file is a device that delivers its samples
 * at real-time pace, in the file's own rate, channel count and float format, so everything
 * above the stream (conversion, ring buffer, framing, levels) runs exactly as with a device.
 * Used by tests and demos (`--input-wav FILE`).
 */
export class WavFileInput implements AudioInput {
  private constructor(
    private readonly clips: readonly Clip[],
    private readonly atEnd: WavEnd,
  ) {}

  static async open(paths: readonly string[], atEnd: WavEnd = 'silence'): Promise<WavFileInput> {
    const clips = await Promise.all(
      paths.map(async (path): Promise<Clip> => {
        const wav = await decodeWavFile(path);
        const name = basename(path);
        return {
          wav,
          device: {
            id: deviceIdOf(WAV_HOST_API, name),
            name,
            hostApi: WAV_HOST_API,
            maxInputChannels: wav.channels,
            defaultSampleRate: wav.sampleRate,
            defaultLowInputLatency: 0,
            defaultHighInputLatency: 0,
          },
        };
      }),
    );
    return new WavFileInput(clips, atEnd);
  }

  listDevices(): Promise<AudioDevice[]> {
    return Promise.resolve(this.clips.map((c) => c.device));
  }

  start(request: CaptureRequest): Promise<Capture> {
    const clip = this.clips.find((c) => c.device.id === request.deviceId);
    if (!clip) {
      return Promise.reject(new AppError('DeviceUnavailable', `There is no WAV input "${request.deviceId}".`));
    }
    return Promise.resolve(new WavCapture(clip, request.bufferMs ?? 10, this.atEnd));
  }
}

class WavCapture extends CaptureBase {
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = performance.now();
  private readonly chunk: Float32Array;
  private position = 0;
  private delivered = 0;

  constructor(
    private readonly clip: Clip,
    bufferMs: number,
    private readonly atEnd: WavEnd,
  ) {
    const format: StreamFormat = {
      sampleRate: clip.wav.sampleRate,
      channels: clip.wav.channels,
      sampleFormat: 'float32',
    };
    super(clip.device, format);
    this.chunk = new Float32Array(Math.max(1, Math.round((format.sampleRate * bufferMs) / 1000)) * format.channels);
    this.timer = setInterval(() => this.pump(), Math.max(1, bufferMs));
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    this.finish('stopped');
    return Promise.resolve();
  }

  /** Delivers every whole buffer that is due by the wall clock, so timer jitter never drifts. */
  private pump(): void {
    const { channels, sampleRate } = this.format;
    const framesPerChunk = this.chunk.length / channels;
    const due = Math.floor(((performance.now() - this.startedAt) / 1000) * sampleRate);
    while (!this.ended && this.delivered + framesPerChunk <= due) {
      if (!this.fill(framesPerChunk, channels)) return;
      this.delivered += framesPerChunk;
      const data = new Uint8Array(this.chunk.buffer, this.chunk.byteOffset, this.chunk.byteLength);
      this.deliver({ data, frames: framesPerChunk, receivedAt: preciseNow() });
    }
  }

  /** Copies the next buffer of the clip (then silence or a loop); false once an 'end' clip is over. */
  private fill(frames: number, channels: number): boolean {
    const source = this.clip.wav.samples;
    const wanted = frames * channels;
    let filled = 0;
    while (filled < wanted) {
      if (this.position >= source.length) {
        if (this.atEnd === 'loop') this.position = 0;
        else if (this.atEnd === 'silence') {
          this.chunk.fill(0, filled);
          return true;
        } else {
          clearInterval(this.timer);
          this.finish('deviceLost', 'the recording ended');
          return false;
        }
      }
      const take = Math.min(wanted - filled, source.length - this.position);
      this.chunk.set(source.subarray(this.position, this.position + take), filled);
      this.position += take;
      filled += take;
    }
    return true;
  }
}
