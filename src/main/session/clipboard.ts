import { AppError } from '../../shared/errors';

/** Where a final transcript is copied; the composition root picks the implementation. */
export interface Clipboard {
  writeText(text: string): Promise<void>;
}

/**
 * The clipboard of a headless host (CLI, `earshot serve`): clipboardy, which runs wl-copy on
 * Wayland, xsel on X11 (its own copy if none is installed), pbcopy on macOS and clip on Windows.
 * The Electron host uses Electron's clipboard instead. Loaded on first use: most runs never copy.
 */
export class SystemClipboard implements Clipboard {
  async writeText(text: string): Promise<void> {
    try {
      const { default: clipboardy } = await import('clipboardy');
      await clipboardy.write(text);
    } catch (error) {
      throw new AppError(
        'ClipboardUnavailable',
        `The transcript could not be copied to the clipboard (${firstLine(error)}). It is in the history.`,
      );
    }
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}
