import type { Tensor } from 'onnxruntime-node';
import { applyLogitRules, logSumExp, type DecodingTokens } from './logit-rules';
import type { DecoderCache, WhisperDecoder } from './whisper-decoder';

export interface DecodeOptions {
  /** The start sequence: [<|startofprev|> prompt…] <|startoftranscript|> [<|lang|> <|task|>] [<|notimestamps|>]. */
  start: readonly number[];
  /** Index of <|startoftranscript|> in `start`: its logits give the no-speech probability. */
  sotIndex: number;
  timestamps: boolean;
  /** 0: the likeliest token (or beam search); above 0: sampled at this temperature. */
  temperature: number;
  /** 1: greedy. Used only at temperature 0, as Whisper does. */
  beamSize: number;
  /** Most tokens to sample (Whisper: half the decoder's context). */
  maxTokens: number;
  /** For sampling at temperature > 0 (seeded, so a run is repeatable). */
  random: () => number;
  /** Checked before each step. */
  signal?: AbortSignal;
  /**
   * Tokens greedy decoding is expected to give (an earlier partial's): checked in the first
   * decoder run instead of decoded one run per token. Used at temperature 0 with one beam only.
   */
  draft?: readonly number[];
  /**
   * Where the audio in the window ends, in seconds (a fitted window's silent padding follows):
   * a timestamp at or past it ends the pass, as end-of-text would.
   */
  endSeconds?: number;
}

export interface DecodeResult {
  /** Sampled tokens, without the start sequence and end-of-text. */
  tokens: number[];
  /** Mean log-probability per token, end-of-text counted (Whisper's `avg_logprob`). */
  avgLogProb: number;
  /** P(<|nospeech|>) at the start of the transcript; 0 if the model has no such token. */
  noSpeechProb: number;
  temperature: number;
  /** The decoder ran this many times (one per step, per beam). */
  decoderRuns: number;
  /** Decoding stopped on a repetition loop; the repeats were cut. */
  loopCut: boolean;
  /** Draft tokens confirmed without a decoder run of their own. */
  draftAccepted: number;
}

/** A loop: the same n-gram (n ≤ 16) back to back this many times. */
const LOOP_REPEATS = 4;
const LOOP_MAX_NGRAM = 16;

/**
 * How far apart (in logits, after the decoding rules) the likeliest token must be from the next,
 * and the rules' timestamp decision from flipping, for a row computed in a draft's run to be
 * trusted. Rows of one run differ from rows computed one token at a time by float rounding only
 * and its knock-on effects (the decoder quantizes each token on its own: row-quantization.ts);
 * measured up to about 0.45 at the tokens that decided, on 217 clips. A closer call is computed
 * again the way plain greedy decoding computes it.
 */
export const DRAFT_TRUST_MARGIN = 0.5;

interface Hypothesis {
  tokens: number[];
  sumLogProb: number;
  cache: DecoderCache;
  logits: Float32Array;
  /**
   * Set while the hypothesis follows a draft run: its cache covers the whole run (start and
   * draft), and `rows` gives the logits after each draft token.
   */
  draftRun?: { rows: (i: number) => Float32Array; draft: readonly number[] };
}

/**
 * Decodes one window with Whisper's rules: greedy or beam search at temperature 0, sampling
 * above it. Each step feeds only the new token, so past tokens are never recomputed.
 */
export async function decodeWindow(
  decoder: WhisperDecoder,
  encoderOutput: Tensor,
  tokens: DecodingTokens & { noSpeech: number | undefined },
  options: DecodeOptions,
): Promise<DecodeResult> {
  const vocab = decoder.dims.vocabSize;
  const start = options.start;
  const beams = options.temperature === 0 ? Math.max(1, options.beamSize) : 1;
  const maxTokens = Math.min(options.maxTokens, decoder.dims.maxTargetPositions - start.length - 1);
  const draft = beams === 1 && options.temperature === 0 ? (options.draft ?? []).slice(0, maxTokens) : [];
  let runs = 0;
  let draftAccepted = 0;
  // The start tokens (and a draft) go in one run; every step after feeds one token on its cache.
  // (Language identification's run of <|startoftranscript|> is not continued here: several tokens
  // fed in one run on top of a cache decode wrongly with this merged decoder (measured: its cached
  // branch does not keep the new tokens from seeing each other), so drafts always run from the start.)
  const first = await decoder.run([...start, ...draft], encoderOutput, null);
  runs++;
  const row = (i: number) => first.logits.subarray((start.length - 1 + i) * vocab, (start.length + i) * vocab);
  const sotLogits = first.logits.subarray(options.sotIndex * vocab, (options.sotIndex + 1) * vocab);
  const noSpeechProb =
    tokens.noSpeech !== undefined
      ? Math.exp((sotLogits[tokens.noSpeech] as number) - logSumExp(sotLogits, 0, vocab))
      : 0;

  let live: Hypothesis[] = [
    {
      tokens: [],
      sumLogProb: 0,
      cache: first.cache,
      logits: row(0).slice(),
      draftRun: draft.length > 0 ? { rows: row, draft } : undefined,
    },
  ];
  const finished: Hypothesis[] = [];
  let loopCut = false;
  const endsPass = (token: number): boolean =>
    token === tokens.endOfText ||
    (options.endSeconds !== undefined &&
      tokens.timestampBegin !== undefined &&
      token >= tokens.timestampBegin &&
      (token - tokens.timestampBegin) * SECONDS_PER_TIMESTAMP >= options.endSeconds - 1e-6);

  for (let step = 0; step < maxTokens && live.length > 0; step++) {
    options.signal?.throwIfAborted();
    const candidates: { parent: Hypothesis; token: number; sumLogProb: number }[] = [];
    for (const hypothesis of live) {
      let masked = hypothesis.logits.slice(0, vocab);
      let rules = applyLogitRules(masked, hypothesis.tokens, tokens, options.timestamps);
      if (hypothesis.draftRun && !trusted(masked, rules.margin)) {
        // Too close to call on a row of the draft run: decide it on the row plain greedy decoding
        // computes, by feeding the last token alone on the cache of everything before it. The
        // draft run's later rows stay good while the tokens follow the draft (each row sees only
        // the tokens before it), so checking goes on after this one.
        const before = start.length + step - 1;
        const last = step === 0 ? (start.at(-1) as number) : (hypothesis.tokens.at(-1) as number);
        const ran = await decoder.run([last], encoderOutput, decoder.truncate(hypothesis.cache, before));
        runs++;
        masked = ran.logits.slice(0, vocab);
        rules = applyLogitRules(masked, hypothesis.tokens, tokens, options.timestamps);
      }
      const logZ = rules.logZ;
      const picks =
        options.temperature > 0
          ? [sample(masked, options.temperature, options.random)]
          : beams === 1
            ? [topTwo(masked).best]
            : topK(masked, beams + 1);
      for (const token of picks)
        candidates.push({
          parent: hypothesis,
          token,
          sumLogProb: hypothesis.sumLogProb + (masked[token] as number) - logZ,
        });
    }
    candidates.sort((a, b) => b.sumLogProb - a.sumLogProb);
    const next: Hypothesis[] = [];
    for (const c of candidates) {
      if (next.length >= beams) break;
      if (endsPass(c.token)) {
        if (finished.length < beams) finished.push({ ...c.parent, sumLogProb: c.sumLogProb });
        continue;
      }
      const sequence = [...c.parent.tokens, c.token];
      const loop = repetitionLoop(sequence);
      if (loop > 0) {
        // A loop is cut back to its first occurrence and ends the hypothesis.
        loopCut = true;
        finished.push({ ...c.parent, tokens: sequence.slice(0, sequence.length - loop), sumLogProb: c.sumLogProb });
        continue;
      }
      const run = c.parent.draftRun;
      if (run && step < run.draft.length && run.draft[step] === c.token) {
        // The draft holds: the next row is already computed.
        draftAccepted++;
        next.push({
          tokens: sequence,
          sumLogProb: c.sumLogProb,
          cache: c.parent.cache,
          logits: run.rows(step + 1),
          draftRun: run,
        });
        continue;
      }
      const cache = run ? decoder.truncate(c.parent.cache, start.length + step) : c.parent.cache;
      const ran = await decoder.run([c.token], encoderOutput, cache);
      runs++;
      next.push({ tokens: sequence, sumLogProb: c.sumLogProb, cache: ran.cache, logits: ran.logits });
    }
    live = next;
    // Beam search ends when as many hypotheses finished as there are beams (Whisper's patience 1).
    if (finished.length >= beams) break;
  }
  if (finished.length === 0) finished.push(...live); // ran out of tokens
  // Whisper ranks finished hypotheses by mean log-probability (no length penalty).
  const score = (h: Hypothesis) => h.sumLogProb / (h.tokens.length + 1);
  const best = finished.reduce((a, b) => (score(b) > score(a) ? b : a));
  return {
    tokens: best.tokens,
    avgLogProb: score(best),
    noSpeechProb,
    temperature: options.temperature,
    decoderRuns: runs,
    loopCut,
    draftAccepted,
  };
}

/** Timestamp tokens are 20 ms apart. */
const SECONDS_PER_TIMESTAMP = 0.02;

/** The likeliest token leads the next by the trust margin, and the rules' decision was not close. */
function trusted(masked: Float32Array, ruleMargin: number): boolean {
  if (ruleMargin < DRAFT_TRUST_MARGIN) return false;
  const { best, second } = topTwo(masked);
  return (masked[best] as number) - second >= DRAFT_TRUST_MARGIN;
}

/** The index of the largest value, and the next largest value. */
function topTwo(values: Float32Array): { best: number; second: number } {
  let best = 0;
  let top = -Infinity;
  let second = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v > top) {
      second = top;
      top = v;
      best = i;
    } else if (v > second) second = v;
  }
  return { best, second };
}

/** Indices of the k largest finite values, largest first. */
function topK(values: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v === -Infinity) continue;
    if (best.length < k || v > (values[best[best.length - 1] as number] as number)) {
      let at = best.length < k ? best.length : k - 1;
      while (at > 0 && (values[best[at - 1] as number] as number) < v) at--;
      best.splice(at, 0, i);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

/** A token drawn from softmax(logits / temperature). */
function sample(logits: Float32Array, temperature: number, random: () => number): number {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  let total = 0;
  const weights = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) {
    const w = Math.exp(((logits[i] as number) - max) / temperature);
    weights[i] = w;
    total += w;
  }
  let r = random() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i] as number;
    if (r <= 0 && (weights[i] as number) > 0) return i;
  }
  return max === -Infinity ? 0 : logits.indexOf(max);
}

/**
 * Tokens to drop when the sequence ends in a loop: an n-gram repeated LOOP_REPEATS times back to
 * back (one-token loops need twice as many, since a word can legitimately repeat a few times).
 * Returns how many trailing tokens are repeats, or 0.
 */
export function repetitionLoop(sequence: readonly number[]): number {
  for (let n = 1; n <= LOOP_MAX_NGRAM; n++) {
    const repeats = n === 1 ? LOOP_REPEATS * 2 : LOOP_REPEATS;
    if (sequence.length < n * repeats) break;
    let loop = true;
    const end = sequence.length;
    for (let r = 1; r < repeats && loop; r++)
      for (let i = 0; i < n; i++)
        if (sequence[end - 1 - i] !== sequence[end - 1 - i - r * n]) {
          loop = false;
          break;
        }
    if (loop) return n * (repeats - 1);
  }
  return 0;
}
