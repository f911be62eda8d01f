// `earshot models` (list, add, download from a loopback server) as real processes, and the models it adds in `earshot transcribe`.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partFileOf } from '../../src/main/models/model-downloader';
import { FileServer } from '../support/file-server';
import { runCli, spawnCli, type CliResult } from '../support/cli-process';
import { SHARED_AUDIO } from '../support/shared-audio';
import { ENCODER, TINY, TINY_ENCODER_SHA256, tinyFiles } from '../support/tiny-model';
import { useTempDirs } from '../support/temp-dir';

const JFK = /ask not what your country can do for you/i;
const REPO = 'Xenova/whisper-tiny-copy';

const tempDir = useTempDirs();

type Env = { EARSHOT_MODELS_DIR: string; EARSHOT_CONFIG_DIR: string };
interface ListJson {
  models: { name: string; origin: string; multilingual: boolean; size_bytes: number; licence: string; dir: string }[];
  problems: string[];
  user_dir: string;
}
interface TranscriptJson {
  text?: string;
  model?: string;
  error?: { code: string; message: string };
}

/** A fresh user model folder (not created yet: the commands must make it) and settings folder. */
function freshEnv(): Env {
  return { EARSHOT_MODELS_DIR: join(tempDir(), 'models'), EARSHOT_CONFIG_DIR: tempDir() };
}

const models = (env: Env, ...args: string[]): Promise<CliResult> => runCli(['models', ...args], env);

async function list(env: Env): Promise<ListJson> {
  const { code, stdout, stderr } = await models(env, 'list', '--json');
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as ListJson;
}

async function transcribe(env: Env, model: string): Promise<{ code: number | null; result: TranscriptJson }> {
  const { code, stdout } = await runCli(['transcribe', SHARED_AUDIO.jfk, '--model', model, '--json'], env);
  return { code, result: JSON.parse(stdout) as TranscriptJson };
}

describe('earshot models list and add', () => {
  it('lists the packaged models, and reports an invalid user model as a warning', async () => {
    const env = freshEnv();
    const empty = await list(env);
    expect(empty.user_dir).toBe(env.EARSHOT_MODELS_DIR);
    expect(empty.problems).toEqual([]);
    expect(empty.models.map((m) => [m.name, m.origin, m.multilingual])).toEqual([
      ['whisper-tiny', 'package', true],
      ['whisper-base', 'package', true],
    ]);
    expect(empty.models[0]!.size_bytes).toBeGreaterThan(40e6);

    mkdirSync(join(env.EARSHOT_MODELS_DIR, 'broken'), { recursive: true });
    writeFileSync(join(env.EARSHOT_MODELS_DIR, 'broken', 'earshot-model.json'), '{"name": "Broken!"}');
    const human = await models(env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^whisper-tiny\s+package\s+multilingual\s+\d+\.\d MB\s+MIT/m);
    expect(human.stderr).toMatch(/^warning: .*broken.earshot-model\.json is not a valid model manifest/m);
    expect((await list(env)).problems).toHaveLength(1);
  });

  it('adds a copy of the tiny model that transcribes by name, then refuses it once a byte changes or a file goes', async () => {
    const env = freshEnv();
    const source = join(tempDir(), 'Tiny Copy');
    cpSync(TINY, source, { recursive: true });

    const added = await models(env, 'add', source);
    expect(added.code, added.stderr).toBe(0);
    const dir = join(env.EARSHOT_MODELS_DIR, 'tiny-copy');
    expect(added.stdout).toContain(`into ${dir}`);
    expect(added.stdout).toContain('--model tiny-copy');
    const manifest = JSON.parse(readFileSync(join(dir, 'earshot-model.json'), 'utf8')) as {
      name: string;
      files: Record<string, string>;
    };
    expect(manifest.name).toBe('tiny-copy');
    expect(manifest.files[ENCODER]).toBe(TINY_ENCODER_SHA256);
    expect(Object.keys(manifest.files)).toContain('vocab.json');
    expect((await list(env)).models.find((m) => m.name === 'tiny-copy')).toMatchObject({ origin: 'user', dir });

    const good = await transcribe(env, 'tiny-copy');
    expect(good.code).toBe(0);
    expect(good.result.model).toBe('tiny-copy');
    expect(good.result.text).toMatch(JFK);

    const encoder = join(dir, ENCODER);
    const bytes = readFileSync(encoder);
    bytes[1000] = bytes[1000]! ^ 0x01;
    writeFileSync(encoder, bytes);
    const bad = await transcribe(env, 'tiny-copy');
    expect(bad.code).toBe(1);
    expect(bad.result.error).toMatchObject({ code: 'ModelIntegrityError', message: expect.stringContaining(encoder) });

    bytes[1000] = bytes[1000]! ^ 0x01;
    writeFileSync(encoder, bytes); // restored; now a file goes missing
    rmSync(join(dir, 'onnx/decoder_model_merged_quantized.onnx'));
    const missing = await transcribe(env, 'tiny-copy');
    expect(missing.code).toBe(1);
    expect(missing.result.error).toMatchObject({
      code: 'ModelMissing',
      message: expect.stringContaining('decoder_model_merged_quantized.onnx'),
    });

    const unknown = await transcribe(env, 'no-such-model');
    expect(unknown.code).toBe(1);
    expect(unknown.result.error).toMatchObject({
      code: 'UnknownModel',
      message: expect.stringContaining('whisper-tiny, whisper-base, tiny-copy'),
    });
  }, 90_000);

  it('refuses a folder without tokenizer.json, a name that is taken, and the same model twice', async () => {
    const env = freshEnv();
    const source = join(tempDir(), 'whisper-tiny');
    cpSync(TINY, source, { recursive: true });

    const taken = await models(env, 'add', source);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('there is already a model called "whisper-tiny" (packaged with Earshot)');

    const added = await models(env, 'add', source, '--name', 'mine');
    expect(added.code, added.stderr).toBe(0);
    const again = await models(env, 'add', source, '--name', 'mine');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/there is already a model called "mine" \(.*models.mine\); choose another/);

    rmSync(join(source, 'tokenizer.json'));
    const incomplete = await models(env, 'add', source, '--name', 'incomplete');
    expect(incomplete.code).toBe(1);
    expect(incomplete.stderr).toContain(
      `earshot: ${source} is not a Whisper model in the transformers.js layout: it has no tokenizer.json.`,
    );
    expect(readdirSync(env.EARSHOT_MODELS_DIR)).toEqual(['mine']);
  });
});

describe('earshot models download', () => {
  let server: FileServer;
  const urlPath = (path: string) => `/${REPO}/resolve/main/${path}`;

  /** Serves the tiny model's files as the repository, except those named. */
  const serveTiny = (...except: string[]) => {
    for (const [path, data] of tinyFiles()) if (!except.includes(path)) server.serve(urlPath(path), data);
  };

  beforeEach(async () => (server = await FileServer.start()));
  afterEach(() => server.close());

  it('downloads a repository into a working, pinned model; again, it only verifies', async () => {
    const env = freshEnv();
    serveTiny('normalizer.json'); // optional: skipped
    const run = await models(env, 'download', REPO, '--base-url', server.baseUrl, '--json');
    expect(run.code, run.stderr).toBe(0);
    // stdout carries the result alone; progress goes to stderr.
    const result = JSON.parse(run.stdout) as { name: string; dir: string; files: { path: string; outcome: string }[] };
    const dir = join(env.EARSHOT_MODELS_DIR, 'whisper-tiny-copy');
    expect(result).toMatchObject({ name: 'whisper-tiny-copy', dir, repo: REPO, revision: 'main' });
    expect(result.files.map((f) => f.outcome)).toEqual(Array(11).fill('downloaded'));
    expect(run.stderr).toContain('normalizer.json: not in the repository; skipped');
    expect(run.stderr).toMatch(/\[11\/11\] onnx\/decoder_model_merged_quantized\.onnx: 30\.7 MB, done/);

    const manifest = JSON.parse(readFileSync(join(dir, 'earshot-model.json'), 'utf8')) as {
      source: string;
      files: Record<string, string>;
    };
    expect(manifest.source).toBe(`${REPO}@main`);
    expect(manifest.files[ENCODER]).toBe(TINY_ENCODER_SHA256);
    expect(manifest.files['normalizer.json']).toBeUndefined();
    expect((await list(env)).models.find((m) => m.name === 'whisper-tiny-copy')).toMatchObject({ origin: 'user' });
    const transcript = await transcribe(env, 'whisper-tiny-copy');
    expect(transcript.code).toBe(0);
    expect(transcript.result.text).toMatch(JFK);

    const again = await models(env, 'download', REPO, '--base-url', server.baseUrl);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Already downloaded and verified: /);
    expect(server.requestsFor(urlPath(ENCODER))).toHaveLength(1);
  }, 60_000);

  it('fails on a missing file with a clear message and leaves no model folder', async () => {
    const env = freshEnv();
    serveTiny('tokenizer.json');
    const run = await models(env, 'download', REPO, '--base-url', server.baseUrl, '--name', 'nope', '--json');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`earshot: tokenizer.json is not in ${REPO} at revision main (HTTP 404`);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'ModelDownloadFailed' } });
    expect(existsSync(join(env.EARSHOT_MODELS_DIR, 'nope'))).toBe(false);
    expect((await list(env)).models.map((m) => m.name)).toEqual(['whisper-tiny', 'whisper-base']);
    // The large files were never requested: the small ones go first.
    expect(server.requestsFor(urlPath(ENCODER))).toEqual([]);
  });

  it('stops cleanly on Ctrl-C with progress shown, and the same command resumes', async () => {
    const env = freshEnv();
    serveTiny();
    server.pace(urlPath(ENCODER), 2_000_000);
    const args = ['models', 'download', REPO, '--base-url', server.baseUrl, '--name', 'resumed'];
    const child = spawnCli(args, env);
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    // A percentage line for the slow encoder (at most every 500 ms), or an early exit that fails below.
    await Promise.race([
      exited,
      new Promise<void>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/\[11\/12\] onnx\/encoder_model_quantized\.onnx: \d+% of 10\.1 MB$/m.test(stderr)) resolve();
        });
      }),
    ]);
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stderr).toContain('Download cancelled. Run the same command again to resume where it stopped.');
    expect(stderr).not.toContain('earshot:');
    const destination = join(env.EARSHOT_MODELS_DIR, 'resumed');
    expect(existsSync(destination)).toBe(false);
    const kept = statSync(partFileOf(destination, ENCODER)).size;
    expect(kept).toBeGreaterThan(0);

    server.pace(urlPath(ENCODER), 1e9);
    const resumed = await runCli([...args, '--json'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = JSON.parse(resumed.stdout) as { files: { path: string; outcome: string; sha256: string }[] };
    expect(result.files.find((f) => f.path === ENCODER)).toMatchObject({
      outcome: 'resumed',
      sha256: TINY_ENCODER_SHA256,
    });
    expect(server.requestsFor(urlPath(ENCODER)).at(-1)?.range).toBe(`bytes=${kept}-`);
  }, 60_000);
});
