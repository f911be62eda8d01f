import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as UiohookModule from 'uiohook-napi';
import { AppError } from '../../shared/errors';

/** Holds shorter than this are taps: ignored, so a brush of the key makes no empty utterance. */
export const DEFAULT_TAP_MS = 250;

/** Names people write for the keys a hold key is usually on, mapped to uiohook-napi's names. */
const ALIASES: Record<string, string> = {
  rightctrl: 'CtrlRight',
  rightcontrol: 'CtrlRight',
  ctrl: 'Ctrl',
  control: 'Ctrl',
  leftctrl: 'Ctrl',
  rightalt: 'AltRight',
  altgr: 'AltRight',
  leftalt: 'Alt',
  rightshift: 'ShiftRight',
  leftshift: 'Shift',
  rightsuper: 'MetaRight',
  rightmeta: 'MetaRight',
  super: 'Meta',
  win: 'Meta',
  cmd: 'Meta',
};

type Uiohook = typeof UiohookModule;
type KeyName = keyof Uiohook['UiohookKey'];
const requireHere = createRequire(import.meta.url);
let uiohook: Uiohook | undefined;
/**
 * Loaded only once the hold key starts: the library opens the X display as it loads, and without
 * one it prints an error and fails the process's exit code, even when only a name is looked up.
 */
function library(): Uiohook {
  uiohook ??= requireHere('uiohook-napi') as Uiohook;
  return uiohook;
}

/** Keys a hold key can be on, by uiohook-napi's names (the type checker holds them to the library's). */
const NAMED_KEYS = [
  'Ctrl',
  'CtrlRight',
  'Alt',
  'AltRight',
  'Shift',
  'ShiftRight',
  'Meta',
  'MetaRight',
  'Space',
  'Tab',
  'Enter',
  'Escape',
  'Backspace',
  'CapsLock',
  'Insert',
  'Delete',
  'Home',
  'End',
  'PageUp',
  'PageDown',
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'ScrollLock',
  'PrintScreen',
] as const satisfies readonly KeyName[];
const KEY_NAMES = new Map<string, KeyName>(
  [
    ...NAMED_KEYS,
    ...Array.from({ length: 24 }, (_, i) => `F${i + 1}` as KeyName),
    ...Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i) as KeyName),
    ...Array.from({ length: 10 }, (_, i) => i as KeyName),
  ].map((name) => [String(name).toLowerCase(), name]),
);

export interface HoldKeySpec {
  /** As the user wrote it, for messages. */
  text: string;
  keys: KeyName[];
}

/** "RightCtrl", "F9", "Ctrl+Space": one key or a chord of two, by name; a clear error otherwise. */
export function parseHoldKey(text: string): HoldKeySpec {
  const names = text.split('+').map((p) => p.trim());
  if (names.length > 2 || names.some((n) => n === ''))
    throw new AppError(
      'InvalidPayload',
      `The hold key "${text}" is not one key or a chord of two (e.g. RightCtrl, Ctrl+Space).`,
    );
  const keys = names.map((name) => {
    const key = KEY_NAMES.get((ALIASES[name.toLowerCase()] ?? name).toLowerCase());
    if (key === undefined)
      throw new AppError(
        'InvalidPayload',
        `The hold key "${text}" names no key Earshot knows ("${name}"). Use a name such as RightCtrl, RightAlt, F9, Space or A.`,
      );
    return key;
  });
  return { text, keys };
}

/**
 * Why a global hold key cannot work in this desktop session, or null when it can. The library
 * sees key-up events through X11's RECORD extension: without an X display it aborts the whole
 * process instead of failing, so this is checked first; on Wayland apps cannot see other apps'
 * keys at all (the toggle shortcut remains).
 */
export function holdKeyUnavailable(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | null {
  if (platform !== 'linux') return null;
  if (env.XDG_SESSION_TYPE === 'wayland' || (env.WAYLAND_DISPLAY && !env.DISPLAY))
    return 'On Wayland, apps cannot see keys pressed in other apps: use the toggle shortcut instead of a hold key.';
  const display = env.DISPLAY;
  if (!display) return 'A hold key needs an X11 desktop session, and DISPLAY is not set.';
  // A local display ":N" is a socket in /tmp/.X11-unix; a remote one (host:N) is trusted as given.
  const local = /^:(\d+)(\.\d+)?$/.exec(display);
  if (local && !existsSync(`/tmp/.X11-unix/X${local[1]}`))
    return `A hold key needs an X11 desktop session, and no X server answers on DISPLAY=${display}.`;
  return null;
}

export interface HoldKeyEvents {
  /** The key (all keys of a chord) went down. */
  press(): void;
  /** It came up after at least the tap time. */
  release(): void;
  /** It came up sooner: nothing should come of it. */
  tap(): void;
}

/**
 * Press and release from a key's down and up events: the press when every key of the chord is
 * down, the release (or a tap, when held under `tapMs`) when any of them comes up. Key repeat
 * (more downs while held) changes nothing. A hold is timed with the events' own timestamps (the
 * X server's, in ms), not when they reach this process: on a busy machine they arrive late, and a
 * tap must not become an utterance.
 */
export class HoldKeyTracker {
  private readonly down = new Set<number>();
  private pressedAt: number | undefined;

  constructor(
    /** The chord's key codes (one for a single key). */
    private readonly keycodes: readonly number[],
    private readonly events: HoldKeyEvents,
    private readonly tapMs = DEFAULT_TAP_MS,
  ) {}

  keyDown(keycode: number, time: number): void {
    if (!this.keycodes.includes(keycode)) return;
    this.down.add(keycode);
    if (this.pressedAt === undefined && this.keycodes.every((k) => this.down.has(k))) {
      this.pressedAt = time;
      this.events.press();
    }
  }

  keyUp(keycode: number, time: number): void {
    if (!this.keycodes.includes(keycode)) return;
    this.down.delete(keycode);
    const at = this.pressedAt;
    if (at === undefined) return;
    this.pressedAt = undefined;
    if (time - at < this.tapMs) this.events.tap();
    else this.events.release();
  }
}

/**
 * The global hold key: uiohook-napi's key hook, in any app, for as long as `stop` is not called.
 * Throws a clear AppError where it cannot work (see holdKeyUnavailable).
 */
export function startHoldKey(spec: HoldKeySpec, events: HoldKeyEvents, tapMs = DEFAULT_TAP_MS): () => void {
  const why = holdKeyUnavailable();
  if (why) throw new AppError('DeviceUnavailable', why);
  const { uIOhook, UiohookKey } = library();
  const tracker = new HoldKeyTracker(
    spec.keys.map((key) => UiohookKey[key]),
    events,
    tapMs,
  );
  const down = (e: { keycode: number; time: number }) => tracker.keyDown(e.keycode, e.time);
  const up = (e: { keycode: number; time: number }) => tracker.keyUp(e.keycode, e.time);
  uIOhook.on('keydown', down);
  uIOhook.on('keyup', up);
  uIOhook.start();
  return () => {
    uIOhook.off('keydown', down);
    uIOhook.off('keyup', up);
    uIOhook.stop();
  };
}
