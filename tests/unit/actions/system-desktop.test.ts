// The desktop each platform gets: X11 tools, Wayland tools or the clipboard, uiohook on macOS and Windows, the history alone without a display.
import { describe, expect, it } from 'vitest';
import { systemDesktop } from '../../../src/main/actions/system-desktop';
import { UiohookKeys } from '../../../src/main/actions/uiohook-keys';
import { XclipPasteClipboard, XdotoolKeys } from '../../../src/main/actions/x11-desktop';
import { TextPasteClipboard } from '../../../src/main/actions/text-paste-clipboard';

/** A PATH with none of the desktop tools. */
const EMPTY_PATH = '/nonexistent';

describe('systemDesktop', () => {
  it('uses xdotool and xclip on X11, and says what to install when they are missing', () => {
    const x11 = systemDesktop({ DISPLAY: ':0', PATH: process.env.PATH }, 'linux');
    expect(x11.keys).toBeInstanceOf(XdotoolKeys);
    expect(x11.pasteClipboard).toBeInstanceOf(XclipPasteClipboard);
    expect(x11.pasteShortcut).toBe('ctrl+v');
    const bare = systemDesktop({ DISPLAY: ':0', PATH: EMPTY_PATH }, 'linux');
    expect(bare.keys).toBeNull();
    expect(bare.keysUnavailable).toBe('Typing into other apps needs xdotool: install it (sudo apt install xdotool).');
    expect(bare.keysFallback).toBe('clipboard');
    expect(bare.pasteClipboard).toBeNull();
    expect(bare.pasteClipboardUnavailable).toMatch(/needs xclip/);
  });

  it('on Wayland without wtype or ydotool, falls back to the clipboard and says why', async () => {
    const wayland = systemDesktop({ WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0', PATH: EMPTY_PATH }, 'linux');
    expect(wayland.keys).toBeNull();
    expect(wayland.keysUnavailable).toMatch(/^On Wayland, apps cannot send keys to other apps: install wtype/);
    expect(wayland.keysFallback).toBe('clipboard');
    expect(wayland.pasteClipboard).toBeInstanceOf(TextPasteClipboard);
    // Wayland does not tell an app which window has the focus.
    expect(await wayland.focusedApp()).toBeNull();
  });

  it('keeps the history only without any display, and uses uiohook on macOS (Cmd+V) and Windows (Ctrl+V)', () => {
    const none = systemDesktop({ PATH: process.env.PATH }, 'linux');
    expect(none.keys).toBeNull();
    expect(none.keysFallback).toBe('history');
    expect(none.keysUnavailable).toMatch(/^There is no desktop session here/);
    const mac = systemDesktop({}, 'darwin');
    expect(mac.keys).toBeInstanceOf(UiohookKeys);
    expect(mac.pasteShortcut).toBe('cmd+v');
    expect(mac.keys?.type).toBeUndefined();
    expect(systemDesktop({}, 'win32').pasteShortcut).toBe('ctrl+v');
  });
});
