/** Models that spot a command word rather than a wake phrase. */
const COMMAND_MODELS: ReadonlySet<string> = new Set(['timer', 'weather']);

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** A wake-word model id as people say it: `hey_jarvis` → "Hey Jarvis", `timer` → "Timer (command)". */
export function useWakeWordName(id: string): string {
  const name = id.split('_').filter(Boolean).map(capitalise).join(' ');
  return COMMAND_MODELS.has(id) ? `${name} (command)` : name;
}

/** Non-commercial licences (the pretrained openWakeWord heads are CC BY-NC-SA 4.0). */
export function isNonCommercial(licence: string): boolean {
  return /\bNC\b/.test(licence);
}
