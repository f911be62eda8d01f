import type { UiohookKey } from 'uiohook-napi';
import { AppError } from './errors';

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

/** uiohook-napi's name of a key (a type only: this module runs in the renderer too). */
export type HoldKeyName = keyof typeof UiohookKey;

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
] as const satisfies readonly HoldKeyName[];
const KEY_NAMES = new Map<string, HoldKeyName>(
  [
    ...NAMED_KEYS,
    ...Array.from({ length: 24 }, (_, i) => `F${i + 1}` as HoldKeyName),
    ...Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i) as HoldKeyName),
    ...Array.from({ length: 10 }, (_, i) => i as HoldKeyName),
  ].map((name) => [String(name).toLowerCase(), name]),
);

export interface HoldKeySpec {
  /** As the user wrote it, for messages. */
  text: string;
  keys: HoldKeyName[];
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
