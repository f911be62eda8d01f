// `earshot transcribe` through the real worker and Whisper tiny: several files in one process, silence, live replay, and bad input.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '../../src/main/audio/wav';
import { runCli } from '../support/cli-process';
import { SHARED_AUDIO } from '../support/shared-audio';
import { useTempDirs } from '../support/temp-dir';
import { normaliseText } from '../support/wer';

const tempDir = useTempDirs();

interface TranscriptJson {
  file: string;
  text: string;
  language: string;
  language_probs: Record<string, number>;
  segments: { start: number; end: number; text: string }[];
  tokens: number;
  model: string;
  no_speech: boolean;
  timings: Record<string, number>;
  cache: { encoder_hits: number; encoder_misses: number };
  error?: { code: string; message: string };
  partial?: { stable: string; unstable: string; audio_s: number };
}

function lines(stdout: string): TranscriptJson[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TranscriptJson);
}

describe('earshot transcribe', () => {
  it('transcribes several files in one process, one JSON line each, with the model loaded once', async () => {
    const { code, stdout, stderr } = await runCli(['transcribe', SHARED_AUDIO.jfk, SHARED_AUDIO.heyJane, '--json']);
    expect(code, stderr).toBe(0);
    const [jfk, jane] = lines(stdout);
    expect(normaliseText(jfk!.text).join(' ')).toBe(
      'and so my fellow americans ask not what your country can do for you ask what you can do for your country',
    );
    expect(jfk).toMatchObject({ file: SHARED_AUDIO.jfk, language: 'en', model: 'whisper-tiny', no_speech: false });
    expect(jfk!.language_probs.en).toBeGreaterThan(0.9);
    expect(Object.keys(jfk!.language_probs)).toHaveLength(5);
    expect(jfk!.tokens).toBeGreaterThan(20);
    expect(Object.keys(jfk!.timings)).toEqual(['load_ms', 'vad_ms', 'mel_ms', 'encoder_ms', 'decoder_ms', 'total_ms']);
    expect(jfk!.cache).toEqual({ encoder_hits: 0, encoder_misses: 1 });
    expect(jfk!.segments.length).toBeGreaterThan(0);
    expect(normaliseText(jane!.text)).toContain('lights');
    // The second file found the model loaded.
    expect(jane!.timings.load_ms!).toBeLessThan(jfk!.timings.load_ms! / 10);
  });

  it('answers "no speech" for silence and for an empty file without running Whisper', async () => {
    const dir = tempDir();
    const silence = join(dir, 'silence.wav');
    const empty = join(dir, 'empty.wav');
    writeFileSync(silence, encodeWav(new Float32Array(16000 * 3), 16000));
    writeFileSync(empty, encodeWav(new Float32Array(0), 16000));
    const { code, stdout, stderr } = await runCli(['transcribe', silence, empty, '--json']);
    expect(code, stderr).toBe(0);
    for (const result of lines(stdout)) {
      expect(result).toMatchObject({ text: '', no_speech: true, segments: [], tokens: 0 });
      expect(result.timings.encoder_ms).toBe(0);
    }
  });

  it('reports a bad file with a clear error, transcribes the others and exits non-zero', async () => {
    const dir = tempDir();
    const notWav = join(dir, 'notes.wav');
    writeFileSync(notWav, 'this is not audio');
    const { code, stdout } = await runCli(['transcribe', notWav, SHARED_AUDIO.heyJane, '--json']);
    expect(code).toBe(1);
    const [bad, good] = lines(stdout);
    expect(bad).toMatchObject({ file: notWav, error: { code: 'InvalidAudioFile' } });
    expect(bad!.error!.message).toContain('notes.wav');
    expect(good!.text.length).toBeGreaterThan(0);
  });

  it('refuses an unknown language and a bad option with a clear message', async () => {
    const unknown = await runCli(['transcribe', SHARED_AUDIO.heyJane, '--language', 'xx', '--json']);
    expect(unknown.code).toBe(1);
    expect(lines(unknown.stdout)[0]).toMatchObject({ error: { code: 'InvalidPayload' } });
    expect(lines(unknown.stdout)[0]!.error!.message).toContain('"xx"');
    const usage = await runCli(['transcribe', SHARED_AUDIO.heyJane, '--beam', 'many']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--beam');
  });

  it('replays a file live with --stream: partial lines, then the final from the cache', async () => {
    const { code, stdout, stderr } = await runCli(['transcribe', SHARED_AUDIO.heyJane, '--stream', '--json']);
    expect(code, stderr).toBe(0);
    const all = lines(stdout);
    const partials = all.filter((l) => l.partial);
    const final = all.at(-1)!;
    expect(partials.length).toBeGreaterThanOrEqual(2);
    expect(final.partial).toBeUndefined();
    expect(normaliseText(final.text)).toContain('lights');
    // The last partial saw what the final pass sees: no new encoder run.
    expect(final.cache.encoder_misses).toBe(0);
  });
});
