/** How a final transcript becomes the text put where the cursor is. */
export interface DictationStyle {
  /** Keep the full stop Whisper ends a sentence with; off for chat apps and search boxes. */
  keepTrailingPeriod: boolean;
  /** The text continues what the last dictation put into the same window: it starts with a space. */
  joinsSentence: boolean;
}

/**
 * "new line" and "new paragraph" (Whisper writes them as words, often with punctuation around:
 * "Hello. New line. World."). The punctuation before stays (it ends the previous sentence); the
 * punctuation after is what Whisper puts around a spoken command, and goes.
 */
const SPOKEN_BREAK = /[ \t]*\bnew[ -]?(line|paragraph)\b[.,;:!?]*[ \t]*/gi;

/** The text to type or paste for a final: spoken line breaks, the trailing full stop, the joining space. */
export function dictationText(final: string, style: DictationStyle): string {
  let text = final
    .trim()
    .replace(SPOKEN_BREAK, (_match, kind: string) => (kind.toLowerCase() === 'paragraph' ? '\n\n' : '\n'))
    // A line after a spoken break starts like a sentence.
    .replace(/\n([a-z])/g, (_match, letter: string) => `\n${letter.toUpperCase()}`);
  // "…" and "etc..." are not a sentence's full stop; only a single one goes.
  if (!style.keepTrailingPeriod && /[^.]\.$/.test(text)) text = text.slice(0, -1);
  if (style.joinsSentence && text !== '' && !text.startsWith('\n')) text = ` ${text}`;
  return text;
}
