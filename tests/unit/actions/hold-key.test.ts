// The hold key's rules: names and chords people write, press when the whole chord is down, release or tap (by the hold's length) when any key comes up, key repeat ignored; and where a global hold key cannot work (no X display, Wayland), said before the native hook could abort the process.
import { describe, expect, it } from 'vitest';
import { HoldKeyTracker, holdKeyUnavailable } from '../../../src/main/actions/hold-key';
import { parseHoldKey } from '../../../src/shared/hold-key';

/** A tracker fed events stamped with a clock the test sets (the X server's timestamps, live). */
function tracker(keycodes: number[], tapMs = 250) {
  let now = 0;
  const events: string[] = [];
  const inner = new HoldKeyTracker(
    keycodes,
    { press: () => events.push('press'), release: () => events.push('release'), tap: () => events.push('tap') },
    tapMs,
  );
  const t = { keyDown: (code: number) => inner.keyDown(code, now), keyUp: (code: number) => inner.keyUp(code, now) };
  return { t, events, at: (ms: number) => (now = ms) };
}

describe('hold key', () => {
  it('reads key names, aliases and two-key chords, and refuses the rest with what to write', () => {
    expect(parseHoldKey('RightCtrl').keys).toEqual(['CtrlRight']);
    expect(parseHoldKey('altgr').keys).toEqual(['AltRight']);
    expect(parseHoldKey('Ctrl + Space').keys).toEqual(['Ctrl', 'Space']);
    expect(parseHoldKey('F9').keys).toEqual(['F9']);
    expect(parseHoldKey('q').keys).toEqual(['Q']);
    expect(parseHoldKey('7').keys).toEqual([7]);
    expect(() => parseHoldKey('Ctrl+Alt+Delete')).toThrow(/not one key or a chord of two/);
    expect(() => parseHoldKey('Ctrl+')).toThrow(/not one key or a chord of two/);
    expect(() => parseHoldKey('Hyper')).toThrow(/names no key Earshot knows \("Hyper"\)/);
  });

  it('presses on the key, releases after a hold, and calls a short one a tap', () => {
    const { t, events, at } = tracker([3613]);
    t.keyDown(3613);
    at(100);
    t.keyDown(3613); // key repeat
    t.keyUp(3613);
    at(1000);
    t.keyDown(3613);
    at(1250);
    t.keyUp(3613);
    t.keyUp(3613); // a stray second up
    t.keyDown(30); // another key
    expect(events).toEqual(['press', 'tap', 'press', 'release']);
  });

  it('drops the press when another key goes down while it is held: that is a shortcut, not talk', () => {
    const { t, events, at } = tracker([3613]);
    t.keyDown(3613);
    at(600);
    t.keyDown(46); // C: Right Ctrl + C
    t.keyUp(46);
    at(900);
    t.keyUp(3613);
    expect(events).toEqual(['press', 'tap']);
  });

  it('presses a chord once both keys are down, in either order, and ends it when either comes up', () => {
    const { t, events, at } = tracker([29, 57]);
    t.keyDown(57);
    expect(events).toEqual([]);
    t.keyDown(29);
    at(400);
    t.keyUp(57);
    t.keyUp(29);
    t.keyDown(29);
    t.keyDown(57);
    at(500);
    t.keyUp(29);
    expect(events).toEqual(['press', 'release', 'press', 'tap']);
  });

  it('says why it cannot work without an X display or on Wayland, and nothing on an X session or another platform', () => {
    expect(holdKeyUnavailable({}, 'linux')).toBe('A hold key needs an X11 desktop session, and DISPLAY is not set.');
    expect(holdKeyUnavailable({ DISPLAY: ':987' }, 'linux')).toMatch(/no X server answers on DISPLAY=:987/);
    expect(holdKeyUnavailable({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toMatch(/use the toggle shortcut/);
    expect(holdKeyUnavailable({ DISPLAY: ':0', XDG_SESSION_TYPE: 'wayland' }, 'linux')).toMatch(/Wayland/);
    expect(holdKeyUnavailable({ DISPLAY: 'remote-host:10.0' }, 'linux')).toBeNull();
    expect(holdKeyUnavailable({}, 'win32')).toBeNull();
  });
});
