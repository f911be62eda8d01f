import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { AppError } from '../../../shared/errors';

/** Sizes read from the model's config.json. */
export interface WhisperDims {
  decoderLayers: number;
  decoderHeads: number;
  /** d_model / heads (64 for every Whisper size). */
  headSize: number;
  dModel: number;
  vocabSize: number;
  /** Decoder positions (448): prompt plus sampled tokens must fit. */
  maxTargetPositions: number;
  /** Encoder output positions for a full 30 s window (1500). */
  maxSourcePositions: number;
}

/**
 * The decoder's key/value cache after some tokens: self-attention entries grow by one position
 * per token; cross-attention entries are computed from the encoder output once per utterance
 * and shared by every later step and every beam (ONNX Runtime tensors are never written to).
 */
export interface DecoderCache {
  /** Per layer: [key, value], each [rows, heads, tokens so far, headSize]. */
  self: Tensor[];
  /** Per layer: [key, value], each [1, heads, encoder positions, headSize]. */
  cross: Tensor[];
  /** Tokens the cache covers. */
  length: number;
  /** Hypotheses it holds, one per row of `self` (see `step`). */
  rows: number;
}

/**
 * Whisper's merged decoder (transformers.js export): one graph with two branches chosen by
 * `use_cache_branch`. The first run takes the whole start sequence and the encoder output and
 * returns every cache entry; later runs take only the new token and the cache, so past tokens
 * are never recomputed. Only the outputs used are fetched: the model also returns every
 * attention map, and asking for them made each step about twice as slow (ENVIRONMENT.md).
 */
export class WhisperDecoder {
  private readonly emptyPast: Tensor;
  private readonly firstFetches: string[];
  private readonly stepFetches: string[];
  /** Cross-attention entries repeated per row count, kept while their encoder output's are (see crossRows). */
  private readonly repeatedCross = new WeakMap<Tensor, Map<number, Tensor[]>>();

  constructor(
    private readonly ort: typeof OrtModule,
    private readonly session: InferenceSession,
    readonly dims: WhisperDims,
  ) {
    this.emptyPast = new ort.Tensor('float32', new Float32Array(0), [1, dims.decoderHeads, 0, dims.headSize]);
    const layers = Array.from({ length: dims.decoderLayers }, (_, i) => i);
    const self = layers.flatMap((i) => [`present.${i}.decoder.key`, `present.${i}.decoder.value`]);
    const cross = layers.flatMap((i) => [`present.${i}.encoder.key`, `present.${i}.encoder.value`]);
    this.stepFetches = ['logits', ...self];
    this.firstFetches = [...this.stepFetches, ...cross];
    const missing = this.firstFetches.filter((name) => !session.outputNames.includes(name));
    if (missing.length > 0 || !session.inputNames.includes('use_cache_branch'))
      throw new AppError(
        'ModelIntegrityError',
        `The Whisper decoder is not a merged decoder with a key/value cache (missing ${missing.slice(0, 3).join(', ') || 'use_cache_branch'}).`,
      );
  }

  /**
   * Runs `tokens` after what `cache` covers (or from the start when it is null) and returns the
   * logits of every position in `tokens`, row by row ([tokens.length × vocab]), and the cache
   * that now covers them too.
   */
  async run(
    tokens: readonly number[],
    encoderOutput: Tensor,
    cache: DecoderCache | null,
  ): Promise<{ logits: Float32Array; cache: DecoderCache }> {
    const { ort, dims } = this;
    const feeds: Record<string, Tensor> = {
      input_ids: new ort.Tensor(
        'int64',
        BigInt64Array.from(tokens, (t) => BigInt(t)),
        [1, tokens.length],
      ),
      encoder_hidden_states: encoderOutput,
      use_cache_branch: new ort.Tensor('bool', [cache !== null], [1]),
    };
    for (let i = 0; i < dims.decoderLayers; i++) {
      feeds[`past_key_values.${i}.decoder.key`] = cache?.self[2 * i] ?? this.emptyPast;
      feeds[`past_key_values.${i}.decoder.value`] = cache?.self[2 * i + 1] ?? this.emptyPast;
      feeds[`past_key_values.${i}.encoder.key`] = cache?.cross[2 * i] ?? this.emptyPast;
      feeds[`past_key_values.${i}.encoder.value`] = cache?.cross[2 * i + 1] ?? this.emptyPast;
    }
    const out = await this.session.run(feeds, cache ? this.stepFetches : this.firstFetches);
    const logits = out.logits;
    if (!logits || logits.type !== 'float32') throw new AppError('Internal', 'The Whisper decoder gave no logits.');
    const self: Tensor[] = [];
    const cross: Tensor[] = [];
    for (let i = 0; i < dims.decoderLayers; i++) {
      self.push(required(out, `present.${i}.decoder.key`), required(out, `present.${i}.decoder.value`));
      if (!cache) cross.push(required(out, `present.${i}.encoder.key`), required(out, `present.${i}.encoder.value`));
    }
    return {
      logits: logits.data as Float32Array,
      cache: { self, cross: cache ? cache.cross : cross, length: (cache?.length ?? 0) + tokens.length, rows: 1 },
    };
  }

  /**
   * One step for several hypotheses at once: `tokens[i]` follows row i of `cache`; returns one
   * row of logits per hypothesis and the cache that covers them. A batch of 5 costs about twice
   * one step, not five times (measured on tiny and base), and each row's logits are exactly those
   * of a run of its own (the graph keeps rows apart; checked in whisper-decoder.test.ts).
   */
  async step(
    tokens: readonly number[],
    encoderOutput: Tensor,
    cache: DecoderCache,
  ): Promise<{ logits: Float32Array; cache: DecoderCache }> {
    if (tokens.length !== cache.rows)
      throw new AppError('Internal', `${tokens.length} tokens for a decoder cache of ${cache.rows} rows.`);
    const { ort, dims } = this;
    const cross = this.crossRows(cache.cross, cache.rows);
    const feeds: Record<string, Tensor> = {
      input_ids: new ort.Tensor(
        'int64',
        BigInt64Array.from(tokens, (t) => BigInt(t)),
        [tokens.length, 1],
      ),
      // Read by the first branch only; the cached branch takes the cross entries instead.
      encoder_hidden_states: encoderOutput,
      use_cache_branch: new ort.Tensor('bool', [true], [1]),
    };
    for (let i = 0; i < dims.decoderLayers; i++) {
      feeds[`past_key_values.${i}.decoder.key`] = cache.self[2 * i] as Tensor;
      feeds[`past_key_values.${i}.decoder.value`] = cache.self[2 * i + 1] as Tensor;
      feeds[`past_key_values.${i}.encoder.key`] = cross[2 * i] as Tensor;
      feeds[`past_key_values.${i}.encoder.value`] = cross[2 * i + 1] as Tensor;
    }
    const out = await this.session.run(feeds, this.stepFetches);
    const logits = out.logits;
    if (!logits || logits.type !== 'float32') throw new AppError('Internal', 'The Whisper decoder gave no logits.');
    const self: Tensor[] = [];
    for (let i = 0; i < dims.decoderLayers; i++)
      self.push(required(out, `present.${i}.decoder.key`), required(out, `present.${i}.decoder.value`));
    return {
      logits: logits.data as Float32Array,
      cache: { self, cross: cache.cross, length: cache.length + 1, rows: cache.rows },
    };
  }

  /**
   * The cache whose row j is row `rows[j]` of `cache` (rows may repeat): the hypotheses that go
   * on after a step, each on its parent's entries. Self-attention entries are copied.
   */
  selectRows(cache: DecoderCache, rows: readonly number[]): DecoderCache {
    if (rows.length === cache.rows && rows.every((r, j) => r === j)) return cache;
    const { ort, dims } = this;
    const perRow = dims.decoderHeads * cache.length * dims.headSize;
    const self = cache.self.map((tensor) => {
      const data = tensor.data as Float32Array;
      const out = new Float32Array(rows.length * perRow);
      rows.forEach((r, j) => out.set(data.subarray(r * perRow, (r + 1) * perRow), j * perRow));
      return new ort.Tensor('float32', out, [rows.length, dims.decoderHeads, cache.length, dims.headSize]);
    });
    return { self, cross: cache.cross, length: cache.length, rows: rows.length };
  }

  /**
   * Cross-attention entries repeated for `rows` hypotheses: the graph does not broadcast one row
   * against several (measured: wrong logits), so each needs its own copy. Made once per encoder
   * output and row count; the copies go with the encoder output's entries.
   */
  private crossRows(cross: Tensor[], rows: number): Tensor[] {
    if (rows === 1) return cross;
    let byRows = this.repeatedCross.get(cross[0] as Tensor);
    if (!byRows) this.repeatedCross.set(cross[0] as Tensor, (byRows = new Map()));
    let repeated = byRows.get(rows);
    if (!repeated) {
      repeated = cross.map((tensor) => {
        const data = tensor.data as Float32Array;
        const out = new Float32Array(data.length * rows);
        for (let r = 0; r < rows; r++) out.set(data, r * data.length);
        return new this.ort.Tensor('float32', out, [rows, ...tensor.dims.slice(1)]);
      });
      byRows.set(rows, repeated);
    }
    return repeated;
  }

  /**
   * The cache cut back to its first `length` tokens: what decoding continues from when only the
   * start of a draft run is kept. Self-attention entries are copied; cross-attention ones shared.
   */
  truncate(cache: DecoderCache, length: number): DecoderCache {
    if (length >= cache.length) return cache;
    const { ort, dims } = this;
    const self = cache.self.map((tensor) => {
      const data = tensor.data as Float32Array;
      const out = new Float32Array(dims.decoderHeads * length * dims.headSize);
      const from = cache.length * dims.headSize;
      const to = length * dims.headSize;
      for (let h = 0; h < dims.decoderHeads; h++) out.set(data.subarray(h * from, h * from + to), h * to);
      return new ort.Tensor('float32', out, [1, dims.decoderHeads, length, dims.headSize]);
    });
    return { self, cross: cache.cross, length, rows: cache.rows };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

function required(out: InferenceSession.OnnxValueMapType, name: string): Tensor {
  const value = out[name];
  if (!value) throw new AppError('Internal', `The Whisper decoder gave no ${name}.`);
  return value as Tensor;
}
