import { AppError, firstLine } from '../../shared/errors';
import { cacheDir } from '../settings/config-dir';
import { isX11Session, XselClipboard } from './xsel-clipboard';

/** Where a final transcript is copied; the composition root picks the implementation. */
export interface Clipboard {
  writeText(text: string): Promise<void>;
}

/**
 * The clipboard of a headless host (CLI, `earshot serve`). On an X11 desktop, xsel run by Earshot
 * itself, so that its log goes to Earshot's cache folder: clipboardy cannot pass xsel's
 * `--logfile`, and xsel's default leaves `~/.cache/xsel.log` in the user's home (found by the
 * privacy test). Elsewhere clipboardy: wl-copy on Wayland, pbcopy on macOS, clip on Windows.
 * The Electron host uses Electron's clipboard instead. Loaded on first use: most runs never copy.
 */
export class SystemClipboard implements Clipboard {
  private readonly xsel = isX11Session(process.platform, process.env) ? new XselClipboard(cacheDir()) : null;

  async writeText(text: string): Promise<void> {
    try {
      if (this.xsel) return await this.xsel.writeText(text);
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
