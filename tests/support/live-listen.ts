import { execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterEach } from 'vitest';
import { MicScene, VirtualAudio, type FifoMic, type MicFormat } from './alsa';
import { spawnCli } from './cli-process';
import { sessionWav, type SessionWav } from './session-wav';

const run = promisify(execFile);

/**
 * A 48 kHz stereo USB microphone. Stereo matters: the engine opens two channels, and with a FIFO
 * as the `infile`, ALSA's channel conversion loses frames (measured: 10 ms of every 40 ms from a
 * 16 kHz mono FIFO), so the device delivers what was written only when it needs no conversion.
 */
export const MIC: MicFormat = { rate: 48000, channels: 2 };
export const MIC_NAME = 'usbmic';
export const frames = (ms: number): number => Math.round((ms * MIC.rate) / 1000);

export interface ListenEvent {
  type: string;
  [key: string]: unknown;
}

let audio: VirtualAudio | undefined;
const sessions = new Set<Listen>();

/** A running `earshot listen --json`: its events as they come, and its stdin. */
export class Listen {
  readonly events: ListenEvent[] = [];
  readonly exited: Promise<number | null>;
  private stderrText = '';
  private closed = false;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly changed = new Set<() => void>();

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawnCli(['listen', '--json', ...args], env);
    this.child.stderr.on('data', (d: Buffer) => (this.stderrText += d.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.events.push(JSON.parse(line) as ListenEvent);
      this.changed.forEach((check) => check());
    });
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.closed = true;
        resolve(code);
        this.changed.forEach((check) => check());
      }),
    );
    sessions.add(this);
  }

  /** Its stderr without ALSA's complaints about the sound cards this machine does not have. */
  get stderr(): string {
    return this.stderrText
      .split('\n')
      .filter((line) => !line.startsWith('ALSA lib'))
      .join('\n');
  }

  /** The first event, printed already or still to come, that passes `test`. */
  event(test: (e: ListenEvent) => boolean, ms: number, what: string): Promise<ListenEvent> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.changed.delete(check);
      };
      const fail = (why: string): void => {
        done();
        reject(new Error(`${why} waiting for ${what}; events: ${JSON.stringify(this.events)}; stderr: ${this.stderr}`));
      };
      const check = (): void => {
        const found = this.events.find(test);
        if (found) {
          done();
          resolve(found);
        } else if (this.closed) fail('listen exited');
      };
      const timer = setTimeout(() => fail(`timed out after ${ms} ms`), ms);
      this.changed.add(check);
      check();
    });
  }

  /** Exit, within `ms`. */
  async exit(ms: number): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`listen still running after ${ms} ms; events: ${JSON.stringify(this.events)}`)),
        ms,
      );
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  send(line: string): void {
    this.child.stdin.write(line + '\n');
  }

  /** Ctrl-C, unless it has exited. */
  interrupt(): Promise<number | null> {
    if (!this.closed) this.child.kill('SIGINT');
    return this.exited;
  }
}

/** Stops every listen and removes the virtual sound card after each test; returns `machine`. */
export function useLiveListen(tempDir: () => string): () => Promise<LiveMachine> {
  afterEach(async () => {
    await Promise.all([...sessions].map((s) => s.interrupt()));
    sessions.clear();
    audio?.dispose();
    audio = undefined;
  });
  return () => machine(tempDir());
}

export interface LiveMachine {
  dir: string;
  mic: FifoMic;
  scene: MicScene;
  wav: SessionWav;
  speech: Int16Array;
  db: string;
  env: NodeJS.ProcessEnv;
}

/** The machine: one FIFO-backed USB microphone, and the session WAV (16 kHz mono) in the microphone's format. */
async function machine(dir: string): Promise<LiveMachine> {
  audio = new VirtualAudio();
  const mic = audio.addFifoMic(MIC_NAME, MIC, 'USB microphone').open();
  audio.write();
  const wav = await sessionWav(dir);
  const raw = join(dir, 'session-mic.raw');
  await run('sox', ['-R', wav.path, '-r', `${MIC.rate}`, '-c', `${MIC.channels}`, '-e', 'signed', '-b', '16', raw]);
  const bytes = await readFile(raw);
  const speech = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const db = join(dir, 'history.sqlite');
  return {
    dir,
    mic,
    scene: new MicScene(MIC),
    wav,
    speech,
    db,
    env: { ...audio.env, EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: db },
  };
}

/** Resolves once the FIFO has taken `frame` frames (the engine reads within a few ms of them). */
export async function written(mic: FifoMic, frame: number, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (mic.written < frame) {
    if (performance.now() > deadline) throw new Error(`the microphone took only ${mic.written} of ${frame} frames`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Someone speaks the session clip into the live microphone, the key pressed just before its command and released after it. */
export async function pushToTalkCommand({ mic, scene, wav, speech }: LiveMachine, listen: Listen): Promise<void> {
  mic.play(scene.source);
  const at = scene.place(speech, mic.written + frames(300)) - speech.length / MIC.channels;
  await written(mic, at + frames(wav.commandAt * 1000 - 150), 15_000);
  listen.send('start');
  await written(mic, at + frames(wav.commandEnd * 1000 + 500), 15_000);
  listen.send('stop');
}
