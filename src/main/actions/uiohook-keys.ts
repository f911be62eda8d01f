import { createRequire } from 'node:module';
import type * as UiohookModule from 'uiohook-napi';
import type { KeySender, PasteShortcut } from './desktop';

/**
 * The paste keystroke on macOS and Windows through uiohook-napi (CGEventPost, SendInput), the
 * library the hold key already uses. It sends key codes, not characters, so it cannot type
 * arbitrary text: `type` is pasted there instead (the output says so once).
 */
export class UiohookKeys implements KeySender {
  readonly name = 'uiohook-napi';
  private library: typeof UiohookModule | undefined;

  async paste(shortcut: PasteShortcut): Promise<void> {
    const { uIOhook, UiohookKey } = this.load();
    const modifiers =
      shortcut === 'cmd+v'
        ? [UiohookKey.Meta]
        : shortcut === 'ctrl+shift+v'
          ? [UiohookKey.Ctrl, UiohookKey.Shift]
          : [UiohookKey.Ctrl];
    uIOhook.keyTap(UiohookKey.V, modifiers);
    return Promise.resolve();
  }

  async backspace(count: number): Promise<void> {
    const { uIOhook, UiohookKey } = this.load();
    for (let i = 0; i < count; i++) uIOhook.keyTap(UiohookKey.Backspace);
    return Promise.resolve();
  }

  /** Loaded on first use, like the hold key: loading it opens the display. */
  private load(): typeof UiohookModule {
    this.library ??= createRequire(import.meta.url)('uiohook-napi') as typeof UiohookModule;
    return this.library;
  }
}
