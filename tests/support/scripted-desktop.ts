import type { Clipboard } from '../../src/main/actions/clipboard';
import type {
  Desktop,
  KeySender,
  OfferedText,
  PasteClipboard,
  PasteShortcut,
  SavedClipboard,
} from '../../src/main/actions/desktop';
import type { FocusedApp } from '../../src/main/actions/focused-app';

/** One app's text field on the in-memory desktop. */
export interface AppWindow {
  app: FocusedApp;
  text: string;
  /** Whether it reads the clipboard when the paste key comes (some apps do not accept pasting). */
  acceptsPaste: boolean;
}

/**
 * A desktop in memory that keeps the contract the real ones keep: a clipboard of formats, a
 * paste keystroke that makes the focused window read the clipboard *at that moment*, typed text
 * that lands in the focused window, and backspace. Every key event is logged, so a test sees
 * which shortcut was sent. Used to test what TextOutput decides; the X11 desktop itself is
 * tested against Xvfb with real apps.
 */
export class ScriptedDesktop implements Desktop {
  clipboardFormats: SavedClipboard['formats'] = [];
  focused: AppWindow | null = null;
  readonly keyLog: string[] = [];
  /** Makes key events fail, as a key tool that exits with an error. */
  failKeys: string | null = null;
  /** Makes putting the clipboard back fail, as a display that went away. */
  failRestore: string | null = null;
  keys: KeySender | null;
  keysUnavailable: string | null = null;
  keysFallback: 'clipboard' | 'history' = 'clipboard';
  pasteClipboard: PasteClipboard | null;
  pasteClipboardUnavailable: string | null = null;
  clipboard: Clipboard | null;
  pasteShortcut: 'ctrl+v' | 'cmd+v' = 'ctrl+v';
  private reads = 0;

  constructor(options: { canType?: boolean } = {}) {
    const keys: KeySender = {
      name: 'scripted-keys',
      paste: (shortcut: PasteShortcut) => this.key(`paste ${shortcut}`, () => this.pasteInto()),
      backspace: (count: number) =>
        this.key(`backspace ${count}`, (w) => (w.text = w.text.slice(0, Math.max(0, w.text.length - count)))),
      ...(options.canType !== false && {
        type: (text: string) => this.key(`type ${JSON.stringify(text)}`, (w) => (w.text += text)),
      }),
    };
    this.keys = keys;
    this.clipboard = { writeText: (text) => Promise.resolve(void (this.clipboardFormats = [textFormat(text)])) };
    this.pasteClipboard = {
      save: () => Promise.resolve({ formats: this.clipboardFormats.map((f) => ({ ...f })) }),
      offer: (text: string): Promise<OfferedText> => {
        this.clipboardFormats = [textFormat(text)];
        return Promise.resolve({
          readAfter: async (paste) => {
            const readsBefore = this.reads;
            await paste();
            return this.reads > readsBefore;
          },
        });
      },
      restore: (saved) =>
        this.failRestore
          ? Promise.reject(new Error(this.failRestore))
          : Promise.resolve(void (this.clipboardFormats = saved.formats)),
    };
  }

  focusedApp(): Promise<FocusedApp | null> {
    return Promise.resolve(this.focused?.app ?? null);
  }

  get clipboardText(): string | null {
    const text = this.clipboardFormats.find((f) => f.type === 'UTF8_STRING');
    return text ? text.data.toString('utf8') : null;
  }

  private pasteInto(): void {
    const window = this.focused;
    if (!window?.acceptsPaste) return;
    this.reads++;
    window.text += this.clipboardText ?? '';
  }

  private key(event: string, effect: (window: AppWindow) => void): Promise<void> {
    this.keyLog.push(event);
    if (this.failKeys) return Promise.reject(new Error(this.failKeys));
    if (this.focused) effect(this.focused);
    return Promise.resolve();
  }
}

export function textFormat(text: string): SavedClipboard['formats'][number] {
  return { type: 'UTF8_STRING', data: Buffer.from(text, 'utf8') };
}

export function appWindow(id: string, classes: string[], title: string, acceptsPaste = true): AppWindow {
  return { app: { id, classes, title }, text: '', acceptsPaste };
}
