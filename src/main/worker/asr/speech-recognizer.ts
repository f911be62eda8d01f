import { deflateSync } from 'node:zlib';
import type { Tensor } from 'onnxruntime-node';
import { AppError } from '../../../shared/errors';
import { seededRandom } from '../../../shared/seeded-random';
import { decodeTogether, decodeWindow, type DecodeResult } from './decoding';
import { bucketedWindowFrames, WHISPER_WINDOW_FRAMES } from './encoder-window';
import { EncoderCache } from './encoder-cache';
import { dropHallucinations } from './hallucination-guard';
import { logSumExp, type DecodingTokens } from './logit-rules';
import { LogMelSpectrogram, WHISPER_HOP, WHISPER_SAMPLE_RATE } from './log-mel';
import { boundToSpeech } from './speech-bounds';
import type { WhisperModel } from './whisper-model';
import type { WhisperTask } from './whisper-tokenizer';

export interface TranscribeOptions {
  /** A language code, or `auto` to identify it (multilingual models). */
  language: string;
  task: WhisperTask;
  /** Timestamp tokens give segment boundaries; without them a window is one segment (a little faster). */
  timestamps: boolean;
  /** 1: greedy; more: beam search at temperature 0. */
  beamSize: number;
  /** The fallback ladder: the next temperature is tried when a result looks like a loop or a guess. */
  temperatures: readonly number[];
  compressionRatioThreshold: number;
  logProbThreshold: number;
  noSpeechThreshold: number;
  /** Custom vocabulary or context, fed to the decoder as the previous text. */
  prompt?: string;
  /** Seed for sampling at temperatures above 0, so a run is repeatable. */
  seed?: number;
  /** Stops the transcription between decoder steps (it rejects with the signal's reason). */
  signal?: AbortSignal;
  /**
   * Each window's tokens from an earlier pass over the start of this audio (the last partial's
   * `windowTokens`): greedy decoding checks them in one decoder run instead of one run per token,
   * and decodes on its own only from where they stop holding (decoding.ts).
   */
  drafts?: readonly (readonly number[])[];
}

export interface Segment {
  start: number;
  end: number;
  text: string;
}

export interface Transcript {
  text: string;
  /** Set when nothing was said (or nothing survived the no-speech and hallucination guards). */
  noSpeech: boolean;
  language: string;
  /** Top 5 language probabilities when the language was identified; empty when it was given. */
  languageProbs: Record<string, number>;
  segments: Segment[];
  tokens: number;
  /** Each window's decoded tokens, timestamps included: the draft for a later pass over longer audio. */
  windowTokens: number[][];
  /** Decoder runs, language identification and fallback retries included. */
  decoderRuns: number;
  /** Draft tokens that held, each saving a decoder run. */
  draftAccepted: number;
  timings: { melMs: number; encoderMs: number; decoderMs: number; totalMs: number };
  cache: { encoderHits: number; encoderMisses: number };
  /** Temperatures used, one per window (above 0 when fallback happened). */
  temperatures: number[];
  /**
   * Every window's result passed the fallback checks (or was silence) at the temperature it was
   * decoded with: a pass with a longer ladder would have stopped at the same result.
   */
  settled: boolean;
}

const SAMPLES_PER_WINDOW = WHISPER_WINDOW_FRAMES * WHISPER_HOP;
/** Encoder positions are two mel frames: 20 ms, the timestamp step. */
const SAMPLES_PER_POSITION = 2 * WHISPER_HOP;
/**
 * Silence after the speech in a fitted window. With less than ~3 s the decoder repeats the
 * text and never ends (shared/ENVIRONMENT.md).
 */
const FITTED_TAIL_FRAMES = 300;
const TOP_LANGUAGES = 5;

/**
 * Whisper speech recognition over a whole clip: log-mel, encoder (through the encoder cache),
 * language identification, then decoding with temperature fallback, window after window for
 * audio longer than 30 s. Not reentrant: the worker runs one transcription at a time.
 */
export class SpeechRecognizer {
  private readonly mel = new LogMelSpectrogram();
  private readonly tokens: DecodingTokens & { noSpeech: number | undefined };
  /** Encoder window sizes that have run at least once. */
  private readonly warmFrames = new Set<number>();
  /** The batched fallback ladder has run once (warmLadder). */
  private ladderWarm = false;

  constructor(
    readonly model: WhisperModel,
    readonly cache: EncoderCache,
  ) {
    this.tokens = decodingTokens(model);
  }

  async transcribe(clip: Float32Array, options: TranscribeOptions): Promise<Transcript> {
    const started = performance.now();
    // The same words give the same text however much silence surrounds them (speech-bounds.ts);
    // segment times are moved back onto the clip at the end.
    const { samples, offset } = boundToSpeech(clip);
    const timings = { melMs: 0, encoderMs: 0, decoderMs: 0, totalMs: 0 };
    const hitsBefore = this.cache.hits;
    const missesBefore = this.cache.misses;
    const tokenizer = this.model.tokenizer;
    const random = seededRandom(options.seed ?? 0x5eed);
    const auto = options.language === 'auto';
    if (!auto && tokenizer.multilingual && !tokenizer.languages.includes(options.language))
      throw new AppError(
        'InvalidPayload',
        `${this.model.info.name} does not know the language "${options.language}". Use auto or one of ${tokenizer.languages.join(', ')}.`,
      );
    if (options.task === 'translate' && !tokenizer.multilingual)
      throw new AppError('InvalidPayload', `${this.model.info.name} is English-only: it cannot translate.`);
    let language = tokenizer.multilingual ? (auto ? undefined : options.language) : 'en';
    let languageProbs: Record<string, number> = {};
    const segments: Segment[] = [];
    const temperatures: number[] = [];
    let settled = true;
    let tokenCount = 0;
    const windowTokens: number[][] = [];
    const runs = { decoder: 0, draftAccepted: 0 };
    // A fitted window always decodes with timestamps: without them the decoder tends to repeat a
    // short command into the silence that pads it; with them it closes the segment, and the first
    // timestamp past the audio ends the pass.
    const decodeOptions = { ...options, timestamps: options.timestamps || this.model.fitted };

    for (let seek = 0; seek < samples.length;) {
      const window = samples.subarray(seek, seek + SAMPLES_PER_WINDOW);
      const frames = this.model.fitted
        ? bucketedWindowFrames(Math.ceil(window.length / WHISPER_HOP) + FITTED_TAIL_FRAMES)
        : WHISPER_WINDOW_FRAMES;
      const encoderOutput = await this.encode(window, frames, timings);

      if (language === undefined) {
        const detected = await this.identifyLanguage(encoderOutput, timings);
        runs.decoder++;
        language = detected.language;
        languageProbs = detected.probs;
      }
      const start = this.startTokens(language, decodeOptions);
      const sotIndex = start.indexOf(tokenizer.special.startOfTranscript);

      const decodeStart = performance.now();
      // A window shorter than 30 s is padded with silence (fitted or not): decoding ends where the audio does.
      const endSeconds = window.length < SAMPLES_PER_WINDOW ? window.length / WHISPER_SAMPLE_RATE : undefined;
      const draft = this.model.rowsIndependent ? options.drafts?.[windowTokens.length] : undefined;
      const result = await this.decodeWithFallback(encoderOutput, start, sotIndex, decodeOptions, random, {
        endSeconds,
        draft,
      });
      timings.decoderMs += performance.now() - decodeStart;
      temperatures.push(result.temperature);
      settled &&= result.settled;
      windowTokens.push(result.tokens);
      runs.decoder += result.decoderRuns;
      runs.draftAccepted += result.draftAccepted;

      const offset = seek / WHISPER_SAMPLE_RATE;
      const windowSeconds = window.length / WHISPER_SAMPLE_RATE;
      const silent = result.noSpeechProb > options.noSpeechThreshold && result.avgLogProb < options.logProbThreshold;
      let advance = window.length;
      if (!silent) {
        tokenCount += result.tokens.length;
        if (decodeOptions.timestamps) {
          const parsed = this.timestampSegments(result.tokens, offset, windowSeconds);
          const found = [...parsed.segments];
          // A full window that ends mid-segment continues from its last complete segment (Whisper's
          // seek), so the unfinished text is transcribed again with its audio in the next window.
          if (parsed.consumedPositions !== undefined && window.length === SAMPLES_PER_WINDOW)
            advance = Math.max(SAMPLES_PER_POSITION, parsed.consumedPositions * SAMPLES_PER_POSITION);
          else if (parsed.trailing) found.push(parsed.trailing);
          const heard = found.filter((s) => s.start < offset + windowSeconds);
          if (options.timestamps)
            segments.push(...heard.map((s) => ({ ...s, end: Math.min(s.end, offset + windowSeconds) })));
          else if (heard.length > 0)
            segments.push({ start: offset, end: offset + windowSeconds, text: heard.map((s) => s.text).join('') });
        } else {
          const text = tokenizer.decode(result.tokens);
          if (text.trim()) segments.push({ start: offset, end: offset + windowSeconds, text });
        }
      }
      seek += advance;
    }
    const shift = offset / WHISPER_SAMPLE_RATE;
    const clipSeconds = clip.length / WHISPER_SAMPLE_RATE;
    const onClip = (t: number) => Math.min(clipSeconds, Math.max(0, t + shift));
    const spoken = dropHallucinations(segments, samples).map((s) => ({
      ...s,
      start: onClip(s.start),
      end: onClip(s.end),
    }));
    // A trailing U+FFFD is a character the decoder stopped in the middle of.
    const text = spoken
      .map((s) => s.text)
      .join('')
      .replace(/\uFFFD+$/u, '')
      .trim();
    timings.totalMs = performance.now() - started;
    return {
      text,
      noSpeech: text === '',
      language: language ?? 'en',
      languageProbs,
      segments: spoken.map((s) => ({ ...s, text: s.text.trim() })).filter((s) => s.text !== ''),
      tokens: tokenCount,
      windowTokens,
      decoderRuns: runs.decoder,
      draftAccepted: runs.draftAccepted,
      timings,
      cache: { encoderHits: this.cache.hits - hitsBefore, encoderMisses: this.cache.misses - missesBefore },
      temperatures,
      settled,
    };
  }

  /**
   * What a transcription of `clip` depends on besides its options: the audio between its speech
   * bounds and where that lies in the clip. Two clips with the same identity transcribe alike,
   * word for word and token for token (decoding is deterministic).
   */
  audioIdentity(clip: Float32Array): string {
    const { samples, offset } = boundToSpeech(clip);
    return EncoderCache.key(this.model.info.name, offset, samples);
  }

  /**
   * Runs the encoder and a first decoder step once on silence for each window of up to
   * `seconds` of speech, so that no utterance pays a shape's first, slow run (see
   * bucketedWindowFrames). Nothing is cached: the outputs are thrown away. `before` runs before
   * each window (the worker waits there for a quiet moment: each run holds its thread).
   */
  async warmUp(
    seconds: number,
    signal?: AbortSignal,
    before: () => Promise<void> = async () => undefined,
  ): Promise<void> {
    // Stop early when asked (real work is waiting); a later call goes on where this one stopped.
    const start = this.startTokens('en', { task: 'transcribe', timestamps: true });
    const frames = new Set<number>();
    if (!this.model.fitted) frames.add(WHISPER_WINDOW_FRAMES);
    else for (let s = 1; s <= seconds; s++) frames.add(bucketedWindowFrames(s * 100 + FITTED_TAIL_FRAMES));
    if (!this.ladderWarm) {
      await before();
      if (signal?.aborted) return;
      await this.warmLadder(signal);
    }
    for (const n of frames) {
      if (this.warmFrames.has(n)) continue;
      await before();
      if (signal?.aborted) return;
      const output = await this.model.encode(this.mel.compute(new Float32Array(0), n), n);
      if (signal?.aborted) return;
      await this.model.decoder.run(start, output, null);
      this.warmFrames.add(n);
    }
  }

  /**
   * The fallback ladder's first run, before any utterance needs it: its batched decoder steps and
   * sampling ran about 95 ms slower in a session's first ladder than in later ones (11 runs, 249
   * against 153 ms in the live bench), which a short command that fails greedily pays at the
   * release. On silence decoding ends at once, so this decodes a second of tone bursts with every
   * check failing, which makes every temperature sample.
   */
  private async warmLadder(signal?: AbortSignal): Promise<void> {
    const bursts = Float32Array.from({ length: WHISPER_SAMPLE_RATE }, (_, i) =>
      i % 4000 < 2000 ? 0.1 * Math.sin(i / 9) : 0,
    );
    await new SpeechRecognizer(this.model, new EncoderCache(0)).transcribe(bursts, {
      language: 'en',
      task: 'transcribe',
      timestamps: false,
      beamSize: 1,
      temperatures: [0.2, 0.4, 0.6, 0.8, 1],
      compressionRatioThreshold: 0,
      logProbThreshold: 0,
      noSpeechThreshold: 1,
      signal,
    });
    this.ladderWarm = true;
  }

  private async encode(window: Float32Array, frames: number, timings: Transcript['timings']): Promise<Tensor> {
    const key = EncoderCache.key(this.model.info.name, frames, window);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const melStart = performance.now();
    const features = this.mel.compute(window, frames);
    const encoderStart = performance.now();
    timings.melMs += encoderStart - melStart;
    const output = await this.model.encode(features, frames);
    this.warmFrames.add(frames);
    timings.encoderMs += performance.now() - encoderStart;
    this.cache.set(key, output);
    return output;
  }

  /**
   * One decoder run on <|startoftranscript|> alone: the language tokens' probabilities. The
   * transcript's decoding starts afresh rather than continuing this run's cache: feeding the
   * other start tokens on top of it decoded worse (see decodeWindow).
   */
  private async identifyLanguage(
    encoderOutput: Tensor,
    timings: Transcript['timings'],
  ): Promise<{ language: string; probs: Record<string, number> }> {
    const tokenizer = this.model.tokenizer;
    const started = performance.now();
    const run = await this.model.decoder.run([tokenizer.special.startOfTranscript], encoderOutput, null);
    timings.decoderMs += performance.now() - started;
    const ids = tokenizer.languages.map((code) => tokenizer.languageToken(code));
    const languageLogits = Float32Array.from(ids, (id) => run.logits[id] as number);
    const logZ = logSumExp(languageLogits, 0, languageLogits.length);
    const ranked = tokenizer.languages
      .map((code, i) => ({ code, p: Math.exp((languageLogits[i] as number) - logZ) }))
      .sort((a, b) => b.p - a.p);
    const probs = Object.fromEntries(ranked.slice(0, TOP_LANGUAGES).map((r) => [r.code, r.p]));
    return { language: ranked[0]?.code ?? 'en', probs };
  }

  private startTokens(language: string, options: Pick<TranscribeOptions, 'task' | 'timestamps' | 'prompt'>): number[] {
    const tokenizer = this.model.tokenizer;
    const start = tokenizer.promptIds({
      language: tokenizer.multilingual ? language : undefined,
      task: options.task,
      timestamps: options.timestamps,
    });
    const prompt = options.prompt?.trim();
    if (!prompt) return start;
    // Whisper keeps the last half of its context for the previous text.
    const room = Math.floor(this.model.dims.maxTargetPositions / 2) - 1;
    const previous = tokenizer.encode(` ${prompt}`).slice(-room);
    return [tokenizer.special.startOfPrev, ...previous, ...start];
  }

  /**
   * Decodes at each temperature of the ladder until the result is neither repetitive (gzip
   * compression ratio) nor improbable (mean log-probability). A window that is probably silent
   * (no-speech probability above its threshold) is not retried: its text is dropped. `settled`:
   * the result passed those checks. When the ladder runs out, the likeliest attempt that is not a
   * loop is kept (the last one, at the highest temperature, is usually the worst); the draft is
   * checked only at temperature 0, where greedy decoding is what it predicts.
   *
   * The first temperature runs alone (it usually settles); when it does not, the rest of the
   * ladder is decoded together in one batched pass (decodeTogether) and the first of them to pass,
   * in ladder order, is kept: Whisper's choice, at the cost of about two passes instead of up to
   * five; the batched pass stops once that one is known. Each temperature samples from its own
   * generator, seeded in ladder order.
   */
  private async decodeWithFallback(
    encoderOutput: Tensor,
    start: number[],
    sotIndex: number,
    options: TranscribeOptions,
    random: () => number,
    window: { endSeconds: number | undefined; draft: readonly number[] | undefined },
  ): Promise<DecodeResult & { settled: boolean }> {
    const [first, ...rest] = options.temperatures;
    if (first === undefined) throw new AppError('InvalidPayload', 'No decoding temperature was given.');
    const common = {
      start,
      sotIndex,
      timestamps: options.timestamps,
      beamSize: options.beamSize,
      maxTokens: Math.floor(this.model.dims.maxTargetPositions / 2),
      signal: options.signal,
      endSeconds: window.endSeconds,
    };
    const generators = options.temperatures.map(() => seededRandom(Math.floor(random() * 0x100000000)));
    const opening = await decodeWindow(this.model.decoder, encoderOutput, this.tokens, {
      ...common,
      temperature: first,
      random: generators[0] as () => number,
      draft: first === 0 ? window.draft : undefined,
    });
    const attempts = [opening];
    if (!this.judge(opening, options).done && rest.length > 0)
      attempts.push(
        ...(await decodeTogether(
          this.model.decoder,
          encoderOutput,
          this.tokens,
          common,
          rest.map((temperature, i) => ({ temperature, random: generators[i + 1] as () => number })),
          (result) => this.judge(result, options).done,
        )),
      );
    // The together pass's results share its runs: count them once.
    const decoderRuns = opening.decoderRuns + (attempts[1]?.decoderRuns ?? 0);
    const draftAccepted = opening.draftAccepted;
    const judged = attempts.map((result) => ({ result, ...this.judge(result, options) }));
    const done = judged.find((a) => a.done);
    if (done) return { ...done.result, decoderRuns, draftAccepted, settled: true };
    const candidates = judged.some((a) => !a.repetitive) ? judged.filter((a) => !a.repetitive) : judged;
    const best = candidates.reduce((a, b) => (b.result.avgLogProb > a.result.avgLogProb ? b : a)).result;
    return { ...best, decoderRuns, draftAccepted, settled: false };
  }

  /** A result is done when it is probably silence, or neither a loop nor improbable. */
  private judge(result: DecodeResult, options: TranscribeOptions): { done: boolean; repetitive: boolean } {
    const text = this.model.tokenizer.decode(result.tokens);
    const repetitive = compressionRatio(text) > options.compressionRatioThreshold || result.loopCut;
    const unlikely = result.avgLogProb < options.logProbThreshold;
    const silent = result.noSpeechProb > options.noSpeechThreshold && unlikely;
    return { done: silent || (!repetitive && !unlikely), repetitive };
  }

  /**
   * Segments from timestamp tokens: each opens with a timestamp and closes with the next. Text
   * after the last of them (`trailing`) runs to the end of the window. `consumedPositions`: the
   * encoder positions the complete segments cover when the window ended mid-segment.
   */
  private timestampSegments(
    tokens: number[],
    offset: number,
    windowSeconds: number,
  ): { segments: Segment[]; trailing: Segment | undefined; consumedPositions: number | undefined } {
    const tokenizer = this.model.tokenizer;
    const segments: Segment[] = [];
    let open: number | undefined;
    let text: number[] = [];
    let lastClose: number | undefined;
    for (const id of tokens) {
      if (!tokenizer.isTimestamp(id)) {
        text.push(id);
        continue;
      }
      const seconds = tokenizer.timestampSeconds(id);
      if (open === undefined) open = seconds;
      else {
        segments.push({ start: offset + open, end: offset + seconds, text: tokenizer.decode(text) });
        lastClose = seconds;
        open = undefined;
        text = [];
      }
    }
    const endsComplete = tokens.length > 0 && tokenizer.isTimestamp(tokens.at(-1) as number) && open === undefined;
    const trailing =
      text.length > 0
        ? { start: offset + (open ?? lastClose ?? 0), end: offset + windowSeconds, text: tokenizer.decode(text) }
        : undefined;
    const consumedPositions =
      !endsComplete && lastClose !== undefined
        ? Math.round(lastClose / (SAMPLES_PER_POSITION / WHISPER_SAMPLE_RATE))
        : undefined;
    return { segments, trailing, consumedPositions };
  }
}

/** The special tokens decoding needs from this model, with what Whisper suppresses. */
export function decodingTokens(model: WhisperModel): DecodingTokens & { noSpeech: number | undefined } {
  const t = model.tokenizer;
  const specials: number[] = [];
  const end = t.special.timestampBegin ?? t.vocabSize;
  for (let id = t.special.endOfText + 1; id < end; id++) specials.push(id);
  return {
    endOfText: t.special.endOfText,
    noTimestamps: t.special.noTimestamps,
    timestampBegin: t.special.timestampBegin,
    noSpeech: t.special.noSpeech,
    suppress: [...new Set([...t.suppressTokens, ...specials])].filter((id) => id < model.dims.vocabSize),
    beginSuppress: t.beginSuppressTokens,
  };
}

/** Text length over its DEFLATE size: high for loops ("the the the …"); Whisper's threshold is 2.4. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}
