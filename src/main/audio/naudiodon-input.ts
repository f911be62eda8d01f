import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as NaudiodonModule from 'naudiodon';
import type { DeviceInfo, IoStreamRead } from 'naudiodon';
import type * as SegfaultHandler from 'segfault-handler';
import type { AudioDevice } from '../../shared/audio';
import { AppError } from '../../shared/errors';
import type { Logger } from '../log';
import { cacheDir } from '../settings/config-dir';
import type { AudioInput, Capture, CaptureRequest, StreamFormat } from './audio-input';
import { CaptureBase, preciseNow } from './capture-base';
import { deviceIdOf } from './device-ranking';
import { StreamHealth, type StreamHealthLimits } from './stream-health';

type Naudiodon = typeof NaudiodonModule;

const requireHere = createRequire(import.meta.url);

/** Loaded on first use: the CLI's other commands should not pay for PortAudio. */
let loaded: Naudiodon | undefined;
function naudiodon(): Naudiodon {
  if (!loaded) {
    loaded = requireHere('naudiodon') as Naudiodon;
    moveCrashLogToCache();
  }
  return loaded;
}

/** segfault-handler keeps at most this many bytes of its log path. */
const CRASH_LOG_PATH_BYTES = 127;

/**
 * naudiodon installs segfault-handler to write `crash.log` into the working directory (often the
 * user's home) should PortAudio crash. Registering again moves that log into Earshot's cache
 * folder; a path too long for segfault-handler leaves its default.
 */
function moveCrashLogToCache(): void {
  const path = join(cacheDir(), 'audio-crash.log');
  if (Buffer.byteLength(path) > CRASH_LOG_PATH_BYTES) return;
  mkdirSync(cacheDir(), { recursive: true });
  (requireHere('segfault-handler') as typeof SegfaultHandler).registerHandler(path);
}

const HEALTH_CHECK_MS = 250;
/** Rates tried, in order, after the requested and the device's default rate fail. */
const FALLBACK_RATES = [48_000, 44_100, 32_000, 16_000];

function toAudioDevice(info: DeviceInfo): AudioDevice {
  return {
    id: deviceIdOf(info.hostAPIName, info.name),
    name: info.name,
    hostApi: info.hostAPIName,
    maxInputChannels: info.maxInputChannels,
    defaultSampleRate: info.defaultSampleRate,
    defaultLowInputLatency: Math.max(0, info.defaultLowInputLatency),
    defaultHighInputLatency: Math.max(0, info.defaultHighInputLatency),
  };
}

/**
 * Microphones through naudiodon (PortAudio). Streams are opened as 16-bit at the device's
 * native rate with at most two channels: our own converter downmixes and resamples with the
 * profile's quality instead of trusting each driver's conversion.
 *
 * Known PortAudio limits: the device list is a snapshot taken while no stream is open, so a
 * device plugged in during capture appears at the next enumeration after capture stops;
 * naudiodon's `abort()` is broken in 2.3.6, so streams always stop through `quit()`.
 */
export class NaudiodonInput implements AudioInput {
  constructor(
    private readonly log: Logger,
    private readonly health?: StreamHealthLimits,
  ) {}

  listDevices(): Promise<AudioDevice[]> {
    return Promise.resolve(naudiodon().getDevices().map(toAudioDevice));
  }

  async start(request: CaptureRequest): Promise<Capture> {
    const infos = naudiodon().getDevices();
    const info = infos.find((d) => deviceIdOf(d.hostAPIName, d.name) === request.deviceId);
    if (!info) {
      throw new AppError(
        'DeviceUnavailable',
        `The microphone "${nameOf(request.deviceId)}" is not connected. Choose another one in Devices.`,
      );
    }
    if (info.maxInputChannels < 1) {
      // PortAudio probes every device when it enumerates; a busy or broken one shows no input channels.
      throw new AppError(
        'DeviceUnavailable',
        `The microphone "${info.name}" cannot be opened: it may be in use by another application or disconnected.`,
      );
    }
    const device = toAudioDevice(info);
    const channels = Math.min(2, info.maxInputChannels);
    const rates = [
      ...new Set([request.sampleRate ?? info.defaultSampleRate, info.defaultSampleRate, ...FALLBACK_RATES]),
    ];
    const failures: string[] = [];
    for (const sampleRate of rates) {
      const format: StreamFormat = { sampleRate, channels, sampleFormat: 'int16' };
      try {
        const io = naudiodon().AudioIO({
          inOptions: {
            deviceId: info.id,
            channelCount: channels,
            sampleFormat: naudiodon().SampleFormat16Bit,
            sampleRate,
            framesPerBuffer: Math.round((sampleRate * (request.bufferMs ?? 10)) / 1000),
            // A deep native queue: the PortAudio callback blocks when it is full.
            maxQueue: 64,
            closeOnError: false,
          },
        });
        if (sampleRate !== rates[0])
          this.log.info(`${device.name}: opened at ${sampleRate} Hz (${failures.join('; ')})`);
        return new NaudiodonCapture(device, format, io, this.log, this.health);
      } catch (err) {
        failures.push(`${sampleRate} Hz: ${(err as Error).message}`);
      }
    }
    throw new AppError(
      'DeviceUnavailable',
      `The microphone "${device.name}" could not be opened (${failures[0] ?? 'unknown error'}). ` +
        'It may be in use by another application or disconnected; close the other application or choose another device.',
    );
  }
}

function nameOf(id: string): string {
  return id.replace(/^[^:]*:/, '');
}

class NaudiodonCapture extends CaptureBase {
  private readonly health: StreamHealth;
  private readonly timer: NodeJS.Timeout;
  private stopping: Promise<void> | null = null;

  constructor(
    device: AudioDevice,
    format: StreamFormat,
    private readonly io: IoStreamRead,
    private readonly log: Logger,
    limits?: StreamHealthLimits,
  ) {
    super(device, format);
    const bytesPerFrame = format.channels * 2;
    this.health = new StreamHealth(format.sampleRate, limits);
    io.on('data', (buffer: Buffer) => {
      const now = performance.now();
      const frames = Math.floor(buffer.length / bytesPerFrame);
      this.health.buffer(frames, now);
      this.deliver({ data: buffer, frames, receivedAt: preciseNow() });
    });
    io.on('error', (err: Error) => this.lose(`stream error: ${err.message}`));
    io.on('end', () => {
      if (!this.stopping) this.lose('the stream ended');
    });
    this.timer = setInterval(() => {
      const verdict = this.health.check(performance.now());
      if (!verdict.healthy) this.lose(verdict.reason);
    }, HEALTH_CHECK_MS);
    this.health.opened(performance.now());
    io.start();
  }

  stop(): Promise<void> {
    this.stopping ??= this.close().then(() => this.finish('stopped'));
    return this.stopping;
  }

  private lose(detail: string): void {
    if (this.ended || this.stopping) return;
    this.log.warn(`${this.device.name}: device lost (${detail})`);
    this.finish('deviceLost', detail);
    this.stopping = this.close();
  }

  private close(): Promise<void> {
    clearInterval(this.timer);
    return new Promise((resolve) => this.io.quit(() => resolve()));
  }
}
