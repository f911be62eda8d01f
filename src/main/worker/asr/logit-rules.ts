/** Token ids the decoding rules need, read from the model's own vocabulary and generation config. */
export interface DecodingTokens {
  endOfText: number;
  noTimestamps: number;
  /** Id of `<|0.00|>`; every id from here on is a timestamp (0.02 s apart). Undefined: the model has none. */
  timestampBegin: number | undefined;
  /** Never sampled: the generation config's list plus every special token between end-of-text and the timestamps. */
  suppress: readonly number[];
  /** Not sampled as the first token (a blank, end-of-text). */
  beginSuppress: readonly number[];
}

/** Whisper's limit on the first timestamp: 1 s into the window (50 steps of 20 ms). */
const MAX_INITIAL_TIMESTAMP_STEPS = 50;

/**
 * Masks logits in place before a token is chosen, as Whisper's decoding rules do: suppressed
 * and special tokens; at the start, the begin-suppressed ones; and with timestamps, the rules
 * that keep them well formed (a window starts with a timestamp no later than 1 s, timestamps
 * come in pairs and never go back, and a timestamp is forced when together they are more
 * likely than any single text token). `sampled` is what was chosen so far after the start sequence.
 * Returns the log of the masked logits' softmax denominator (`logZ`, which a token's
 * log-probability needs), and how far (in log-probability) that last comparison was from going the
 * other way (`margin`, Infinity when it was not made): a draft check needs to know how close a
 * call was (decoding.ts).
 */
export function applyLogitRules(
  logits: Float32Array,
  sampled: readonly number[],
  tokens: DecodingTokens,
  timestamps: boolean,
): { logZ: number; margin: number } {
  for (const id of tokens.suppress) logits[id] = -Infinity;
  if (sampled.length === 0) for (const id of tokens.beginSuppress) logits[id] = -Infinity;
  const begin = tokens.timestampBegin;
  if (begin === undefined) return { logZ: logSumExp(logits, 0, logits.length), margin: Infinity };
  if (!timestamps) {
    logits.fill(-Infinity, begin);
    return { logZ: logSumExp(logits, 0, begin), margin: Infinity };
  }
  logits[tokens.noTimestamps] = -Infinity;
  const last = sampled.at(-1);
  const lastWasTimestamp = last !== undefined && last >= begin;
  const penultimate = sampled.at(-2);
  const penultimateWasTimestamp = sampled.length < 2 || (penultimate !== undefined && penultimate >= begin);
  if (lastWasTimestamp) {
    if (penultimateWasTimestamp)
      logits.fill(-Infinity, begin); // a segment just opened: text (or the end) next
    else logits.fill(-Infinity, 0, tokens.endOfText); // a segment just closed: a timestamp or the end next
  }
  let lastTimestamp = -1;
  for (let i = sampled.length - 1; i >= 0; i--) {
    if ((sampled[i] as number) >= begin) {
      lastTimestamp = sampled[i] as number;
      break;
    }
  }
  if (lastTimestamp >= 0) {
    // Never back in time; after text, strictly forward (a closing timestamp may repeat the opening one of the next).
    const floor = lastWasTimestamp && !penultimateWasTimestamp ? lastTimestamp : lastTimestamp + 1;
    logits.fill(-Infinity, begin, floor);
  }
  if (sampled.length === 0) {
    logits.fill(-Infinity, 0, begin);
    logits.fill(-Infinity, begin + MAX_INITIAL_TIMESTAMP_STEPS + 1);
  }
  // When all timestamps together outweigh the likeliest text token, a timestamp must come.
  let bestText = -Infinity;
  for (let i = 0; i < begin; i++) if ((logits[i] as number) > bestText) bestText = logits[i] as number;
  const textZ = sumExpFrom(logits, 0, begin, bestText);
  const timestampZ = logSumExp(logits, begin, logits.length);
  const logZ = logAddExp(textZ, timestampZ);
  const timestampMass = timestampZ - logZ;
  const margin = Math.abs(timestampMass - (bestText - logZ));
  if (timestampMass > bestText - logZ) {
    logits.fill(-Infinity, 0, begin);
    return { logZ: timestampZ, margin };
  }
  return { logZ, margin: Number.isNaN(margin) ? Infinity : margin };
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const max = Math.max(a, b);
  return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
}

/** Terms more than this below the largest add less than e^-20 each to a sum: skipped. */
const NEGLIGIBLE = 20;

/**
 * log Σ exp(x[from..to)), stable; −∞ when every value is −∞. Terms far below the largest are
 * skipped: with Whisper's 51 865 logits, most of them, and exp is most of the cost per token.
 */
export function logSumExp(x: Float32Array, from: number, to: number): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) if ((x[i] as number) > max) max = x[i] as number;
  return sumExpFrom(x, from, to, max);
}

/** logSumExp when the largest value is already known. */
function sumExpFrom(x: Float32Array, from: number, to: number, max: number): number {
  if (max === -Infinity) return -Infinity;
  const floor = max - NEGLIGIBLE;
  let sum = 0;
  for (let i = from; i < to; i++) {
    const v = x[i] as number;
    if (v > floor) sum += Math.exp(v - max);
  }
  return max + Math.log(sum);
}
