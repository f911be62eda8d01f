import which from 'which';
import { cacheDir } from '../settings/config-dir';
import { SystemClipboard, type Clipboard } from './clipboard';
import type { Desktop, KeySender, PasteClipboard } from './desktop';
import { TextPasteClipboard, type TextClipboardAccess } from './text-paste-clipboard';
import { UiohookKeys } from './uiohook-keys';
import { WtypeKeys, YdotoolKeys } from './wayland-keys';
import { x11FocusedApp, XclipPasteClipboard, XdotoolKeys } from './x11-desktop';
import { isX11Session, XselClipboard } from './xsel-clipboard';

/** What the Electron app replaces: its own clipboard, and knowing when its window has the focus. */
export interface DesktopOverrides {
  clipboard?: Clipboard;
  /** The clipboard for a paste, where the host reads and writes more formats than text. */
  pasteClipboard?: PasteClipboard;
  ownWindowFocused?: () => boolean;
}

/** The text clipboard through clipboardy (wl-clipboard, pbcopy, PowerShell), loaded on first use. */
const clipboardy: TextClipboardAccess = {
  readText: async () => (await import('clipboardy')).default.read(),
  writeText: async (text) => (await import('clipboardy')).default.write(text),
};

/**
 * The desktop as this platform offers it, for putting text where the cursor is.
 * - X11: xdotool sends the keys, xclip saves and restores the clipboard (and sees the app read
 *   it), xprop names the focused window (for terminals and exclusions).
 * - Wayland: apps cannot send keys to other apps; wtype (wlroots compositors) or ydotool (any,
 *   with its daemon) when installed, else the clipboard. The focused window cannot be known, so
 *   exclusions and the terminal paste key do not apply.
 * - macOS and Windows: the paste keystroke through uiohook-napi; text keystrokes are pasted.
 * - No display at all (a terminal over SSH): the history only.
 */
export function systemDesktop(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  overrides: DesktopOverrides = {},
): Desktop {
  const onPath = (tool: string): boolean => which.sync(tool, { nothrow: true, path: env.PATH }) !== null;
  const clipboard = overrides.clipboard ?? new SystemClipboard();
  const textPaste = overrides.pasteClipboard ?? new TextPasteClipboard(clipboardy);
  const base = { clipboard, ownWindowFocused: overrides.ownWindowFocused, focusedApp: () => Promise.resolve(null) };
  if (platform === 'darwin' || platform === 'win32') {
    return {
      ...base,
      keys: new UiohookKeys(),
      keysUnavailable: null,
      keysFallback: 'clipboard',
      pasteClipboard: textPaste,
      pasteClipboardUnavailable: null,
      pasteShortcut: platform === 'darwin' ? 'cmd+v' : 'ctrl+v',
    };
  }
  if (isX11Session(platform, env)) {
    const xclip = onPath('xclip');
    return {
      ...base,
      focusedApp: () => x11FocusedApp(env),
      keys: onPath('xdotool') ? new XdotoolKeys(env) : null,
      keysUnavailable: 'Typing into other apps needs xdotool: install it (sudo apt install xdotool).',
      keysFallback: 'clipboard',
      pasteClipboard:
        overrides.pasteClipboard ?? (xclip ? new XclipPasteClipboard(new XselClipboard(cacheDir(), env), env) : null),
      pasteClipboardUnavailable:
        'Pasting needs xclip to save and restore the clipboard: install it (sudo apt install xclip).',
      pasteShortcut: 'ctrl+v',
    };
  }
  if (env.WAYLAND_DISPLAY || env.XDG_SESSION_TYPE === 'wayland') {
    const keys: KeySender | null = onPath('wtype') ? new WtypeKeys() : onPath('ydotool') ? new YdotoolKeys() : null;
    return {
      ...base,
      keys,
      keysUnavailable:
        'On Wayland, apps cannot send keys to other apps: install wtype (Sway, Hyprland and other wlroots desktops) or ydotool (any desktop, with its daemon running).',
      keysFallback: 'clipboard',
      pasteClipboard: textPaste,
      pasteClipboardUnavailable: null,
      pasteShortcut: 'ctrl+v',
    };
  }
  return {
    ...base,
    keys: null,
    keysUnavailable:
      'There is no desktop session here (DISPLAY and WAYLAND_DISPLAY are not set): transcripts are saved in the history only.',
    // Copying would fail on every final too: the clipboard output alone says so.
    keysFallback: 'history',
    pasteClipboard: null,
    pasteClipboardUnavailable: null,
    pasteShortcut: 'ctrl+v',
  };
}
