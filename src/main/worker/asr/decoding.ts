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
  /** The decoder ran this many times: the start run, then one per step (a batched step of several hypotheses counts once). */
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

/** The common part of every decoding: the start tokens' run and the rules that end a pass. */
interface Opening {
  vocab: number;
  maxTokens: number;
  /** Logits of the start run's last position (the first token's), or of draft token i's. */
  row: (i: number) => Float32Array;
  cache: DecoderCache;
  noSpeechProb: number;
  endsPass: (token: number) => boolean;
}

/** What opening a window needs of the options. */
type OpeningOptions = Pick<DecodeOptions, 'start' | 'sotIndex' | 'maxTokens' | 'endSeconds'>;

async function open(
  decoder: WhisperDecoder,
  encoderOutput: Tensor,
  tokens: DecodingTokens & { noSpeech: number | undefined },
  options: OpeningOptions,
  draft: readonly number[],
): Promise<Opening> {
  const vocab = decoder.dims.vocabSize;
  const start = options.start;
  // The start tokens (and a draft) go in one run; every step after feeds one token on its cache.
  // (Language identification's run of <|startoftranscript|> is not continued here: several tokens
  // fed in one run on top of a cache decode wrongly with this merged decoder (measured: its cached
  // branch does not keep the new tokens from seeing each other), so drafts always run from the start.)
  const first = await decoder.run([...start, ...draft], encoderOutput, null);
  const sotLogits = first.logits.subarray(options.sotIndex * vocab, (options.sotIndex + 1) * vocab);
  return {
    vocab,
    maxTokens: maxTokensFor(decoder, options),
    row: (i) => first.logits.subarray((start.length - 1 + i) * vocab, (start.length + i) * vocab),
    cache: first.cache,
    noSpeechProb:
      tokens.noSpeech !== undefined
        ? Math.exp((sotLogits[tokens.noSpeech] as number) - logSumExp(sotLogits, 0, vocab))
        : 0,
    endsPass: (token) =>
      token === tokens.endOfText ||
      (options.endSeconds !== undefined &&
        tokens.timestampBegin !== undefined &&
        token >= tokens.timestampBegin &&
        (token - tokens.timestampBegin) * SECONDS_PER_TIMESTAMP >= options.endSeconds - 1e-6),
  };
}

function maxTokensFor(decoder: WhisperDecoder, options: OpeningOptions): number {
  return Math.min(options.maxTokens, decoder.dims.maxTargetPositions - options.start.length - 1);
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
  if (options.temperature === 0 && options.beamSize <= 1) return decodeGreedy(decoder, encoderOutput, tokens, options);
  const [result] = await decodeTogether(decoder, encoderOutput, tokens, options, [
    { temperature: options.temperature, random: options.random },
  ]);
  return result as DecodeResult;
}

/**
 * Decodes one window once per temperature, all of them together: each step is one batched
 * decoder run for every hypothesis still going (a beam search's beams, or one sample per
 * temperature), about twice the cost of a single step rather than one step each. Temperature 0
 * is beam search (`beamSize`), above 0 sampling with that temperature's own `random`, so a
 * result does not depend on what it was decoded with. `decoderRuns` of each result: the runs
 * they shared. Drafts are not used here.
 *
 * With `settles` (the fallback ladder's check), decoding stops as soon as every temperature up
 * to one that settles has ended, and the results end with that one: a later temperature is never
 * chosen over it, so going on would only spend runs (a sample at 1.0 can wander to the token
 * limit long after 0.2 has settled).
 */
export async function decodeTogether(
  decoder: WhisperDecoder,
  encoderOutput: Tensor,
  tokens: DecodingTokens & { noSpeech: number | undefined },
  options: Omit<DecodeOptions, 'temperature' | 'random' | 'draft'>,
  temperatures: readonly { temperature: number; random: () => number }[],
  settles?: (result: DecodeResult) => boolean,
): Promise<DecodeResult[]> {
  const opening = await open(decoder, encoderOutput, tokens, options, []);
  const { vocab, maxTokens, endsPass } = opening;
  let runs = 1;
  const groups: Group[] = temperatures.map(({ temperature, random }) => ({
    temperature,
    random,
    width: temperature === 0 ? Math.max(1, options.beamSize) : 1,
    // Every group opens on the start run's single cache row.
    live: [{ tokens: [], sumLogProb: 0, cacheRow: 0, logits: opening.row(0) }],
    finished: [],
    loopCut: false,
  }));
  let cache = opening.cache;

  for (let step = 0; step < maxTokens; step++) {
    options.signal?.throwIfAborted();
    const going: { group: Group; parent: Row; token: number; sumLogProb: number }[] = [];
    for (const group of groups) {
      const candidates: { parent: Row; token: number; sumLogProb: number }[] = [];
      for (const row of group.live) {
        const masked = row.logits.slice(0, vocab);
        const { logZ } = applyLogitRules(masked, row.tokens, tokens, options.timestamps);
        const picks =
          group.temperature > 0 ? [sample(masked, group.temperature, group.random)] : topK(masked, group.width + 1);
        for (const token of picks)
          candidates.push({ parent: row, token, sumLogProb: row.sumLogProb + (masked[token] as number) - logZ });
      }
      candidates.sort((a, b) => b.sumLogProb - a.sumLogProb);
      const next: typeof candidates = [];
      for (const c of candidates) {
        if (next.length >= group.width) break;
        if (endsPass(c.token)) {
          if (group.finished.length < group.width)
            group.finished.push({ tokens: c.parent.tokens, sumLogProb: c.sumLogProb });
          continue;
        }
        const sequence = [...c.parent.tokens, c.token];
        const loop = repetitionLoop(sequence);
        if (loop > 0) {
          // A loop is cut back to its first occurrence and ends the hypothesis.
          group.loopCut = true;
          group.finished.push({ tokens: sequence.slice(0, sequence.length - loop), sumLogProb: c.sumLogProb });
          continue;
        }
        next.push(c);
      }
      // Beam search ends when as many hypotheses finished as there are beams (Whisper's patience 1).
      group.live = [];
      if (group.finished.length < group.width) going.push(...next.map((c) => ({ ...c, group })));
    }
    if (going.length === 0) break;
    if (settles && settledAt(groups, settles, opening.noSpeechProb, new Set(going.map((g) => g.group))) >= 0) break;
    cache = decoder.selectRows(
      cache,
      going.map((g) => g.parent.cacheRow),
    );
    const ran = await decoder.step(
      going.map((g) => g.token),
      encoderOutput,
      cache,
    );
    runs++;
    cache = ran.cache;
    going.forEach((g, j) =>
      g.group.live.push({
        tokens: [...g.parent.tokens, g.token],
        sumLogProb: g.sumLogProb,
        cacheRow: j,
        logits: ran.logits.subarray(j * vocab, (j + 1) * vocab),
      }),
    );
  }
  const settled = settles ? settledAt(groups, settles, opening.noSpeechProb, new Set()) : -1;
  return groups.slice(0, settled >= 0 ? settled + 1 : groups.length).map((group) => ({
    ...groupResult(group, opening.noSpeechProb),
    decoderRuns: runs,
  }));
}

/** A group's best hypothesis; one that ran out of tokens counts as it stands. */
function groupResult(group: Group, noSpeechProb: number): DecodeResult {
  const ended = group.finished.length > 0 ? group.finished : group.live;
  const best = ended.reduce((a, b) => (score(b) > score(a) ? b : a));
  return {
    tokens: best.tokens,
    avgLogProb: score(best),
    noSpeechProb,
    temperature: group.temperature,
    decoderRuns: 0,
    loopCut: group.loopCut,
    draftAccepted: 0,
  };
}

/**
 * The first group, in ladder order, that has ended and settles, when every group before it has
 * ended too (a group still going could yet settle first); -1 while that is not known.
 * A group's verdict is kept, since `settles` decodes its text.
 */
function settledAt(
  groups: Group[],
  settles: (result: DecodeResult) => boolean,
  noSpeechProb: number,
  going: ReadonlySet<Group>,
): number {
  for (const [i, group] of groups.entries()) {
    if (going.has(group)) return -1;
    group.settles ??= settles(groupResult(group, noSpeechProb));
    if (group.settles) return i;
  }
  return -1;
}

/** A hypothesis in a batched decoding; its entries are row `cacheRow` of the shared cache. */
interface Row {
  tokens: number[];
  sumLogProb: number;
  cacheRow: number;
  logits: Float32Array;
}

/** One temperature's hypotheses: `width` beams at temperature 0, one sample above it. */
interface Group {
  temperature: number;
  random: () => number;
  width: number;
  live: Row[];
  finished: { tokens: number[]; sumLogProb: number }[];
  loopCut: boolean;
  /** Once the group has ended: whether its result settles the ladder (see settledAt). */
  settles?: boolean;
}

/** Whisper ranks finished hypotheses by mean log-probability, end-of-text counted (no length penalty). */
const score = (h: { tokens: number[]; sumLogProb: number }) => h.sumLogProb / (h.tokens.length + 1);

/**
 * Greedy decoding, checking a draft when one is given: the draft's tokens go in the start run,
 * and each of its rows is trusted while the likeliest token is clear (see DRAFT_TRUST_MARGIN).
 */
async function decodeGreedy(
  decoder: WhisperDecoder,
  encoderOutput: Tensor,
  tokens: DecodingTokens & { noSpeech: number | undefined },
  options: DecodeOptions,
): Promise<DecodeResult> {
  const start = options.start;
  const draft = (options.draft ?? []).slice(0, maxTokensFor(decoder, options));
  const {
    vocab,
    maxTokens,
    row,
    endsPass,
    noSpeechProb,
    cache: opened,
  } = await open(decoder, encoderOutput, tokens, options, draft);
  let runs = 1;
  let draftAccepted = 0;
  // While the tokens follow the draft, the cache covers the whole draft run and `rowOf` gives the
  // logits after each draft token; `onDraft` ends at the first token that leaves it, and starts
  // again when the tokens come back to the draft (see draftRejoined).
  let onDraft = draft.length > 0;
  let expected: readonly number[] = draft;
  let rowOf = row;
  let rejoins = 0;
  let cache = opened;
  let logits: Float32Array = row(0).slice();
  const sequence: number[] = [];
  let sumLogProb = 0;
  let loopCut = false;
  for (let step = 0; step < maxTokens; step++) {
    options.signal?.throwIfAborted();
    let masked = logits.slice(0, vocab);
    let rules = applyLogitRules(masked, sequence, tokens, options.timestamps);
    if (onDraft && !trusted(masked, rules.margin)) {
      // Too close to call on a row of the draft run: decide it on the row plain greedy decoding
      // computes, by feeding the last token alone on the cache of everything before it. The
      // draft run's later rows stay good while the tokens follow the draft (each row sees only
      // the tokens before it), so checking goes on after this one.
      const before = start.length + step - 1;
      const last = step === 0 ? (start.at(-1) as number) : (sequence.at(-1) as number);
      const ran = await decoder.run([last], encoderOutput, decoder.truncate(cache, before));
      runs++;
      masked = ran.logits.slice(0, vocab);
      rules = applyLogitRules(masked, sequence, tokens, options.timestamps);
    }
    const token = topTwo(masked).best;
    sumLogProb += (masked[token] as number) - rules.logZ;
    if (endsPass(token)) break;
    sequence.push(token);
    const loop = repetitionLoop(sequence);
    if (loop > 0) {
      // A loop is cut back to its first occurrence and ends the pass.
      loopCut = true;
      sequence.length -= loop;
      break;
    }
    if (onDraft && step < expected.length && expected[step] === token) {
      // The draft holds: the next row is already computed.
      draftAccepted++;
      logits = rowOf(step + 1);
      continue;
    }
    const rest = rejoins < MAX_DRAFT_REJOINS ? draftRejoined(draft, sequence, maxTokens - sequence.length) : undefined;
    if (rest) {
      // Back on the draft after a word it got wrong: the tokens so far and the draft's rest go in
      // one run from the start (a run of several tokens on a cache is wrong with this decoder; see
      // open), and checking goes on as after the opening.
      rejoins++;
      const rerun = await decoder.run([...start, ...sequence, ...rest], encoderOutput, null);
      runs++;
      cache = rerun.cache;
      expected = [...sequence, ...rest];
      rowOf = (i) => rerun.logits.subarray((start.length - 1 + i) * vocab, (start.length + i) * vocab);
      logits = rowOf(step + 1);
      onDraft = true;
      continue;
    }
    if (onDraft) cache = decoder.truncate(cache, start.length + step);
    onDraft = false;
    const ran = await decoder.run([token], encoderOutput, cache);
    runs++;
    cache = ran.cache;
    logits = ran.logits;
  }
  return {
    tokens: sequence,
    avgLogProb: sumLogProb / (sequence.length + 1),
    noSpeechProb,
    temperature: 0,
    decoderRuns: runs,
    loopCut,
    draftAccepted,
  };
}

/**
 * Rejoining the draft costs a run from the start (it recomputes the cross-attention entries too,
 * about two steps' worth), so it is done only when enough of the draft is left to win that back,
 * and at most a few times a pass (a draft that keeps leaving is not worth chasing).
 */
const MIN_REJOIN_TOKENS = 4;
const MAX_DRAFT_REJOINS = 3;

/**
 * The rest of the draft when the last two decoded tokens are two consecutive draft tokens (a
 * partial that heard one word differently usually has the words after it right), with at least
 * MIN_REJOIN_TOKENS after them that still fit in the pass (`room`); the earliest such place.
 */
function draftRejoined(draft: readonly number[], sequence: readonly number[], room: number): number[] | undefined {
  if (sequence.length < 2) return undefined;
  const a = sequence.at(-2);
  const b = sequence.at(-1);
  for (let j = 1; j + MIN_REJOIN_TOKENS < draft.length; j++) {
    if (draft[j - 1] !== a || draft[j] !== b) continue;
    const rest = draft.slice(j + 1, j + 1 + room);
    return rest.length >= MIN_REJOIN_TOKENS ? rest : undefined;
  }
  return undefined;
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
