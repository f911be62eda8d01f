import type { OfferedText, PasteClipboard, SavedClipboard } from './desktop';

/**
 * How long after the paste keystroke the clipboard is put back where Earshot cannot see the app
 * read it. Measured under Xvfb (`npm run bench -- paste`), from the start of the keystroke to a
 * GTK entry's read: p95 18 ms, max 21 ms idle; p95 28 ms, max 34 ms beside two busy processes.
 * 250 ms leaves a busy machine's slowest read seven times over, and slower apps (an Electron app,
 * an office suite) room, while the clipboard holds the dictation only a moment.
 */
export const PASTE_READ_DELAY_MS = 250;

/** Text in and out of a clipboard: clipboardy, or Electron's clipboard. */
export interface TextClipboardAccess {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
}

/**
 * A paste where only the clipboard's text can be saved and put back (clipboardy: wl-clipboard on
 * Wayland, pbcopy/pbpaste on macOS, PowerShell on Windows). An image on the clipboard is lost.
 */
export class TextPasteClipboard implements PasteClipboard {
  constructor(
    private readonly access: TextClipboardAccess,
    private readonly readDelayMs = PASTE_READ_DELAY_MS,
  ) {}

  async save(): Promise<SavedClipboard> {
    let text = '';
    try {
      text = await this.access.readText();
    } catch {
      // An empty clipboard reads as an error on some platforms (wl-paste): nothing to keep.
    }
    return { formats: text ? [{ type: 'text/plain', data: Buffer.from(text, 'utf8') }] : [] };
  }

  async offer(text: string): Promise<OfferedText> {
    await this.access.writeText(text);
    return { readAfter: (paste, maxMs) => readAfterDelay(paste, Math.min(maxMs, this.readDelayMs)) };
  }

  async restore(saved: SavedClipboard): Promise<void> {
    await this.access.writeText(saved.formats[0]?.data.toString('utf8') ?? '');
  }
}

/** A paste where the app's read cannot be seen: the keystroke, then the measured delay. */
export async function readAfterDelay(paste: () => Promise<void>, ms: number): Promise<boolean> {
  await paste();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return true;
}
