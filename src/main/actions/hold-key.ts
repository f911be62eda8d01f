import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as UiohookModule from 'uiohook-napi';
import { AppError } from '../../shared/errors';
import { DEFAULT_TAP_MS, type HoldKeySpec } from '../../shared/hold-key';

type Uiohook = typeof UiohookModule;
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
 * (more downs while held) changes nothing; another key pressed meanwhile makes it a shortcut,
 * dropped like a tap. A hold is timed with the events' own timestamps (the
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
    if (!this.keycodes.includes(keycode)) {
      // Another key while it is held: a shortcut (Right Ctrl + C), not talk. What the press began goes.
      if (this.pressedAt !== undefined) {
        this.pressedAt = undefined;
        this.events.tap();
      }
      return;
    }
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
