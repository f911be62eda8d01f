// Text where the cursor is, on a real X display (Xvfb) with real apps: a push-to-talk through an ALSA microphone pasted into a GTK entry (the clipboard put back), typed into a terminal, and kept from a terminal unless allowed.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemDesktop } from '../../src/main/actions/system-desktop';
import { TextOutput } from '../../src/main/actions/text-output';
import { XdotoolKeys } from '../../src/main/actions/x11-desktop';
import { historyOf } from '../support/history-of';
import { DEFAULT_SESSION_OPTIONS, defaultSettings, type Settings } from '../../src/shared/settings';
import { Listen, MIC_NAME, pushToTalkCommand, useLiveListen, type LiveMachine } from '../support/live-listen';
import { useTempDirs } from '../support/temp-dir';
import { normaliseText } from '../support/wer';
import { readClipboard, setClipboard, startXApp, xdotool, type XApp } from '../support/x-apps';
import { startXvfb } from '../support/xvfb';

const tempDir = useTempDirs();
const listenMachine = useLiveListen(tempDir);

let x: { display: string; stop: () => Promise<void> } | undefined;
const apps: XApp[] = [];
afterEach(async () => {
  apps.splice(0).forEach((app) => app.stop());
  await x?.stop();
  x = undefined;
});

async function display(): Promise<string> {
  x = await startXvfb();
  return x.display;
}

async function app(display: string, command: string, args: string[], windowClass: string): Promise<XApp> {
  const started = await startXApp(display, command, args, windowClass);
  apps.push(started);
  return started;
}

function saveSettings(dir: string, change: (settings: Settings) => void): void {
  const settings = defaultSettings();
  change(settings);
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

/** Push-to-talk of the session clip's command through the live microphone: pressed before it, released after. */
async function pushToTalk(machine: LiveMachine, args: string[], displayName: string): Promise<Listen> {
  const listen = new Listen(['--device', MIC_NAME, '--ptt', '--max-utterances', '1', ...args], {
    ...machine.env,
    DISPLAY: displayName,
    WAYLAND_DISPLAY: undefined,
    XDG_SESSION_TYPE: undefined,
  });
  await listen.event((e) => e.type === 'ready', 45_000, 'ready');
  await pushToTalkCommand(machine, listen);
  expect(await listen.exit(45_000), listen.stderr).toBe(0);
  return listen;
}

describe('text where the cursor is, on X11', () => {
  it('pastes a push-to-talk into the focused GTK entry, and the clipboard holds exactly what it held before', async () => {
    const machine = await listenMachine();
    const d = await display();
    const entry = await app(d, 'zenity', ['--entry', '--text', 'Say something'], 'zenity');
    await setClipboard(d, 'copied earlier: 5 € & ünïcode');
    const before = await readClipboard(d);

    const listen = await pushToTalk(machine, ['--output', 'paste'], d);
    const final = listen.events.find((e) => e.type === 'final');
    expect(final).toMatchObject({ trigger: 'ptt', output: 'paste', app: 'zenity' });
    expect(normaliseText(String(final?.text)).join(' ')).toContain('kitchen lights');
    expect(listen.events.filter((e) => e.type === 'error' || e.type === 'notice')).toEqual([]);

    // zenity prints its entry's text when Return is pressed (it still has the focus).
    await xdotool(d, 'key', 'Return');
    expect((await entry.output).trim()).toBe(String(final?.text).trim());
    expect(await readClipboard(d)).toEqual(before);
    expect(historyOf(machine.db)).toMatchObject([{ text: final?.text, trigger: 'ptt' }]);
  }, 120_000);

  it('types into a terminal when terminals are allowed, and keeps the text from it when they are not', async () => {
    const machine = await listenMachine();
    const d = await display();
    const out = join(machine.dir, 'typed.txt');
    const terminal = await app(d, 'xterm', ['-e', 'sh', '-c', 'cat > "$0"', out], 'xterm');

    // The default: a terminal runs typed text as a command, so nothing is typed there.
    const refused = await pushToTalk(machine, ['--output', 'type'], d);
    expect(refused.events.find((e) => e.type === 'final')).toMatchObject({ output: 'history', app: 'xterm' });
    expect(refused.events.find((e) => e.type === 'notice')).toEqual({
      type: 'notice',
      code: 'OutputExcluded',
      message:
        'Not typed into xterm: it is a terminal, where typed text runs as a command. Allow terminals in the output settings to type there. The text is in the history.',
    });

    saveSettings(machine.dir, (s) => (s.session.typeIntoTerminals = true));
    const typed = await pushToTalk(machine, ['--output', 'type'], d);
    const final = typed.events.find((e) => e.type === 'final');
    expect(final).toMatchObject({ output: 'type', app: 'xterm' });
    // End cat's line and its input: what it got is in the file.
    await xdotool(d, 'key', 'Return', 'ctrl+d');
    await terminal.output;
    expect(readFileSync(out, 'utf8')).toBe(`${String(final?.text).trim()}\n`);
    expect(historyOf(machine.db)).toHaveLength(2);
  }, 180_000);
});

describe('the X11 clipboard around a paste', () => {
  const output = (displayName: string) =>
    new TextOutput(systemDesktop({ ...process.env, DISPLAY: displayName, WAYLAND_DISPLAY: undefined }, 'linux'));

  it('leaves an empty clipboard empty and puts an image back, byte for byte', async () => {
    const d = await display();
    const entry = await app(d, 'zenity', ['--entry', '--text', 'Say something'], 'zenity');
    const out = output(d);
    expect(await readClipboard(d)).toBeNull();
    const firstLine = await out.deliver('First line.', 'paste', DEFAULT_SESSION_OPTIONS);
    expect(firstLine, JSON.stringify(firstLine)).toMatchObject({ delivered: 'paste' });
    expect(await readClipboard(d)).toBeNull();

    // A PNG's signature and bytes that are not UTF-8: the restore must not re-encode them.
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0x00, 0xfe]).toString('latin1');
    await setClipboard(d, png, 'image/png');
    const image = await readClipboard(d, 'image/png');
    // Two finals in quick succession: one after the other, each continuing the sentence before it.
    const [first, second] = await Promise.all([
      out.deliver('Ça va?', 'paste', DEFAULT_SESSION_OPTIONS),
      out.deliver('Très bien.', 'paste', DEFAULT_SESSION_OPTIONS),
    ]);
    expect([first?.text, second?.text]).toEqual([' Ça va?', ' Très bien.']);
    expect(await readClipboard(d, 'image/png')).toEqual(image);
    expect(image?.targets).toEqual(['TARGETS', 'image/png']);

    await xdotool(d, 'key', 'Return');
    expect((await entry.output).trim()).toBe('First line. Ça va? Très bien.');
  }, 60_000);

  it('takes the last dictation back with backspaces while its window has the focus ("scratch that")', async () => {
    const d = await display();
    const entry = await app(d, 'zenity', ['--entry', '--text', 'Say something'], 'zenity');
    const out = output(d);
    await out.deliver('Keep this.', 'type', DEFAULT_SESSION_OPTIONS);
    await out.deliver('Ça, non: New line.', 'paste', DEFAULT_SESSION_OPTIONS);
    expect(await out.takeBack()).toBeNull();
    // Taken back once: a second "scratch that" has nothing of its own to delete.
    expect(await out.takeBack()).toBe('it was not typed or pasted into an app');
    await xdotool(d, 'key', 'Return');
    expect((await entry.output).trim()).toBe('Keep this.');
  }, 60_000);

  it('presses a shortcut in the focused app (a command\'s "press a shortcut" action)', async () => {
    const d = await display();
    const entry = await app(d, 'zenity', ['--entry', '--text', 'Say something'], 'zenity');
    const keys = new XdotoolKeys({ ...process.env, DISPLAY: d });
    await keys.type('replace me');
    await keys.press('ctrl+a');
    await keys.type('kept');
    await expect(keys.press('ctrl+a; reboot')).rejects.toThrow('"ctrl+a; reboot" is not a key combination');
    await xdotool(d, 'key', 'Return');
    expect((await entry.output).trim()).toBe('kept');
  }, 60_000);
});
