/**
 * Electron accelerators ("CommandOrControl+Shift+Space") for the global push-to-talk shortcut,
 * checked before they reach `globalShortcut.register`, which only answers true or false. The
 * grammar is Electron's; the extra rule is ours: a global shortcut without a modifier would
 * steal a key from every other app, so one is required unless the key is F13–F24 or a media key
 * (keys nobody types).
 */

const MODIFIERS = new Map<string, string>(
  Object.entries({
    command: 'Command',
    cmd: 'Command',
    control: 'Control',
    ctrl: 'Control',
    commandorcontrol: 'CommandOrControl',
    cmdorctrl: 'CommandOrControl',
    alt: 'Alt',
    option: 'Alt',
    altgr: 'AltGr',
    shift: 'Shift',
    super: 'Super',
    meta: 'Super',
  }),
);

const NAMED_KEYS = [
  'Plus',
  'Space',
  'Tab',
  'Capslock',
  'Numlock',
  'Scrolllock',
  'Backspace',
  'Delete',
  'Insert',
  'Return',
  'Enter',
  'Up',
  'Down',
  'Left',
  'Right',
  'Home',
  'End',
  'PageUp',
  'PageDown',
  'Escape',
  'Esc',
  'PrintScreen',
  'num0',
  'num1',
  'num2',
  'num3',
  'num4',
  'num5',
  'num6',
  'num7',
  'num8',
  'num9',
  'numdec',
  'numadd',
  'numsub',
  'nummult',
  'numdiv',
];
const MEDIA_KEYS = [
  'VolumeUp',
  'VolumeDown',
  'VolumeMute',
  'MediaNextTrack',
  'MediaPreviousTrack',
  'MediaStop',
  'MediaPlayPause',
];
const KEYS = new Map<string, string>([...NAMED_KEYS, ...MEDIA_KEYS].map((k) => [k.toLowerCase(), k]));
const PUNCTUATION = new Set([...')!@#$%^&*(:;=<,_->.?/~`[{]}|\\\'"']);

export type AcceleratorCheck = { ok: true; accelerator: string } | { ok: false; reason: string };

/** Validates and normalises an accelerator (modifier and key names in Electron's spelling). */
export function checkAccelerator(text: string): AcceleratorCheck {
  const parts = text.split('+').map((p) => p.trim());
  // "Ctrl++" means Ctrl and the plus key: an empty last part after a trailing "+".
  if (parts.length >= 2 && parts.at(-1) === '' && parts.at(-2) === '') parts.splice(-2, 2, 'Plus');
  if (parts.some((p) => p === '')) return { ok: false, reason: `"${text}" has an empty part` };
  const modifiers: string[] = [];
  const keys: string[] = [];
  for (const part of parts) {
    const modifier = MODIFIERS.get(part.toLowerCase());
    if (modifier) {
      if (modifiers.includes(modifier)) return { ok: false, reason: `${modifier} appears twice` };
      modifiers.push(modifier);
      continue;
    }
    const key = keyName(part);
    if (!key) return { ok: false, reason: `"${part}" is not a key Electron knows` };
    keys.push(key);
  }
  if (keys.length !== 1) {
    return { ok: false, reason: keys.length === 0 ? 'a shortcut needs a key besides its modifiers' : 'use one key' };
  }
  const key = keys[0] as string;
  if (modifiers.length === 0 && !/^F(1[3-9]|2[0-4])$/.test(key) && !MEDIA_KEYS.includes(key)) {
    return { ok: false, reason: `${key} alone would be taken from every other app; add a modifier such as Ctrl` };
  }
  return { ok: true, accelerator: [...modifiers, key].join('+') };
}

function keyName(part: string): string | undefined {
  if (/^[a-z0-9]$/i.test(part)) return part.toUpperCase();
  if (PUNCTUATION.has(part)) return part;
  const fn = /^f([1-9]|1[0-9]|2[0-4])$/i.exec(part);
  if (fn) return `F${fn[1]}`;
  return KEYS.get(part.toLowerCase());
}
