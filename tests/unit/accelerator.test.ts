// Global shortcut accelerators: Electron's grammar, normalised, and the modifier rule for global keys.
import { describe, expect, it } from 'vitest';
import { checkAccelerator } from '../../src/shared/accelerator';

describe('checkAccelerator', () => {
  it.each([
    ['CommandOrControl+Shift+Space', 'CommandOrControl+Shift+Space'],
    ['cmdorctrl+shift+space', 'CommandOrControl+Shift+Space'],
    ['Ctrl+Alt+k', 'Control+Alt+K'],
    ['Option+Meta+f12', 'Alt+Super+F12'],
    ['Ctrl++', 'Control+Plus'],
    ['Shift+/', 'Shift+/'],
    ['F13', 'F13'],
    ['MediaPlayPause', 'MediaPlayPause'],
    [' Alt + 1 ', 'Alt+1'],
  ])('accepts %s as %s', (text, normalised) => {
    expect(checkAccelerator(text)).toEqual({ ok: true, accelerator: normalised });
  });

  it.each([
    ['', 'has an empty part'],
    ['Ctrl+', 'has an empty part'],
    ['Ctrl+Shift', 'needs a key besides its modifiers'],
    ['Ctrl+A+B', 'use one key'],
    ['Ctrl+Ctrl+A', 'Control appears twice'],
    ['Ctrl+Hyper+A', '"Hyper" is not a key Electron knows'],
    ['Ctrl+F25', '"F25" is not a key'],
    ['Space', 'Space alone would be taken from every other app'],
    ['a', 'A alone would be taken'],
    ['F5', 'F5 alone'],
  ])('refuses %j: %s', (text, reason) => {
    const check = checkAccelerator(text);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toContain(reason);
  });
});
