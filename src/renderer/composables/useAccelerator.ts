/** Keys named as Electron accelerators name them, when the event's own name differs. */
const NAMED: Record<string, string> = {
  ' ': 'Space',
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Escape: 'Esc',
  Enter: 'Enter',
  Tab: 'Tab',
  Backspace: 'Backspace',
  Delete: 'Delete',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
};
const MODIFIER_KEYS = new Set(['Control', 'Alt', 'Shift', 'Meta', 'AltGraph', 'OS']);

/**
 * The accelerator a key press makes ("Ctrl+Shift+K"), or null while only modifiers are down.
 * Letters and digits come from the key's position (`code`), so the shortcut is the same on every
 * keyboard layout, as Electron registers it. Main checks the result with the accelerator rules.
 */
export function acceleratorFromEvent(
  event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey'>,
): string | null {
  if (MODIFIER_KEYS.has(event.key)) return null;
  const letter = /^Key([A-Z])$/.exec(event.code)?.[1] ?? /^Digit(\d)$/.exec(event.code)?.[1];
  const key = letter ?? (/^F\d{1,2}$/.test(event.key) ? event.key : NAMED[event.key]);
  if (!key) return null;
  const modifiers = [
    event.ctrlKey && 'Ctrl',
    event.altKey && 'Alt',
    event.shiftKey && 'Shift',
    event.metaKey && 'Super',
  ];
  return [...modifiers.filter(Boolean), key].join('+');
}
