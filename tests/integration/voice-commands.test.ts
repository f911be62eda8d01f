// Voice commands through `earshot listen`, generated speech standing in for the microphone: a command after the wake word runs and is not typed, a near miss is dictation, and with push-to-talk only the command word makes a command.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeWavFile } from '../../src/main/audio/wav';
import { defaultSettings } from '../../src/shared/settings';
import { runCli } from '../support/cli-process';
import { listenJson, type ListenEvent } from '../support/listen-json';
import { historyOf } from '../support/history-of';
import { sessionWav } from '../support/session-wav';
import { useTempDirs } from '../support/temp-dir';
import { readClipboard } from '../support/x-apps';
import { startXvfb } from '../support/xvfb';
import { SpeechGenerator } from '../support/tts-speech';

const tempDir = useTempDirs();

/** `listen --json` with the history and settings in `dir`, on `display` (none by default). */
function listen(
  dir: string,
  args: string[],
  onEvent?: (e: ListenEvent, stdin: NodeJS.WritableStream) => void,
  display?: string,
) {
  const env = {
    EARSHOT_CONFIG_DIR: dir,
    EARSHOT_HISTORY_DB: join(dir, 'history.sqlite'),
    DISPLAY: display,
    WAYLAND_DISPLAY: undefined,
    XDG_SESSION_TYPE: undefined,
  };
  return listenJson(args, env, onEvent);
}

const activeProfile = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { activeProfileId: string }).activeProfileId;

describe('voice commands in earshot listen', () => {
  it('"hey jarvis … switch to the low latency profile" switches the profile, says so, and types nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(defaultSettings()));
    const wav = await sessionWav(dir, 'switch to the low latency profile');
    const { code, events, stderr } = await listen(dir, ['--input-wav', wav.path, '--max-utterances', '1']);
    expect(code, stderr).toBe(0);
    const command = events.find((e) => e.type === 'command');
    expect(command, JSON.stringify(events)).toMatchObject({
      type: 'command',
      command: 'switch-profile',
      slots: { profile: 'low-latency' },
      ok: true,
      message: 'Now using the Low latency profile.',
    });
    expect(activeProfile(dir)).toBe('low-latency');
    // The command's words went nowhere but the history, marked as a command.
    expect(events.find((e) => e.type === 'final')).toMatchObject({ output: 'history' });
    expect(events.filter((e) => e.type === 'notice')).toEqual([]);
    expect(historyOf(join(dir, 'history.sqlite'))).toMatchObject([
      {
        id: command?.history_id,
        trigger: 'command',
        keyword: 'hey_jarvis',
        command: { id: 'switch-profile', slots: { profile: 'low-latency' }, ok: true },
      },
    ]);
  }, 90_000);

  it('takes a near miss ("the low battery profile") as dictation, and leaves the profile alone', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(defaultSettings()));
    const wav = await sessionWav(dir, 'switch to the low battery profile');
    const { code, events, stderr } = await listen(dir, ['--input-wav', wav.path, '--max-utterances', '1']);
    expect(code, stderr).toBe(0);
    expect(events.filter((e) => e.type === 'command')).toEqual([]);
    expect(String(events.find((e) => e.type === 'final')?.text).toLowerCase()).toMatch(/battery/);
    expect(activeProfile(dir)).toBe('balanced');
    expect(historyOf(join(dir, 'history.sqlite'))).toMatchObject([{ trigger: 'wake', command: null }]);
  }, 90_000);

  it('with push-to-talk, dictates, then "command, copy that" copies it and "command, scratch that" takes it out of the history', async () => {
    const dir = tempDir();
    const speech = new SpeechGenerator(dir);
    const clip = await speech.compose([
      { silence_s: 1 },
      { say: 'buy milk and bread on the way home', voice: 'flite-slt' },
      { silence_s: 2 },
      { say: 'command, copy that', voice: 'flite-rms' },
      { silence_s: 2 },
      { say: 'command, scratch that', voice: 'flite-rms' },
      { silence_s: 2 },
    ]);
    const path = join(dir, 'dictation.wav');
    await writeWavFile(path, clip.samples, 16000);
    const x = await startXvfb();
    try {
      const { code, events, stderr } = await listen(
        dir,
        ['--ptt', '--output', 'history', '--input-wav', path, '--max-utterances', '3'],
        (event, stdin) => {
          if (event.type !== 'ready') return;
          for (const part of clip.speech) {
            setTimeout(() => stdin.write('start\n'), part.start_s * 1000 - 200);
            setTimeout(() => stdin.write('stop\n'), part.end_s * 1000 + 500);
          }
        },
        x.display,
      );
      expect(code, stderr).toBe(0);
      const [dictation] = events.filter((e) => e.type === 'final');
      expect(String(dictation?.text).toLowerCase()).toMatch(/milk/);
      const [copy, scratch] = events.filter((e) => e.type === 'command');
      expect(copy, JSON.stringify(events)).toMatchObject({ command: 'copy-that', ok: true });
      expect((await readClipboard(x.display))?.text).toBe(String(dictation?.text).trim());
      expect(scratch).toMatchObject({
        command: 'scratch-that',
        ok: true,
        message: `Took "${String(dictation?.text).trim()}" out of the history; it is still in the app (it was not typed or pasted into an app).`,
      });
      // Only the commands are left in the history.
      expect(historyOf(join(dir, 'history.sqlite'))).toMatchObject([
        { trigger: 'command', command: { id: 'scratch-that' } },
        { trigger: 'command', command: { id: 'copy-that' } },
      ]);
    } finally {
      await x.stop();
    }
  }, 90_000);
});

describe('user commands that run programs', () => {
  it('runs only once allowed and confirmed, gives the slot as one argument, and says when a program does not exist or a webhook refuses', async () => {
    const dir = tempDir();
    // A local webhook that turns every request down.
    const webhook = createServer((_req, res) => res.writeHead(403).end());
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(webhook.address() as { port: number }).port}/api/webhook/heater`;
    const argv = join(dir, 'argv.json');
    const script = join(dir, 'take-note');
    writeFileSync(
      script,
      `#!/usr/bin/env node\nrequire('fs').writeFileSync(${JSON.stringify(argv)}, JSON.stringify(process.argv.slice(2)));\n`,
    );
    chmodSync(script, 0o755);
    const file = join(dir, 'commands.json');
    writeFileSync(
      file,
      JSON.stringify({
        earshotCommands: 1,
        commands: [
          {
            id: 'note',
            phrase: 'take a note {text}',
            action: { type: 'run', program: script, args: ['{text}'] },
            enabled: true,
          },
          {
            id: 'heater',
            phrase: 'turn on the heater',
            action: { type: 'webhook', url: hook, body: '{"on": true}' },
            enabled: true,
          },
          {
            id: 'ghost',
            phrase: 'launch the ghost',
            action: { type: 'run', program: 'earshot-no-such-program', args: [] },
            enabled: true,
          },
        ],
      }),
    );
    const cli = (...args: string[]) => runCli(['commands', ...args, '--config-dir', dir], { EARSHOT_CONFIG_DIR: dir });
    expect(await cli('import', file)).toMatchObject({ code: 0, stdout: 'Imported 3 commands.\n' });

    const speech = new SpeechGenerator(dir);
    const clip = await speech.compose([
      { silence_s: 1 },
      { say: 'command, take a note buy oat milk', voice: 'flite-rms' },
      { silence_s: 2 },
      { say: 'command, launch the ghost', voice: 'flite-rms' },
      { silence_s: 2 },
      { say: 'command, turn on the heater', voice: 'flite-rms' },
      { silence_s: 2 },
    ]);
    const wav = join(dir, 'commands.wav');
    await writeWavFile(wav, clip.samples, 16000);
    const speak = () =>
      listen(dir, ['--ptt', '--input-wav', wav, '--max-utterances', '3'], (event, stdin) => {
        if (event.type !== 'ready') return;
        for (const part of clip.speech) {
          setTimeout(() => stdin.write('start\n'), part.start_s * 1000 - 200);
          setTimeout(() => stdin.write('stop\n'), part.end_s * 1000 + 500);
        }
      });

    // Programs are off until the user turns them on.
    const off = await speak();
    expect(off.code, off.stderr).toBe(0);
    expect(off.events.filter((e) => e.type === 'command').map((e) => [e.command, e.ok, e.message])).toEqual([
      ['note', false, '"note" runs a program, and running programs is off: turn it on in the Commands view.'],
      ['ghost', false, '"ghost" runs a program, and running programs is off: turn it on in the Commands view.'],
      ['heater', false, `${hook} answered 403 Forbidden.`],
    ]);
    expect(existsSync(argv)).toBe(false);

    // On, but the first run of each is confirmed once (here with the CLI; the window asks).
    expect(await cli('programs', 'on')).toMatchObject({ code: 0 });
    const unconfirmed = await speak();
    expect(unconfirmed.events.find((e) => e.type === 'command')?.message).toBe(
      `"note" runs ${script} for the first time: confirm it once in the Commands view, or with \`earshot commands confirm note\`.`,
    );
    expect(await cli('confirm', 'note')).toMatchObject({ code: 0 });
    expect(await cli('confirm', 'ghost')).toMatchObject({ code: 0 });

    const { code, events, stderr } = await speak();
    expect(code, stderr).toBe(0);
    webhook.close();
    const [note, ghost] = events.filter((e) => e.type === 'command');
    expect(note).toMatchObject({ command: 'note', ok: true, message: `Ran ${script}.` });
    const slot = (note?.slots as { text: string }).text;
    expect(slot.toLowerCase()).toMatch(/oat|milk|automail/);
    expect(JSON.parse(readFileSync(argv, 'utf8'))).toEqual([slot]);
    expect(ghost).toMatchObject({
      command: 'ghost',
      ok: false,
      message: 'There is no program "earshot-no-such-program": check its name or give its full path.',
    });
    // Each run is in the history, failures too.
    const history = historyOf(join(dir, 'history.sqlite'));
    expect(history).toHaveLength(9);
    expect(history[0]).toMatchObject({ trigger: 'command', command: { id: 'heater', ok: false } });
  }, 180_000);
});
