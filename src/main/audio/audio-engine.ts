import {
  FRAME_SAMPLES,
  PIPELINE_SAMPLE_RATE,
  type CaptureStatus,
  type DeviceMeasurement,
  type DeviceReport,
  type DeviceSelection,
} from '../../shared/audio';
import { AppError } from '../../shared/errors';
import type { Profile } from '../../shared/profiles';
import type { Logger } from '../log';
import type { ProfileService } from '../profiles/profile-service';
import type { SettingsService } from '../settings/settings-service';
import type { AudioInput, Capture } from './audio-input';
import { measureDevice, measureDevices } from './device-measure';
import { exclusionOf, rankDevices, selectDevice } from './device-ranking';
import type { AudioLevel } from './levels';
import { AudioConverter } from './pcm-convert';
import { RingBuffer } from './ring-buffer';
import { StreamHealth } from './stream-health';

export type FrameHandler = (samples: Float32Array, seq: number, captureTime: number) => void;

export interface AudioEngineOptions {
  input: AudioInput;
  settings: SettingsService;
  profiles: ProfileService;
  log: Logger;
  platform?: NodeJS.Platform;
  /** How often a lost or bypassed device is probed for its return. */
  recoveryIntervalMs?: number;
}

const STOPPED: CaptureStatus = { state: 'stopped', device: null, sampleRate: null, channels: null, message: null };

/**
 * The main process's audio pipeline: picks the device (the user's choice, else the lowest
 * latency input), captures, converts to 16 kHz mono float32, keeps the recent past in a
 * preallocated ring buffer, and emits 80 ms frames and levels. A lost device fails over to
 * the next best with a visible reason; the preferred device is probed and taken back when it
 * returns. Capture runs while at least one holder (the mic test, a recording, a session) wants it.
 */
export class AudioEngine {
  private readonly input: AudioInput;
  private readonly platform: NodeJS.Platform;
  private readonly holders = new Set<string>();
  /** Devices that failed recently, with the reason; skipped by selection until they recover. */
  private readonly failing = new Map<string, string>();
  private measurements = new Map<string, DeviceMeasurement>();
  private readonly frameHandlers = new Set<FrameHandler>();
  private readonly levelHandlers = new Set<(level: AudioLevel) => void>();
  private readonly statusHandlers = new Set<(status: CaptureStatus) => void>();
  private capture: Capture | null = null;
  /** Timing of the stream in use, for measuring it without reopening it. */
  private live: { id: string; health: StreamHealth; window: StreamHealth | null } | null = null;
  private converter: AudioConverter | null = null;
  private ring: RingBuffer;
  private readonly frame = new Float32Array(FRAME_SAMPLES);
  private seq = 0;
  /** Where the current run of contiguous frames begins: its first frame and that frame's ring index. */
  private run = { seq: 0, index: 0 };
  private current: CaptureStatus = STOPPED;
  private recoveryTimer: NodeJS.Timeout | null = null;
  private switching: Promise<void> = Promise.resolve();
  private readonly disposeProfileListener: () => void;
  private runDeviceId: string | null = null;
  private requestedRate: number | null = null;
  private noDevice = false;
  private recovering = false;

  constructor(private readonly options: AudioEngineOptions) {
    this.input = options.input;
    this.platform = options.platform ?? process.platform;
    this.ring = new RingBuffer(this.ringCapacity(options.profiles.active()));
    this.disposeProfileListener = options.profiles.onActiveChanged((profile) => this.applyProfile(profile));
  }

  get status(): CaptureStatus {
    return this.current;
  }

  /** The recent past at 16 kHz (pre-roll for push-to-talk and the wake word). */
  get buffer(): RingBuffer {
    return this.ring;
  }

  get framesEmitted(): number {
    return this.seq;
  }

  /**
   * The audio of frames `fromSeq` to `toSeq` (inclusive) from the ring buffer, for transcribing an
   * utterance again after the worker lost it; undefined when the ring no longer holds all of it.
   */
  framesAudio(fromSeq: number, toSeq: number): Float32Array<ArrayBuffer> | undefined {
    if (fromSeq < this.run.seq || toSeq < fromSeq || toSeq >= this.seq) return undefined;
    const start = this.run.index + (fromSeq - this.run.seq) * FRAME_SAMPLES;
    const out = new Float32Array((toSeq - fromSeq + 1) * FRAME_SAMPLES);
    const read = this.ring.readFrom(start, out);
    return read.start === start && read.copied === out.length ? out : undefined;
  }

  /** Devices ranked best first, and the one capture would use now. */
  async report(options: { measure?: boolean } = {}): Promise<DeviceReport> {
    const devices = await this.input.listDevices();
    if (options.measure) {
      // The device in use is measured from its own live stream over the same window: opening
      // it a second time would fail on exclusive devices and disturb capture.
      const live = this.live;
      const window = live ? new StreamHealth(live.health.sampleRate) : null;
      window?.opened(performance.now());
      if (live) live.window = window;
      const candidates = devices.filter((d) => exclusionOf(d) === null && d.id !== live?.id);
      const fresh = await measureDevices(this.input, candidates);
      if (live && window && this.live === live) {
        live.window = null;
        const since = window.summary(performance.now());
        fresh.set(live.id, { ...since, firstBufferMs: live.health.summary(performance.now()).firstBufferMs });
      }
      this.measurements = new Map([...this.measurements, ...fresh]);
    }
    const ranked = rankDevices(devices, this.platform, this.measurements.size ? this.measurements : undefined);
    return { devices: ranked, selected: selectDevice(ranked, this.preferredId(), this.failing) };
  }

  /** Sets the user's device (null: automatic) and switches to it if capture is running. */
  async choose(deviceId: string | null): Promise<DeviceReport> {
    if (deviceId !== null) {
      const device = (await this.input.listDevices()).find((d) => d.id === deviceId);
      if (!device)
        throw new AppError('DeviceUnavailable', `There is no device "${deviceId}". Refresh the list and choose again.`);
      const excluded = exclusionOf(device);
      if (excluded)
        throw new AppError('DeviceUnavailable', `"${device.name}" cannot be used as a microphone: ${excluded}.`);
      this.failing.delete(deviceId); // an explicit choice is worth a fresh attempt
    }
    this.runDeviceId = null;
    this.options.settings.update({ audio: { deviceId } });
    if (this.capture) await this.restart(null);
    return this.report();
  }

  /** Starts capture for `holder` (idempotent per holder); resolves once audio flows or fails. */
  async start(holder: string): Promise<CaptureStatus> {
    this.holders.add(holder);
    if (!this.capture) await this.serialise(() => this.open(null));
    if (this.current.state === 'unavailable' && !this.capture) {
      this.holders.delete(holder);
      if (this.holders.size === 0) this.stopRecovery();
      throw new AppError(
        this.noDevice ? 'NoInputDevice' : 'DeviceUnavailable',
        this.current.message ?? 'No microphone is available.',
      );
    }
    return this.current;
  }

  /** Releases `holder`; capture stops when nobody holds it. */
  async stop(holder: string): Promise<void> {
    this.holders.delete(holder);
    if (this.holders.size === 0) await this.serialise(() => this.close(STOPPED));
  }

  onFrame(handler: FrameHandler): () => void {
    this.frameHandlers.add(handler);
    return () => this.frameHandlers.delete(handler);
  }

  onLevel(handler: (level: AudioLevel) => void): () => void {
    this.levelHandlers.add(handler);
    return () => this.levelHandlers.delete(handler);
  }

  onStatus(handler: (status: CaptureStatus) => void): () => void {
    this.statusHandlers.add(handler);
    return () => this.statusHandlers.delete(handler);
  }

  async dispose(): Promise<void> {
    this.disposeProfileListener();
    this.holders.clear();
    await this.serialise(() => this.close(STOPPED));
  }

  /** A device for this process only (e.g. `record --device`), not saved in settings. */
  useDeviceForThisRun(deviceId: string): void {
    this.runDeviceId = deviceId;
    this.failing.delete(deviceId);
  }

  /** Asks devices for this native rate; one that refuses it is opened at a rate it supports (and resampled). */
  requestDeviceRate(sampleRate: number | null): void {
    this.requestedRate = sampleRate;
  }

  private preferredId(): string | null {
    return this.runDeviceId ?? this.options.settings.get().audio.deviceId;
  }

  /** Runs device switches one at a time (a loss, a choice and a recovery can race). */
  private serialise(task: () => Promise<void>): Promise<void> {
    this.switching = this.switching.then(task, task);
    return this.switching;
  }

  private restart(message: string | null): Promise<void> {
    return this.serialise(async () => {
      await this.close(null);
      await this.open(message);
    });
  }

  /** Opens the best available device, marking each one that fails and moving on to the next. */
  private async open(message: string | null): Promise<void> {
    const profile = this.options.profiles.active();
    for (;;) {
      const report = await this.report();
      const selection = report.selected;
      if (!selection) {
        this.noDevice = !report.devices.some((d) => d.rank !== null);
        const why = this.noDevice
          ? 'Earshot found no microphone. Connect one (or check that the system sound service is running).'
          : `No microphone is working right now (${[...this.failing.values()].join('; ')}). Earshot keeps trying.`;
        this.setStatus({ ...STOPPED, state: 'unavailable', message: message ? `${message} ${why}` : why });
        this.scheduleRecovery();
        return;
      }
      try {
        const openedAt = performance.now();
        const capture = await this.input.start({
          deviceId: selection.id,
          ...(this.requestedRate ? { sampleRate: this.requestedRate } : {}),
        });
        this.attach(capture, selection, profile, openedAt);
        this.setStatus({
          state: 'capturing',
          device: selection,
          sampleRate: capture.format.sampleRate,
          channels: capture.format.channels,
          message,
        });
        if (selection.fallback) this.scheduleRecovery();
        return;
      } catch (err) {
        const reason = (err as Error).message;
        this.options.log.warn(`could not open ${selection.name}: ${reason}`);
        this.failing.set(selection.id, reason);
        message = `Could not open "${selection.name}".`;
      }
    }
  }

  private attach(capture: Capture, selection: DeviceSelection, profile: Profile, openedAt: number): void {
    this.capture = capture;
    this.converter = new AudioConverter({ ...capture.format, quality: profile.resamplerQuality });
    const live: NonNullable<AudioEngine['live']> = {
      id: selection.id,
      health: new StreamHealth(capture.format.sampleRate),
      window: null,
    };
    live.health.opened(openedAt);
    this.live = live;
    capture.onFrame((chunk) => {
      const now = performance.now();
      live.health.buffer(chunk.frames, now);
      live.window?.buffer(chunk.frames, now);
      this.process(chunk.data, chunk.receivedAt);
    });
    capture.onLevel((level) => this.levelHandlers.forEach((h) => h(level)));
    capture.onEnded((reason, detail) => {
      if (reason !== 'deviceLost' || this.capture !== capture) return;
      this.failing.set(selection.id, detail ?? 'device lost');
      this.capture = null;
      const lost = `Lost "${selection.name}" (${detail ?? 'device lost'}).`;
      void this.serialise(() => this.open(lost));
    });
  }

  /** Device chunk → 16 kHz mono → ring buffer → whole 80 ms frames. No allocation in steady state. */
  private process(data: Uint8Array, receivedAt: number): void {
    if (!this.converter) return;
    const mono = this.converter.convert(data);
    this.ring.write(mono);
    while (this.ring.unconsumed >= FRAME_SAMPLES) {
      const start = this.ring.written - this.ring.unconsumed;
      this.ring.consume(this.frame);
      const seq = this.seq++;
      // Frames are contiguous in the ring until a lap, a clear or a resize: then a new run begins.
      if (start !== this.run.index + (seq - this.run.seq) * FRAME_SAMPLES) this.run = { seq, index: start };
      for (const handler of this.frameHandlers) handler(this.frame, seq, receivedAt);
    }
  }

  private async close(status: CaptureStatus | null): Promise<void> {
    const capture = this.capture;
    this.capture = null;
    this.converter = null;
    this.live = null;
    if (capture) await capture.stop();
    if (status) {
      this.stopRecovery();
      this.setStatus(status);
    }
  }

  /** While on a fallback (or without any device), probe better devices and switch back when one works. */
  private scheduleRecovery(): void {
    if (this.recoveryTimer || this.holders.size === 0) return;
    this.recoveryTimer = setInterval(() => void this.recover(), this.options.recoveryIntervalMs ?? 3000);
  }

  private stopRecovery(): void {
    if (this.recoveryTimer) clearInterval(this.recoveryTimer);
    this.recoveryTimer = null;
  }

  private async recover(): Promise<void> {
    if (this.recovering || this.failing.size === 0) return;
    this.recovering = true;
    try {
      const devices = await this.input.listDevices();
      for (const [id, reason] of [...this.failing]) {
        const device = devices.find((d) => d.id === id);
        if (!device) continue;
        const probe = await measureDevice(this.input, device, 600);
        if (!probe.ok) {
          this.failing.set(id, probe.error ?? reason);
          continue;
        }
        this.failing.delete(id);
        const report = await this.report();
        if (report.selected?.id === id && report.selected.id !== this.capture?.device.id) {
          await this.restart(`"${device.name}" is back.`);
        }
      }
      if (this.failing.size === 0 || (this.capture && !this.current.device?.fallback)) this.stopRecovery();
    } finally {
      this.recovering = false;
    }
  }

  private applyProfile(profile: Profile): void {
    const capacity = this.ringCapacity(profile);
    if (capacity !== this.ring.capacity) {
      const kept = new Float32Array(Math.min(capacity, this.ring.written - this.ring.oldestIndex));
      this.ring.readLatest(kept.length, kept);
      this.ring = new RingBuffer(capacity);
      this.ring.write(kept);
      this.ring.consume(new Float32Array(kept.length)); // already emitted as frames
    }
    if (this.capture && this.converter?.quality !== profile.resamplerQuality) {
      this.converter = new AudioConverter({ ...this.capture.format, quality: profile.resamplerQuality });
    }
  }

  private ringCapacity(profile: Profile): number {
    return profile.cache.ringBufferSeconds * PIPELINE_SAMPLE_RATE;
  }

  private setStatus(status: CaptureStatus): void {
    this.current = status;
    for (const handler of this.statusHandlers) handler(status);
  }
}
