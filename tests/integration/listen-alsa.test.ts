// `earshot listen` through a real ALSA virtual microphone fed at real-time pace: wake word, push-to-talk, and a microphone that stalls and comes back.
import { execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/history/history-store';
import { MicScene, VirtualAudio, type FifoMic, type MicFormat } from '../support/alsa';
import { spawnCli } from '../support/cli-process';
import { sessionWav, type SessionWav } from '../support/session-wav';
import { useTempDirs } from '../support/temp-dir';
import { normaliseText } from '../support/wer';

const run = promisify(execFile);
const tempDir = useTempDirs();

/**
 * A 48 kHz stereo USB microphone. Stereo matters: the engine opens two channels, and with a FIFO
 * as the `infile`, ALSA's channel conversion loses frames (measured: 10 ms of every 40 ms from a
 * 16 kHz mono FIFO), so the device delivers what was written only when it needs no conversion.
 */
const MIC: MicFormat = { rate: 48000, channels: 2 };
const MIC_NAME = 'usbmic';
const frames = (ms: number): number => Math.round((ms * MIC.rate) / 1000);

interface ListenEvent {
  type: string;
  [key: string]: unknown;
}

let audio: VirtualAudio | undefined;
const sessions = new Set<Listen>();
afterEach(async () => {
  await Promise.all([...sessions].map((s) => s.interrupt()));
  sessions.clear();
  audio?.dispose();
  audio = undefined;
});

/** A running `earshot listen --json`: its events as they come, and its stdin. */
class Listen {
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

/** The machine: one FIFO-backed USB microphone, and the session WAV (16 kHz mono) in the microphone's format. */
async function machine(): Promise<{
  dir: string;
  mic: FifoMic;
  scene: MicScene;
  wav: SessionWav;
  speech: Int16Array;
  db: string;
  env: NodeJS.ProcessEnv;
}> {
  const dir = tempDir();
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
async function written(mic: FifoMic, frame: number, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (mic.written < frame) {
    if (performance.now() > deadline) throw new Error(`the microphone took only ${mic.written} of ${frame} frames`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Resolves once something has read the FIFO at real-time pace for `steadyMs`. Nobody reads it while
 * the device is lost; the engine's recovery probe reads it for 0.6 s; so a longer steady stretch
 * means capture is back. (The CLI prints nothing when the microphone returns.)
 */
async function readSteadily(mic: FifoMic, steadyMs: number, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  let last = { at: performance.now(), written: mic.written };
  let steadySince = last.at;
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = { at: performance.now(), written: mic.written };
    const expected = ((now.at - last.at) / 1000) * MIC.rate;
    if (now.written - last.written < expected / 2) steadySince = now.at;
    else if (now.at - steadySince >= steadyMs) return;
    if (now.at > deadline) throw new Error(`nothing read the microphone steadily within ${ms} ms`);
    last = now;
  }
}

function historyOf(db: string) {
  const history = HistoryStore.open(db);
  try {
    return history.list();
  } finally {
    history.close();
  }
}

const spoken = (event: ListenEvent | undefined): string => normaliseText(String(event?.text)).join(' ');
const isReady = (e: ListenEvent) => e.type === 'ready';

describe('earshot listen on an ALSA microphone', () => {
  it('hears the wake word and the command from a live microphone and saves the final in the history', async () => {
    const { mic, scene, speech, db, env } = await machine();
    const listen = new Listen(['--device', MIC_NAME, '--max-utterances', '1'], env);
    expect(await listen.event(isReady, 45_000, 'ready')).toEqual({ type: 'ready', device: MIC_NAME });
    // The microphone is live from here; someone speaks a moment later.
    mic.play(scene.source);
    scene.place(speech, mic.written + frames(300));

    expect(await listen.exit(45_000), listen.stderr).toBe(0);
    const { events } = listen;
    expect(events.find((e) => e.type === 'wake')).toMatchObject({ keyword: 'hey_jarvis' });
    expect(events.filter((e) => e.type === 'state').map((e) => e.state)).toEqual([
      'armed',
      'recording',
      'transcribing',
      'armed',
    ]);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    const final = events.find((e) => e.type === 'final');
    expect(final).toMatchObject({ trigger: 'wake', keyword: 'hey_jarvis', language: 'en' });
    expect(spoken(final)).toContain('kitchen lights');
    expect(historyOf(db)).toMatchObject([
      { id: final?.history_id, trigger: 'wake', keyword: 'hey_jarvis', text: final?.text, device: MIC_NAME },
    ]);
  }, 90_000);

  it('records between "start" and "stop" with --ptt, and ignores the wake word', async () => {
    const { mic, scene, wav, speech, db, env } = await machine();
    const listen = new Listen(['--device', MIC_NAME, '--ptt', '--max-utterances', '1'], env);
    await listen.event(isReady, 45_000, 'ready');
    mic.play(scene.source);
    const at = scene.place(speech, mic.written + frames(300)) - speech.length / MIC.channels;
    // Press just before the command is spoken and release after it, as the microphone hears them.
    await written(mic, at + frames(wav.commandAt * 1000 - 150), 15_000);
    listen.send('start');
    await written(mic, at + frames(wav.commandEnd * 1000 + 500), 15_000);
    listen.send('stop');

    expect(await listen.exit(30_000), listen.stderr).toBe(0);
    const { events } = listen;
    expect(events.some((e) => e.type === 'wake')).toBe(false);
    expect(events.filter((e) => e.type === 'state').map((e) => e.state)).toEqual(['recording', 'transcribing', 'idle']);
    const final = events.find((e) => e.type === 'final');
    expect(final).toMatchObject({ trigger: 'ptt', keyword: null });
    expect(spoken(final)).toContain('kitchen lights');
    expect(historyOf(db)).toMatchObject([{ trigger: 'ptt', text: final?.text, device: MIC_NAME }]);
  }, 90_000);

  it('reports a microphone that stops delivering as DeviceLost, and goes on when it delivers again', async () => {
    const { mic, scene, speech, db, env } = await machine();
    const listen = new Listen(['--device', MIC_NAME, '--max-utterances', '1'], env);
    await listen.event(isReady, 45_000, 'ready');
    mic.play(scene.source);
    await written(mic, frames(1000), 10_000);

    mic.pause(); // the FIFO stays open but nothing comes: a microphone unplugged mid-session
    const lost = await listen.event((e) => e.type === 'error', 15_000, 'the device to be lost');
    expect(lost).toMatchObject({ code: 'DeviceLost' });
    expect(lost.message).toMatch(/^Lost "usbmic" \(no audio for \d\.\d s\)\. .*Earshot keeps trying\.$/);

    mic.play(scene.source); // plugged back in
    await readSteadily(mic, 1500, 20_000);
    scene.place(speech, mic.written + frames(300));

    expect(await listen.exit(45_000), listen.stderr).toBe(0);
    const { events } = listen;
    const index = (type: string) => events.findIndex((e) => e.type === type);
    expect(events.filter((e) => e.type === 'error')).toEqual([lost]);
    // Capture is back (said so), then the wake word and the command are heard as before the loss.
    expect(events[index('device')]).toMatchObject({ type: 'device', state: 'capturing', device: MIC_NAME });
    expect(index('device')).toBeGreaterThan(index('error'));
    expect(index('wake')).toBeGreaterThan(index('device'));
    const final = events.find((e) => e.type === 'final');
    expect(final).toMatchObject({ trigger: 'wake', keyword: 'hey_jarvis' });
    expect(spoken(final)).toContain('kitchen lights');
    expect(historyOf(db)).toMatchObject([{ trigger: 'wake', text: final?.text, device: MIC_NAME }]);
  }, 90_000);
});
