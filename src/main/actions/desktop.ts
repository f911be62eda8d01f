import type { Clipboard } from './clipboard';
import type { FocusedApp } from './focused-app';

/** The paste keystroke: Ctrl+V, Ctrl+Shift+V in terminals, Cmd+V on macOS. */
export type PasteShortcut = 'ctrl+v' | 'ctrl+shift+v' | 'cmd+v';

/** Key events sent to whatever app has the focus. */
export interface KeySender {
  /** The tool or library, for messages ("xdotool"). */
  readonly name: string;
  paste(shortcut: PasteShortcut): Promise<void>;
  /** Types text as keystrokes; absent where the tool cannot type arbitrary text. */
  type?(text: string): Promise<void>;
  /** Deletes what was just put in ("scratch that"). */
  backspace(count: number): Promise<void>;
  /** Presses a key combination (`ctrl+alt+t`); absent where the tool cannot. */
  press?(combo: string): Promise<void>;
}

/** One format of the clipboard's content, as the platform names it (`UTF8_STRING`, `image/png`, `text/html`). */
export interface ClipboardFormat {
  type: string;
  data: Buffer;
}

/** What the clipboard held before a paste; no formats: it was empty. */
export interface SavedClipboard {
  formats: ClipboardFormat[];
}

/** Text offered on the clipboard for one paste. */
export interface OfferedText {
  /**
   * Sends the paste keystroke (`paste`) and resolves true once the focused app has read the text
   * (where the platform lets Earshot see the request; elsewhere after a fixed, measured delay),
   * false when `maxMs` passed first. Only reads from the keystroke on count: a clipboard manager
   * reads every new content as soon as it is offered.
   */
  readAfter(paste: () => Promise<void>, maxMs: number): Promise<boolean>;
}

/** The clipboard as a paste uses it: save everything, offer the text, put everything back. */
export interface PasteClipboard {
  save(): Promise<SavedClipboard>;
  offer(text: string): Promise<OfferedText>;
  restore(saved: SavedClipboard): Promise<void>;
}

/**
 * What putting text where the cursor is needs from the desktop. The composition root builds it
 * for the platform (X11, Wayland, macOS, Windows, the Electron app); each part may be missing,
 * and then says why.
 */
export interface Desktop {
  /** The focused window, or null where the platform cannot tell (Wayland) or nothing has the focus. */
  focusedApp(): Promise<FocusedApp | null>;
  /** True while Earshot's own window has the focus: nothing is typed into it. */
  ownWindowFocused?(): boolean;
  keys: KeySender | null;
  /** Why there is no key sender (shown once). */
  keysUnavailable: string | null;
  /** Where paste and type go without a key sender: the clipboard, or (no display at all) only the history. */
  keysFallback: 'clipboard' | 'history';
  pasteClipboard: PasteClipboard | null;
  /** Why a paste cannot save and restore the clipboard here. */
  pasteClipboardUnavailable: string | null;
  /** Plain copy, for the `clipboard` output and the fallbacks; null: this host has none. */
  clipboard: Clipboard | null;
  /** The platform's paste keystroke for ordinary apps. */
  pasteShortcut: Exclude<PasteShortcut, 'ctrl+shift+v'>;
}

/** A host with no desktop at all (a server, a test's composition root): finals stay in the history. */
export const NO_DESKTOP: Desktop = {
  focusedApp: () => Promise.resolve(null),
  keys: null,
  keysUnavailable: 'This host has no desktop: transcripts are saved in the history only.',
  keysFallback: 'history',
  pasteClipboard: null,
  pasteClipboardUnavailable: null,
  clipboard: null,
  pasteShortcut: 'ctrl+v',
};
