// `earshot listen`: a live voice session through the real worker, a WAV file standing in for the microphone; wake word and push-to-talk to a transcript in the history, run-only options, the clipboard.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/history/history-store';
import { historyOf } from '../support/history-of';
import { findPreset } from '../../src/shared/profiles';
import { defaultSettings, type Settings } from '../../src/shared/settings';
import { ROOT, runCli } from '../support/cli-process';
import { listenJson as listen } from '../support/listen-json';
import { SHARED_AUDIO } from '../support/shared-audio';
import { sessionWav } from '../support/session-wav';
import { useTempDirs } from '../support/temp-dir';
import { startXvfb } from '../support/xvfb';
import { normaliseText } from '../support/wer';

const tempDir = useTempDirs();

describe('earshot listen', () => {
  it('hears the wake word, records the command after it and saves the final transcript in the history', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir);
    const db = join(dir, 'history.sqlite');
    const env = { EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: db };
    const { code, events, stderr } = await listen(['--input-wav', wav.path, '--max-utterances', '1'], env);
    expect(code, stderr).toBe(0);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('ready');
    expect(events.find((e) => e.type === 'wake')).toMatchObject({ keyword: 'hey_jarvis' });
    const states = events.filter((e) => e.type === 'state').map((e) => e.state);
    expect(states).toEqual(['armed', 'recording', 'transcribing', 'armed']);
    const final = events.find((e) => e.type === 'final')!;
    expect(final).toMatchObject({ trigger: 'wake', language: 'en' });
    expect(normaliseText(final.text as string).join(' ')).toContain('kitchen lights');
    expect(final.final_pass).toMatch(/^(full|cached-encoder|reused-partial)$/);
    // The worker's own live final says what it waited for; a final made from main's copy (a busy
    // machine's worker lagged more than its 2 s of frames) waited for neither, and has no such keys.
    const waits = 'frames_wait_ms' in (final.timings as object) ? ['frames_wait_ms', 'pass_wait_ms'] : [];
    expect(Object.keys(final.timings as object)).toEqual([
      'started_at',
      'ended_at',
      'recording_ms',
      'encoder_ms',
      'decoder_ms',
      'end_to_text_ms',
      ...waits,
      'decoder_runs',
      'draft_accepted',
    ]);
    // The waits are part of the time from the end to the text (measured in two processes: 5 ms of slack).
    const t = final.timings as Record<string, number>;
    expect((t.frames_wait_ms ?? 0) + (t.pass_wait_ms ?? 0) + t.encoder_ms! + t.decoder_ms!).toBeLessThanOrEqual(
      t.end_to_text_ms! + 5,
    );
    const history = HistoryStore.open(db);
    try {
      expect(history.list()).toMatchObject([{ trigger: 'wake', keyword: 'hey_jarvis', text: final.text }]);
    } finally {
      history.close();
    }
  }, 60_000);

  it('records between "start" and "stop" on stdin with --ptt, pre-roll included', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir);
    const env = { EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: join(dir, 'history.sqlite') };
    let readyAt = 0;
    const { code, events, stderr } = await listen(
      ['--input-wav', wav.path, '--ptt', '--max-utterances', '1'],
      env,
      (event, stdin) => {
        if (event.type !== 'ready') return;
        readyAt = performance.now();
        // The WAV plays in real time from here: press as the command starts, release after it.
        setTimeout(() => stdin.write('start\n'), wav.commandAt * 1000 - 100);
        setTimeout(() => stdin.write('stop\n'), wav.commandEnd * 1000 + 400);
      },
    );
    expect(code, stderr).toBe(0);
    expect(readyAt).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'wake')).toBe(false);
    const final = events.find((e) => e.type === 'final')!;
    expect(final).toMatchObject({ trigger: 'ptt' });
    expect(normaliseText(final.text as string).join(' ')).toContain('kitchen lights');
  }, 60_000);
});

const run = promisify(execFile);

/** Saves the default settings, changed by `change`, as the settings file in `dir`; returns the file's text. */
function saveSettings(dir: string, change: (settings: Settings) => void = () => undefined): string {
  const settings = defaultSettings();
  change(settings);
  const text = JSON.stringify(settings, null, 2) + '\n';
  writeFileSync(join(dir, 'settings.json'), text);
  return text;
}

describe('earshot listen, run-only options', () => {
  it('listens only for --keyword, without saving it: alexa does not wake on "hey jarvis", and Ctrl-C ends the session (exit 0)', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir);
    const saved = saveSettings(dir); // hey_jarvis is the saved wake word
    const db = join(dir, 'history.sqlite');
    const { code, events, stderr } = await listen(
      ['--input-wav', wav.path, '--keyword', 'alexa', '--max-utterances', '1'],
      { EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: db },
      (event, _stdin, interrupt) => {
        // Once the command has been said: a wake on "hey jarvis" would be recording it by now.
        if (event.type === 'ready') setTimeout(interrupt, wav.commandEnd * 1000 + 1000);
      },
    );
    expect(code, stderr).toBe(0);
    expect(events).toEqual([
      { type: 'ready', device: 'session.wav' },
      { type: 'state', state: 'armed', reason: 'wake word on' },
    ]);
    expect(historyOf(db)).toEqual([]);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(saved);
  }, 60_000);

  it('uses --keyword and --profile for this run only: hey_jarvis wakes while alexa is saved, the final is made with low-latency', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir);
    const saved = saveSettings(dir, (s) => (s.wake.keywords = ['alexa']));
    const db = join(dir, 'history.sqlite');
    const { code, events, stderr } = await listen(
      ['--input-wav', wav.path, '--keyword', 'hey_jarvis', '--profile', 'low-latency', '--max-utterances', '1'],
      { EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: db },
    );
    expect(code, stderr).toBe(0);
    expect(events.find((e) => e.type === 'wake')).toMatchObject({ keyword: 'hey_jarvis' });
    const final = events.find((e) => e.type === 'final');
    expect(final).toMatchObject({ trigger: 'wake', keyword: 'hey_jarvis' });
    expect(historyOf(db)).toMatchObject([{ keyword: 'hey_jarvis', profile: 'low-latency', text: final?.text }]);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(saved);
  }, 60_000);

  it('refuses an unknown --profile or --keyword as a usage error (exit 2) whose sentence lists the choices', async () => {
    const dir = tempDir();
    const saved = saveSettings(dir);
    const env = { EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: join(dir, 'history.sqlite') };
    const base = ['listen', '--json', '--input-wav', SHARED_AUDIO.jfk];
    const [profile, keyword] = await Promise.all([
      runCli([...base, '--profile', 'nope'], env),
      runCli([...base, '--keyword', 'hey_jarvis', '--keyword', 'nope'], env),
    ]);
    expect(profile.code, profile.stderr).toBe(2);
    expect(profile.stderr).toContain(
      'earshot: There is no profile "nope". Choose one of: balanced, low-latency, high-accuracy, low-resource.\n',
    );
    expect(keyword.code, keyword.stderr).toBe(2);
    expect(keyword.stderr).toContain(
      'earshot: Unknown wake word nope. Choose from hey_jarvis, alexa, hey_mycroft, hey_rhasspy, timer, weather.\n',
    );
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(saved);
  }, 60_000);
});

/** clipboardy's own xsel (it uses it when the system has none): reads the X clipboard. */
const XSEL = join(ROOT, 'node_modules', 'clipboardy', 'fallbacks', 'linux', 'xsel');

describe('earshot listen and the clipboard', () => {
  it('copies the final to the X clipboard when copying is on', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir);
    saveSettings(dir, (s) => (s.session.output = 'clipboard'));
    const x = await startXvfb();
    try {
      const { code, events, stderr } = await listen(['--input-wav', wav.path, '--max-utterances', '1'], {
        EARSHOT_CONFIG_DIR: dir,
        EARSHOT_HISTORY_DB: join(dir, 'history.sqlite'),
        DISPLAY: x.display,
        WAYLAND_DISPLAY: undefined,
        XDG_SESSION_TYPE: undefined,
      });
      expect(code, stderr).toBe(0);
      expect(events.filter((e) => e.type === 'error')).toEqual([]);
      const final = events.find((e) => e.type === 'final');
      expect(final).toMatchObject({ output: 'clipboard', text: expect.stringMatching(/\S/) as unknown });
      const clipboard = await run(XSEL, ['--clipboard', '--output'], { env: { ...process.env, DISPLAY: x.display } });
      expect(clipboard.stdout).toBe(final?.text);
    } finally {
      await x.stop();
    }
  }, 60_000);

  it('without a display, says the copy failed and still saves the final in the history', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir);
    saveSettings(dir, (s) => (s.session.output = 'clipboard'));
    const db = join(dir, 'history.sqlite');
    const { code, events, stderr } = await listen(['--input-wav', wav.path, '--max-utterances', '1'], {
      EARSHOT_CONFIG_DIR: dir,
      EARSHOT_HISTORY_DB: db,
      DISPLAY: undefined,
      WAYLAND_DISPLAY: undefined,
      XDG_SESSION_TYPE: undefined,
    });
    expect(code, stderr).toBe(0);
    const final = events.find((e) => e.type === 'final');
    expect(final).toMatchObject({ output: 'history', text: expect.stringMatching(/\S/) as unknown });
    const problem = events.find((e) => e.type === 'error');
    expect(problem).toMatchObject({ code: 'ClipboardUnavailable' });
    expect(problem?.message).toMatch(
      /^The transcript could not be copied to the clipboard \(.+\)\. It is in the history\.$/,
    );
    expect(historyOf(db)).toMatchObject([{ id: final?.history_id, text: final?.text }]);
  }, 60_000);
});

describe('earshot listen --output', () => {
  it('without a display, says once that finals stay in the history, and saves every one', async () => {
    const dir = tempDir();
    const db = join(dir, 'history.sqlite');
    const { code, events, stderr } = await listen(
      ['--output', 'paste', '--ptt', '--input-wav', SHARED_AUDIO.jfk, '--max-utterances', '2'],
      {
        EARSHOT_CONFIG_DIR: dir,
        EARSHOT_HISTORY_DB: db,
        DISPLAY: undefined,
        WAYLAND_DISPLAY: undefined,
        XDG_SESSION_TYPE: undefined,
      },
      (event, stdin) => {
        if (event.type !== 'ready') return;
        // Two pushes of about 2.5 s each while jfk.wav plays.
        for (const [at, line] of [
          [0, 'start'],
          [2500, 'stop'],
          [3500, 'start'],
          [6000, 'stop'],
        ] as const)
          setTimeout(() => stdin.write(`${line}\n`), at);
      },
    );
    expect(code, stderr).toBe(0);
    const finals = events.filter((e) => e.type === 'final');
    expect(finals.map((f) => f.output)).toEqual(['history', 'history']);
    expect(events.filter((e) => e.type === 'notice')).toEqual([
      {
        type: 'notice',
        code: 'KeyInjectionUnavailable',
        message:
          'There is no desktop session here (DISPLAY and WAYLAND_DISPLAY are not set): transcripts are saved in the history only.',
      },
    ]);
    expect(events.filter((e) => e.type === 'error')).toEqual([]);
    expect(
      historyOf(db)
        .map((h) => h.id)
        .sort(),
    ).toEqual(finals.map((f) => f.history_id).sort());
  }, 60_000);

  it('on Wayland without wtype or ydotool, says what to install, falls back to the clipboard, and saves the final', async () => {
    const dir = tempDir();
    const db = join(dir, 'history.sqlite');
    const wav = await sessionWav(dir);
    const { code, events, stderr } = await listen(
      ['--output', 'type', '--input-wav', wav.path, '--max-utterances', '1'],
      {
        EARSHOT_CONFIG_DIR: dir,
        EARSHOT_HISTORY_DB: db,
        DISPLAY: undefined,
        WAYLAND_DISPLAY: 'wayland-earshot-test',
        XDG_SESSION_TYPE: 'wayland',
        // Only node's own folder: no wtype, no ydotool, no wl-copy.
        PATH: dirname(process.execPath),
      },
    );
    expect(code, stderr).toBe(0);
    const final = events.find((e) => e.type === 'final');
    expect(events.find((e) => e.type === 'notice')).toMatchObject({
      code: 'KeyInjectionUnavailable',
      message: expect.stringMatching(
        /^On Wayland, apps cannot send keys to other apps: install wtype .* or ydotool .*\. Transcripts are copied to the clipboard instead\.$/,
      ) as unknown,
    });
    // No wl-copy either: the copy fails, said as such, and the final is in the history.
    expect(events.find((e) => e.type === 'error')).toMatchObject({ code: 'ClipboardUnavailable' });
    expect(final).toMatchObject({ output: 'history' });
    expect(historyOf(db)).toMatchObject([{ id: final?.history_id, text: final?.text }]);
  }, 60_000);

  it('refuses an output that does not exist, and lists the ones that do', async () => {
    const result = await runCli(['listen', '--output', 'fax', '--input-wav', SHARED_AUDIO.jfk], {
      EARSHOT_CONFIG_DIR: tempDir(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('earshot: --output takes history, clipboard, paste, type, not "fax"\n');
  });
});

describe('a profile that asks for the GPU', () => {
  it('falls back to the CPU on a machine without a GPU provider, says why once, and transcribes', async () => {
    const dir = tempDir();
    saveSettings(dir, (s) => {
      s.profiles.custom = [
        {
          ...structuredClone(findPreset('balanced')!),
          id: 'gpu',
          name: 'GPU',
          acceleration: 'auto',
          basedOn: 'balanced',
        },
      ];
      s.activeProfileId = 'gpu';
    });
    const { code, events, stderr } = await listen(
      ['--ptt', '--input-wav', SHARED_AUDIO.jfk, '--max-utterances', '1'],
      { EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: join(dir, 'history.sqlite'), DISPLAY: undefined },
      (event, stdin) => {
        if (event.type !== 'ready') return;
        stdin.write('start\n');
        setTimeout(() => stdin.write('stop\n'), 4500);
      },
    );
    expect(code, stderr).toBe(0);
    expect(events[0]?.type).toBe('ready');
    // This machine has no CUDA provider library (onnxruntime-node's download of it is not run).
    expect(events.filter((e) => e.code === 'AccelerationUnavailable')).toEqual([
      {
        type: 'notice',
        code: 'AccelerationUnavailable',
        message: expect.stringMatching(
          /^GPU acceleration is not available: CUDA could not be used \(.+\)\. Whisper runs on the CPU\.$/,
        ) as unknown,
      },
    ]);
    expect(normaliseText(String(events.find((e) => e.type === 'final')?.text)).join(' ')).toContain(
      'my fellow americans',
    );
  }, 60_000);
});

describe('earshot listen --hold-key', () => {
  const xdotool = (display: string, ...args: string[]) =>
    run('xdotool', args, { env: { ...process.env, DISPLAY: display } });

  it('records exactly while the key is held in the X session, and a tap makes no utterance', async () => {
    const dir = tempDir();
    const db = join(dir, 'history.sqlite');
    const x = await startXvfb();
    let heldMs = 0;
    try {
      const { code, events, stderr } = await listen(
        ['--ptt', '--hold-key', 'RightCtrl', '--input-wav', SHARED_AUDIO.jfk, '--max-utterances', '1'],
        {
          EARSHOT_CONFIG_DIR: dir,
          EARSHOT_HISTORY_DB: db,
          DISPLAY: x.display,
          WAYLAND_DISPLAY: undefined,
          XDG_SESSION_TYPE: undefined,
        },
        (event) => {
          if (event.type !== 'hold-key') return;
          void (async () => {
            // A brush of the key (100 ms), then a hold of about 3 s, as a person at another app would.
            await xdotool(x.display, 'keydown', 'Control_R');
            await new Promise((resolve) => setTimeout(resolve, 100));
            await xdotool(x.display, 'keyup', 'Control_R');
            await new Promise((resolve) => setTimeout(resolve, 800));
            const down = performance.now();
            await xdotool(x.display, 'keydown', 'Control_R');
            await new Promise((resolve) => setTimeout(resolve, 3000));
            await xdotool(x.display, 'keyup', 'Control_R');
            heldMs = performance.now() - down;
          })();
        },
      );
      expect(code, stderr).toBe(0);
      expect(events.find((e) => e.type === 'hold-key')).toEqual({ type: 'hold-key', key: 'RightCtrl', tap_ms: 250 });
      const states = events.filter((e) => e.type === 'state').map((e) => `${e.state} (${e.reason})`);
      expect(states.slice(0, 5)).toEqual([
        'recording (key pressed)',
        'idle (key tapped)',
        'recording (key pressed)',
        'transcribing (key released)',
        'idle (transcript done)',
      ]);
      const finals = events.filter((e) => e.type === 'final');
      expect(finals).toHaveLength(1);
      expect(finals[0]).toMatchObject({ trigger: 'ptt', text: expect.stringMatching(/\S/) as unknown });
      // The recording is the hold, as the test timed it from outside (xdotool's own start-up on either side).
      const recordingMs = (finals[0]!.timings as { recording_ms: number }).recording_ms;
      expect(
        Math.abs(recordingMs - heldMs),
        `recorded ${recordingMs} ms of a ${heldMs.toFixed(0)} ms hold`,
      ).toBeLessThan(500);
      expect(historyOf(db)).toHaveLength(1);
    } finally {
      await x.stop();
    }
  }, 60_000);

  it('refuses a key it does not know, and says why it cannot work without an X display', async () => {
    const dir = tempDir();
    const env = { EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: join(dir, 'history.sqlite') };
    const unknown = await runCli(['listen', '--hold-key', 'Hyper+Ctrl+X', '--input-wav', SHARED_AUDIO.jfk], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/not one key or a chord of two/);
    const { code, events } = await listen(['--ptt', '--hold-key', 'F9', '--input-wav', SHARED_AUDIO.jfk], {
      ...env,
      DISPLAY: undefined,
      WAYLAND_DISPLAY: undefined,
      XDG_SESSION_TYPE: undefined,
    });
    expect(code).not.toBe(0);
    expect(events.find((e) => e.type === 'error')).toMatchObject({
      code: 'DeviceUnavailable',
      message: 'A hold key needs an X11 desktop session, and DISPLAY is not set.',
    });
    const wayland = await listen(['--ptt', '--hold-key', 'F9', '--input-wav', SHARED_AUDIO.jfk], {
      ...env,
      DISPLAY: undefined,
      WAYLAND_DISPLAY: 'wayland-0',
      XDG_SESSION_TYPE: 'wayland',
    });
    expect(wayland.events.find((e) => e.type === 'error')?.message).toMatch(/use the toggle shortcut/);
  }, 60_000);
});
