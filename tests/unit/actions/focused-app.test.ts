// The focused window: terminals by class, the exclusion list by class or a word of the title, and xprop's and xclip's answers read right.
import { describe, expect, it } from 'vitest';
import { appName, isTerminal, matchingExclusion } from '../../../src/main/actions/focused-app';
import { parseXprop, targetToKeep, typingParts } from '../../../src/main/actions/x11-desktop';
import { DEFAULT_EXCLUDED_APPS } from '../../../src/shared/settings';

const app = (classes: string[], title: string | null = null) => ({ id: '42', classes, title });

describe('the focused app', () => {
  it('knows terminals by their window class', () => {
    expect(isTerminal(app(['xterm', 'xterm']))).toBe(true);
    expect(isTerminal(app(['gnome-terminal-server', 'gnome-terminal-server']))).toBe(true);
    expect(isTerminal(app(['org.wezfurlong.wezterm']))).toBe(true);
    expect(isTerminal(app(['gedit', 'org.gnome.gedit'], 'xterm notes.txt'))).toBe(false);
  });

  it('excludes password managers by class or by a whole word of the title, in any case', () => {
    expect(matchingExclusion(app(['keepassxc', 'keepassxc'], 'Passwords.kdbx'), DEFAULT_EXCLUDED_APPS)).toBe(
      'keepassxc',
    );
    expect(matchingExclusion(app(['firefox', 'firefox'], 'Bitwarden Web Vault — Firefox'), DEFAULT_EXCLUDED_APPS)).toBe(
      'bitwarden',
    );
    expect(matchingExclusion(app(['signal', 'Signal']), ['  Signal '])).toBe('  Signal ');
    // A word inside another word is not that word; an empty rule matches nothing.
    expect(matchingExclusion(app(['gedit'], 'notes-about-keepassxcfoo.txt'), DEFAULT_EXCLUDED_APPS)).toBeNull();
    expect(matchingExclusion(app(['gedit'], 'a.txt'), ['', ' '])).toBeNull();
  });

  it('is named by its class, else its title, else its window id', () => {
    expect(appName(app(['zenity', 'zenity']))).toBe('zenity');
    expect(appName(app([], 'Untitled'))).toBe('Untitled');
    expect(appName(app([]))).toBe('window 42');
  });

  it("reads xprop's class and title, escaped quotes and non-ASCII included", () => {
    const output = ['WM_CLASS = "zenity", "Zenity"', '_NET_WM_NAME = "Café \\"ünïcode\\""', 'WM_NAME = "Cafe"'].join(
      '\n',
    );
    expect(parseXprop(output)).toEqual({ classes: ['zenity', 'zenity'], title: 'Café "ünïcode"' });
    expect(parseXprop('WM_CLASS:  not found.\nWM_NAME = "xterm"')).toEqual({ classes: [], title: 'xterm' });
    expect(parseXprop('')).toEqual({ classes: [], title: null });
  });

  it("keeps the clipboard's text when it has one, else its image, else its first format", () => {
    expect(targetToKeep(['TARGETS', 'TIMESTAMP', 'text/html', 'UTF8_STRING', 'STRING'])).toBe('UTF8_STRING');
    expect(targetToKeep(['TARGETS', 'text/html', 'text/plain'])).toBe('text/plain');
    expect(targetToKeep(['TARGETS', 'image/png', 'image/bmp'])).toBe('image/png');
    expect(targetToKeep(['TARGETS', 'application/x-color'])).toBe('application/x-color');
    expect(targetToKeep(['TARGETS', 'TIMESTAMP'])).toBeNull();
  });
});

describe('typing with xdotool', () => {
  it('sends capitals that are not on the layout as Shift and their Unicode keysym, and the rest as text', () => {
    expect(typingParts('Ça va, Ñandú? OK.')).toEqual([
      { type: 'capital', keysym: 'U00C7' },
      { type: 'text', text: 'a va, ' },
      { type: 'capital', keysym: 'U00D1' },
      { type: 'text', text: 'andú? OK.' },
    ]);
    expect(typingParts('東京 ß\n')).toEqual([{ type: 'text', text: '東京 ß\n' }]);
  });
});
