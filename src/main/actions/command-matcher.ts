import { distance } from 'fastest-levenshtein';
import type { SlotType } from '../../shared/commands';

/** A phrase to listen for, and the command it stands for (a command may have several). */
export interface CommandPhrase {
  command: string;
  phrase: string;
}

/** The names a `{profile}` or `{view}` slot accepts: the value reported, and the words that say it. */
export type SlotVocabulary = Record<Exclude<SlotType, 'text'>, { value: string; words: string }[]>;

export interface CommandMatch {
  command: string;
  phrase: string;
  slots: Record<string, string>;
  /** 1 − (word edits ÷ words compared): 1 is exact. */
  score: number;
}

/**
 * Words that change nothing in a command ("switch to *the* low latency profile, *please*"): left
 * out of both the phrase and what was heard before they are compared.
 */
const FILLERS = new Set(['the', 'a', 'an', 'please', 'um', 'uh', 'er', 'now', 'my']);

/** A word of what was heard, with where it stands in the text (a `{text}` slot keeps the text as said). */
interface Token {
  word: string;
  start: number;
  end: number;
}

/** Words as compared: lower case, accents and apostrophes kept out ("Low-latency" → low, latency). */
export function commandWords(text: string, keepFillers = false): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu)) {
    const word = match[0].normalize('NFKD').replace(/\p{M}/gu, '').replace(/['’]/g, '').toLowerCase();
    if (keepFillers || !FILLERS.has(word))
      tokens.push({ word, start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/**
 * What one word heard instead of another costs: nothing when equal, half an edit when it is a
 * near spelling of it (Whisper's "latancy" for "latency": at most a third of the letters
 * differ, in words of four letters or more), a whole edit otherwise.
 */
function wordCost(expected: string, heard: string): number {
  if (expected === heard) return 0;
  const longest = Math.max(expected.length, heard.length);
  return longest >= 4 && distance(expected, heard) / longest <= 1 / 3 ? 0.5 : 1;
}

type Element =
  | { kind: 'word'; word: string }
  | { kind: 'choice'; slot: string; options: { value: string; words: string[] }[] }
  | { kind: 'text'; slot: string };

function elementsOf(phrase: string, vocabulary: SlotVocabulary): Element[] {
  const elements: Element[] = [];
  for (const part of phrase.split(/(\{[a-z]+\})/)) {
    const slot = /^\{([a-z]+)\}$/.exec(part)?.[1];
    if (slot === 'text') elements.push({ kind: 'text', slot });
    else if (slot === 'profile' || slot === 'view') {
      const options = vocabulary[slot].map((o) => ({
        value: o.value,
        words: commandWords(o.words).map((t) => t.word),
      }));
      elements.push({ kind: 'choice', slot, options: options.filter((o) => o.words.length > 0) });
    } else for (const token of commandWords(part)) elements.push({ kind: 'word', word: token.word });
  }
  return elements;
}

interface Cell {
  cost: number;
  /** Words of the phrase compared (its own words, and a chosen name's). */
  compared: number;
  /** Words heard that a `{text}` slot took. */
  free: number;
  slots: Record<string, [number, number] | string>;
}

/**
 * How well the heard words say the phrase: an alignment with the fewest word edits (a missing,
 * extra or different word costs one; a near spelling half). A `{profile}` or `{view}` slot must
 * be one of its names, each word at worst a near spelling: "low battery" is no profile, however
 * close the rest is. A `{text}` slot takes one or more words and costs nothing.
 */
function matchPhrase(elements: Element[], heard: Token[]): (Omit<Cell, 'cost'> & { score: number }) | null {
  const n = heard.length;
  const m = elements.length;
  // best[i][j]: the cheapest way to say elements[0..i) with heard[0..j).
  const best: (Cell | undefined)[][] = Array.from({ length: m + 1 }, () => new Array<Cell | undefined>(n + 1));
  best[0]![0] = { cost: 0, compared: 0, free: 0, slots: {} };
  const offer = (i: number, j: number, cell: Cell) => {
    const current = best[i]![j];
    if (!current || cell.cost < current.cost) best[i]![j] = cell;
  };
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= n; j++) {
      const here = best[i]![j];
      if (!here) continue;
      // A word heard that the phrase does not have.
      if (j < n) offer(i, j + 1, { ...here, cost: here.cost + 1 });
      if (i === m) continue;
      const element = elements[i]!;
      if (element.kind === 'word') {
        offer(i + 1, j, { ...here, cost: here.cost + 1, compared: here.compared + 1 });
        if (j < n)
          offer(i + 1, j + 1, {
            ...here,
            cost: here.cost + wordCost(element.word, heard[j]!.word),
            compared: here.compared + 1,
          });
      } else if (element.kind === 'text') {
        for (let k = 1; j + k <= n; k++)
          offer(i + 1, j + k, { ...here, free: here.free + k, slots: { ...here.slots, [element.slot]: [j, j + k] } });
      } else {
        for (const option of element.options) {
          const k = option.words.length;
          if (j + k > n) continue;
          const costs = option.words.map((word, w) => wordCost(word, heard[j + w]!.word));
          if (costs.some((c) => c === 1)) continue;
          offer(i + 1, j + k, {
            cost: here.cost + costs.reduce((a, b) => a + b, 0),
            compared: here.compared + k,
            free: here.free,
            slots: { ...here.slots, [element.slot]: option.value },
          });
        }
      }
    }
  }
  const end = best[m]![n];
  if (!end || end.compared === 0) return null;
  const denominator = Math.max(end.compared, n - end.free);
  return { ...end, score: Math.max(0, 1 - end.cost / denominator) };
}

/**
 * The command the text says, if any phrase scores at least `threshold`: the best score wins, and
 * on a tie the longer phrase (more said, less guessed). `leading` words (the wake phrase, which
 * the pre-roll may catch: "Jarvis, switch to…") are dropped from the start first.
 */
export function matchCommand(
  text: string,
  phrases: readonly CommandPhrase[],
  vocabulary: SlotVocabulary,
  threshold: number,
  leading: readonly string[] = [],
): CommandMatch | null {
  const heard = dropLeading(commandWords(text), leading);
  let found: (CommandMatch & { compared: number }) | null = null;
  for (const { command, phrase } of phrases) {
    const result = matchPhrase(elementsOf(phrase, vocabulary), heard);
    if (!result || result.score < threshold) continue;
    if (found && (result.score < found.score || (result.score === found.score && result.compared <= found.compared)))
      continue;
    const slots: Record<string, string> = {};
    for (const [slot, value] of Object.entries(result.slots))
      slots[slot] = typeof value === 'string' ? value : text.slice(heard[value[0]]!.start, heard[value[1] - 1]!.end);
    found = { command, phrase, slots, score: Number(result.score.toFixed(3)), compared: result.compared };
  }
  if (!found) return null;
  const { compared: _, ...match } = found;
  return match;
}

/** The text after a leading word (the command prefix), or null when it does not start with it. */
export function afterPrefix(text: string, prefix: string): string | null {
  const words = commandWords(prefix).map((t) => t.word);
  // Fillers count here: "The command was clear." does not start with "command".
  const heard = commandWords(text, true);
  if (words.length === 0 || heard.length < words.length) return null;
  if (words.some((word, i) => wordCost(word, heard[i]!.word) === 1)) return null;
  const rest = heard[words.length];
  return rest ? text.slice(rest.start) : '';
}

function dropLeading(heard: Token[], leading: readonly string[]): Token[] {
  let from = 0;
  for (const word of leading) {
    if (from < heard.length && wordCost(word, heard[from]!.word) < 1) from++;
  }
  return from > 0 ? heard.slice(from) : heard;
}
