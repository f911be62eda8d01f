import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * ALSA virtual microphones for tests (ENVIRONMENT.md): a temporary HOME whose `.asoundrc`
 * defines `file`-type PCMs that PortAudio lists as input devices. A `plug` in front gives a
 * device a fixed native format, as real hardware has. Pass `env` to the process that opens
 * PortAudio: ALSA reads its configuration when that process first initialises it.
 */
export interface MicFormat {
  rate: number;
  channels: number;
}

export class VirtualAudio {
  readonly home = mkdtempSync(join(tmpdir(), 'earshot-alsa-'));
  private readonly pcms: string[] = [];
  readonly fifos: FifoMic[] = [];

  get env(): NodeJS.ProcessEnv {
    return { HOME: this.home, XDG_CONFIG_HOME: join(this.home, '.config') };
  }

  /** A device that reads `samples` (interleaved int16) from a file, as fast as it is asked. */
  addFileMic(name: string, format: MicFormat, samples: Int16Array, description = name): this {
    const path = join(this.home, `${name}.raw`);
    writeFileSync(path, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
    return this.addPcm(name, format, path, description);
  }

  /** A device whose source file is missing: listed by ALSA, unusable when opened. */
  addBrokenMic(name: string, format: MicFormat): this {
    return this.addPcm(name, format, join(this.home, `${name}-missing.raw`), name);
  }

  /** A live microphone: a FIFO the test writes at real-time pace (see FifoMic). */
  addFifoMic(name: string, format: MicFormat, description = name): FifoMic {
    const path = join(this.home, `${name}.fifo`);
    execFileSync('mkfifo', [path]);
    const fifo = new FifoMic(path, format);
    this.fifos.push(fifo);
    this.addPcm(name, format, path, description);
    return fifo;
  }

  /** The `.asoundrc` text for the devices added so far. */
  config(): string {
    return this.pcms.join('\n') + '\n';
  }

  /** Writes the configuration; call after adding devices and before starting the process under test. */
  write(): this {
    writeFileSync(join(this.home, '.asoundrc'), this.config());
    return this;
  }

  dispose(): void {
    this.fifos.forEach((f) => f.close());
    rmSync(this.home, { recursive: true, force: true });
  }

  private addPcm(name: string, format: MicFormat, infile: string, description: string): this {
    // The file source is defined inline so that PortAudio lists only the plug device.
    this.pcms.push(`pcm.${name} {
  type plug
  slave {
    pcm { type file; slave.pcm "null"; file "/dev/null"; infile "${infile}"; format "raw" }
    rate ${format.rate}
    channels ${format.channels}
    format S16_LE
  }
  hint { show on; description "${description}" }
}`);
    return this;
  }
}

/** Interleaved int16 frames for absolute frame indices [start, start + count). */
export type SampleSource = (start: number, count: number) => Int16Array;

/**
 * Feeds a FIFO-backed device at real-time pace, like a live microphone. The FIFO is held open
 * read-write, so the reader never sees end-of-file (it blocks when no data comes, as a stalled
 * device does) and the writer never gets EPIPE; writes are non-blocking so a test never hangs.
 */
export class FifoMic {
  private fd: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pending: Buffer | null = null;
  private startedAt = 0;
  private writtenBytes = 0;

  constructor(
    readonly path: string,
    readonly format: MicFormat,
  ) {}

  /** Frames handed to the FIFO so far. */
  get written(): number {
    return Math.floor(this.writtenBytes / (this.format.channels * 2));
  }

  /** Opens the FIFO: do this before the device is enumerated, so that ALSA never blocks on it. */
  open(): this {
    this.fd ??= openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
    return this;
  }

  /** Starts writing `source` in real time, 20 ms at a time, keeping up to `leadMs` ahead. */
  play(source: SampleSource, leadMs = 40): this {
    this.open();
    this.stopWriting();
    // Resuming continues from the current position: no catch-up burst after a pause.
    this.startedAt = performance.now() - (this.written / this.format.rate) * 1000;
    const tick = (): void => {
      const due = Math.floor(((performance.now() - this.startedAt + leadMs) / 1000) * this.format.rate);
      this.flush(source, due);
      this.timer = setTimeout(tick, 20);
    };
    tick();
    return this;
  }

  /** Stops writing but keeps the FIFO open: the device stalls, as an unplugged USB mic does. */
  pause(): this {
    this.stopWriting();
    return this;
  }

  /** Closes the FIFO: the reader sees end-of-file. */
  close(): void {
    this.stopWriting();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private stopWriting(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flush(source: SampleSource, dueFrames: number): void {
    if (this.fd === null) return;
    while (true) {
      if (!this.pending) {
        // Whole 20 ms chunks only. The ALSA file plugin pads a short read with silence and
        // returns at once, so a chunk smaller than the reader's buffer (10 ms) would make the
        // device run faster than real time with gaps of zeros.
        const count = Math.round(this.format.rate / 50);
        if (this.written + count > dueFrames) return;
        const samples = source(this.written, count);
        this.pending = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
      }
      let sent: number;
      try {
        sent = writeSync(this.fd, this.pending);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return; // pipe full: the reader is behind
        throw err;
      }
      this.writtenBytes += sent;
      this.pending = sent === this.pending.length ? null : this.pending.subarray(sent);
    }
  }
}

/** A sine tone as interleaved int16 frames (every channel the same). */
export function toneSource(format: MicFormat, frequency: number, amplitude: number): SampleSource {
  return (start, count) => {
    const out = new Int16Array(count * format.channels);
    for (let i = 0; i < count; i++) {
      const v = Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * frequency * (start + i)) / format.rate));
      out.fill(v, i * format.channels, (i + 1) * format.channels);
    }
    return out;
  };
}

/** `seconds` of a tone as one interleaved int16 array. */
export function toneSamples(format: MicFormat, frequency: number, amplitude: number, seconds: number): Int16Array {
  return toneSource(format, frequency, amplitude)(0, Math.round(seconds * format.rate));
}

/**
 * What a live microphone hears, as a SampleSource for FifoMic.play: silence, with clips
 * (interleaved int16 in the microphone's format) placed at chosen frames. Placing a clip just
 * ahead of `FifoMic.written` makes someone speak at a known moment.
 */
export class MicScene {
  private readonly clips: { at: number; samples: Int16Array }[] = [];

  constructor(readonly format: MicFormat) {}

  /** Places `samples` from frame `at` on; returns the frame just after the clip. */
  place(samples: Int16Array, at: number): number {
    this.clips.push({ at, samples });
    return at + samples.length / this.format.channels;
  }

  readonly source: SampleSource = (start, count) => {
    const { channels } = this.format;
    const out = new Int16Array(count * channels);
    for (const { at, samples } of this.clips) {
      const from = Math.max(start, at);
      const to = Math.min(start + count, at + samples.length / channels);
      if (from < to) out.set(samples.subarray((from - at) * channels, (to - at) * channels), (from - start) * channels);
    }
    return out;
  };
}
