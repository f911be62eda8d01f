/**
 * Word error rate for transcripts: (substitutions + deletions + insertions) / reference words,
 * after the normalisation Whisper's evaluations use in spirit: lower case, punctuation dropped,
 * hyphens split, whitespace collapsed. A word-level Levenshtein distance; small enough that a
 * dependency would not pay for itself.
 */
export function normaliseText(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[-‐–—]/g, ' ')
    .replace(/[^\p{L}\p{N}\s']/gu, '')
    .replace(/'(?!\p{L})|(?<!\p{L})'/gu, '')
    .split(/\s+/)
    .filter((w) => w !== '');
}

export function wordErrors(reference: string, hypothesis: string): { errors: number; words: number } {
  const ref = normaliseText(reference);
  const hyp = normaliseText(hypothesis);
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const substitution = (previous[j - 1] as number) + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      row.push(Math.min(substitution, (previous[j] as number) + 1, (row[j - 1] as number) + 1));
    }
    previous = row;
  }
  return { errors: previous[hyp.length] as number, words: ref.length };
}

/** WER over several pairs: total errors over total reference words. */
export function wordErrorRate(pairs: readonly { reference: string; hypothesis: string }[]): number {
  let errors = 0;
  let words = 0;
  for (const p of pairs) {
    const e = wordErrors(p.reference, p.hypothesis);
    errors += e.errors;
    words += e.words;
  }
  return words === 0 ? 0 : errors / words;
}
