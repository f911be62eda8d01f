// TextOutput: where a final goes (paste, type, clipboard, history), the clipboard put back, exclusions, terminals, fallbacks said once.
import { describe, expect, it } from 'vitest';
import { JOIN_WINDOW_MS, TextOutput, type OutputOptions } from '../../../src/main/actions/text-output';
import { DEFAULT_EXCLUDED_APPS } from '../../../src/shared/settings';
import { appWindow, ScriptedDesktop, textFormat } from '../../support/scripted-desktop';

const OPTIONS: OutputOptions = {
  keepTrailingPeriod: true,
  excludedApps: DEFAULT_EXCLUDED_APPS,
  typeIntoTerminals: false,
};

function rig(options: { canType?: boolean } = {}) {
  const desktop = new ScriptedDesktop(options);
  let now = 1000;
  const output = new TextOutput(desktop, () => now);
  return { desktop, output, advance: (ms: number) => (now += ms) };
}

describe('TextOutput', () => {
  it('pastes into the focused app and puts back every format the clipboard held', async () => {
    const { desktop, output } = rig();
    const editor = appWindow('7', ['gedit', 'gedit'], 'notes.txt');
    desktop.focused = editor;
    const before = [textFormat('copied earlier'), { type: 'text/html', data: Buffer.from('<b>copied</b>') }];
    desktop.clipboardFormats = before;
    const result = await output.deliver('Turn on the kitchen lights.', 'paste', OPTIONS);
    expect(result).toEqual({ delivered: 'paste', app: 'gedit', text: 'Turn on the kitchen lights.', problems: [] });
    expect(editor.text).toBe('Turn on the kitchen lights.');
    expect(desktop.keyLog).toEqual(['paste ctrl+v']);
    expect(desktop.clipboardFormats).toEqual(before);
  });

  it('continues a sentence in the same window with a space, and not in another window or much later', async () => {
    const { desktop, output, advance } = rig();
    const editor = appWindow('7', ['gedit'], 'notes.txt');
    const chat = appWindow('9', ['signal'], 'Signal');
    desktop.focused = editor;
    await output.deliver('Dear Anna.', 'paste', OPTIONS);
    advance(5000);
    await output.deliver('Thanks for the parcel. New line.', 'type', OPTIONS);
    desktop.focused = chat;
    await output.deliver('On my way.', 'paste', OPTIONS);
    desktop.focused = editor;
    advance(5000);
    // The last dictation there ended a line: no space at the start of the next.
    await output.deliver('Best wishes.', 'paste', OPTIONS);
    advance(JOIN_WINDOW_MS);
    await output.deliver('P.S. Call me.', 'paste', OPTIONS);
    expect(editor.text).toBe('Dear Anna. Thanks for the parcel.\nBest wishes.P.S. Call me.');
    expect(chat.text).toBe('On my way.');
  });

  it('types as keystrokes, the trailing full stop dropped when asked', async () => {
    const { desktop, output } = rig();
    const field = appWindow('3', ['firefox'], 'Search');
    desktop.focused = field;
    desktop.clipboardFormats = [textFormat('keep me')];
    const result = await output.deliver('Weather in Berlin.', 'type', { ...OPTIONS, keepTrailingPeriod: false });
    expect(result).toMatchObject({ delivered: 'type', text: 'Weather in Berlin', problems: [] });
    expect(field.text).toBe('Weather in Berlin');
    expect(desktop.keyLog).toEqual(['type "Weather in Berlin"']);
    expect(desktop.clipboardText).toBe('keep me');
  });

  it('keeps the text from an excluded app and from terminals, unless terminals are allowed (then Ctrl+Shift+V)', async () => {
    const { desktop, output } = rig();
    desktop.focused = appWindow('5', ['keepassxc', 'keepassxc'], 'Passwords.kdbx - KeePassXC');
    const excluded = await output.deliver('hunter two', 'paste', OPTIONS);
    expect(excluded).toMatchObject({ delivered: 'history', app: 'keepassxc', text: null });
    expect(excluded.problems).toEqual([
      {
        kind: 'notice',
        code: 'OutputExcluded',
        message: 'Not typed into keepassxc: it matches "keepassxc" in the excluded apps. The text is in the history.',
      },
    ]);
    const terminal = appWindow('6', ['xterm', 'xterm'], 'bash');
    desktop.focused = terminal;
    const refused = await output.deliver('rm everything', 'type', OPTIONS);
    expect(refused).toMatchObject({ delivered: 'history', app: 'xterm' });
    expect(refused.problems[0]?.message).toMatch(
      /^Not typed into xterm: it is a terminal, where typed text runs as a command\./,
    );
    expect(desktop.keyLog).toEqual([]);
    expect(terminal.text).toBe('');

    const allowed = await output.deliver('git status', 'paste', { ...OPTIONS, typeIntoTerminals: true });
    expect(allowed).toMatchObject({ delivered: 'paste', app: 'xterm' });
    expect(desktop.keyLog).toEqual(['paste ctrl+shift+v']);
    expect(terminal.text).toBe('git status');
  });

  it('copies instead when no key tool is there, and says why once', async () => {
    const { desktop, output } = rig();
    desktop.keys = null;
    desktop.keysUnavailable = 'Typing into other apps needs xdotool: install it (sudo apt install xdotool).';
    const first = await output.deliver('First.', 'paste', OPTIONS);
    const second = await output.deliver('Second.', 'type', OPTIONS);
    expect(first).toMatchObject({ delivered: 'clipboard', text: 'First.' });
    expect(first.problems).toEqual([
      {
        kind: 'notice',
        code: 'KeyInjectionUnavailable',
        message:
          'Typing into other apps needs xdotool: install it (sudo apt install xdotool). Transcripts are copied to the clipboard instead.',
      },
    ]);
    expect(second).toEqual({ delivered: 'clipboard', app: null, text: 'Second.', problems: [] });
    expect(desktop.clipboardText).toBe('Second.');
  });

  it('keeps the history only where there is no desktop at all, and pastes where a tool cannot type', async () => {
    const headless = rig();
    headless.desktop.keys = null;
    headless.desktop.keysFallback = 'history';
    headless.desktop.keysUnavailable = 'There is no desktop session here.';
    const kept = await headless.output.deliver('Hello.', 'paste', OPTIONS);
    expect(kept).toMatchObject({ delivered: 'history', problems: [{ code: 'KeyInjectionUnavailable' }] });
    expect(headless.desktop.clipboardFormats).toEqual([]);

    const { desktop, output } = rig({ canType: false });
    const field = appWindow('3', ['textedit'], 'Untitled');
    desktop.focused = field;
    const first = await output.deliver('One.', 'type', OPTIONS);
    expect(first).toMatchObject({
      delivered: 'paste',
      problems: [{ kind: 'notice', code: 'KeyInjectionUnavailable' }],
    });
    expect(first.problems[0]?.message).toBe('scripted-keys cannot type text here: transcripts are pasted instead.');
    expect((await output.deliver('Two.', 'type', OPTIONS)).problems).toEqual([]);
    expect(field.text).toBe('One. Two.');
  });

  it('says when the key tool fails or the app does not take the paste, and the clipboard is put back either way', async () => {
    const { desktop, output } = rig();
    desktop.clipboardFormats = [textFormat('precious')];
    desktop.focused = appWindow('4', ['gimp'], 'Image', false);
    const ignored = await output.deliver('Hello.', 'paste', OPTIONS);
    expect(ignored).toMatchObject({ delivered: 'history', app: 'gimp' });
    expect(ignored.problems[0]?.message).toMatch(/^gimp did not take the pasted text within 2 s/);
    expect(desktop.clipboardText).toBe('precious');

    desktop.focused = appWindow('8', ['gedit'], 'a.txt');
    desktop.failKeys = "Error: Can't open display: :9";
    const failed = await output.deliver('Hello.', 'paste', OPTIONS);
    expect(failed).toMatchObject({
      delivered: 'history',
      problems: [
        {
          kind: 'error',
          code: 'OutputFailed',
          message:
            "The transcript could not be pasted into gedit (Error: Can't open display: :9). It is in the history.",
        },
      ],
    });
    expect(desktop.clipboardText).toBe('precious');
  });

  it('says so when the clipboard cannot be put back, and the paste still counts', async () => {
    const { desktop, output } = rig();
    const editor = appWindow('7', ['gedit'], 'notes.txt');
    desktop.focused = editor;
    desktop.clipboardFormats = [textFormat('mine')];
    desktop.failRestore = "Can't open display: :3";
    expect(await output.deliver('Hello.', 'paste', OPTIONS)).toEqual({
      delivered: 'paste',
      app: 'gedit',
      text: 'Hello.',
      problems: [
        {
          kind: 'error',
          code: 'ClipboardUnavailable',
          message:
            "Your clipboard could not be put back after the paste (Can't open display: :3): it holds the transcript.",
        },
      ],
    });
    expect(editor.text).toBe('Hello.');
  });

  it('runs one delivery at a time, so quick finals never paste each other or lose the clipboard', async () => {
    const { desktop, output } = rig();
    const editor = appWindow('7', ['gedit'], 'notes.txt');
    desktop.focused = editor;
    desktop.clipboardFormats = [textFormat('mine')];
    const results = await Promise.all(['One.', 'Two.', 'Three.'].map((t) => output.deliver(t, 'paste', OPTIONS)));
    expect(results.map((r) => r.delivered)).toEqual(['paste', 'paste', 'paste']);
    expect(editor.text).toBe('One. Two. Three.');
    expect(desktop.clipboardText).toBe('mine');
  });

  it('copies to the clipboard without the joining space, and says so when there is no clipboard', async () => {
    const { desktop, output } = rig();
    expect(await output.deliver('Note. New line. More.', 'clipboard', OPTIONS)).toMatchObject({
      delivered: 'clipboard',
      text: 'Note.\nMore.',
    });
    desktop.clipboard = null;
    expect(await output.deliver('Note.', 'clipboard', OPTIONS)).toMatchObject({
      delivered: 'history',
      problems: [{ kind: 'error', code: 'ClipboardUnavailable', message: 'This host has no clipboard.' }],
    });
    expect(await output.deliver('Note.', 'history', OPTIONS)).toEqual({
      delivered: 'history',
      app: null,
      text: null,
      problems: [],
    });
  });
});
