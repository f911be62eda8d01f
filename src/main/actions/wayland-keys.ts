import type { KeySender, PasteShortcut } from './desktop';
import { runTool } from './run-tool';

/**
 * wtype: a virtual keyboard on wlroots compositors (Sway, Hyprland, river…); GNOME and KDE do
 * not offer that protocol, and it fails there with its own message.
 */
export class WtypeKeys implements KeySender {
  readonly name = 'wtype';

  async paste(shortcut: PasteShortcut): Promise<void> {
    const modifiers = shortcut === 'ctrl+shift+v' ? ['ctrl', 'shift'] : [shortcut === 'cmd+v' ? 'logo' : 'ctrl'];
    await runTool('wtype', [
      ...modifiers.flatMap((m) => ['-M', m]),
      'v',
      ...modifiers.reverse().flatMap((m) => ['-m', m]),
    ]);
  }

  async type(text: string): Promise<void> {
    await runTool('wtype', ['--', text], { timeoutMs: 60_000 });
  }

  async backspace(count: number): Promise<void> {
    if (count > 0) await runTool('wtype', Array.from({ length: count }, () => ['-k', 'BackSpace']).flat());
  }
}

/** Linux input event codes (linux/input-event-codes.h), which ydotool takes. */
const KEY = { leftCtrl: 29, leftShift: 42, leftMeta: 125, v: 47, backspace: 14 } as const;

/**
 * ydotool: keys through the kernel's uinput, so it works on every compositor, given its daemon
 * (ydotoold) runs with access to /dev/uinput.
 */
export class YdotoolKeys implements KeySender {
  readonly name = 'ydotool';

  async paste(shortcut: PasteShortcut): Promise<void> {
    const modifiers =
      shortcut === 'ctrl+shift+v'
        ? [KEY.leftCtrl, KEY.leftShift]
        : [shortcut === 'cmd+v' ? KEY.leftMeta : KEY.leftCtrl];
    const keys = [...modifiers, KEY.v];
    await runTool('ydotool', ['key', ...keys.map((k) => `${k}:1`), ...keys.reverse().map((k) => `${k}:0`)]);
  }

  async type(text: string): Promise<void> {
    await runTool('ydotool', ['type', '--', text], { timeoutMs: 60_000 });
  }

  async backspace(count: number): Promise<void> {
    if (count > 0)
      await runTool('ydotool', [
        'key',
        ...Array.from({ length: count }, () => [`${KEY.backspace}:1`, `${KEY.backspace}:0`]).flat(),
      ]);
  }
}
