// Model files are checked against their pinned sha256 before ONNX Runtime ever sees them.
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ModelLoader,
  modelFolder,
  packagedModels,
  reportModels,
  sha256File,
} from '../../../src/main/worker/models/model-loader';
import { EMBEDDING, KEYWORD_MODELS, MELSPECTROGRAM, SILERO_VAD } from '../../../src/main/worker/models/model-manifest';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();
const ALL = [MELSPECTROGRAM, EMBEDDING, SILERO_VAD, ...Object.values(KEYWORD_MODELS)];

describe('model integrity', () => {
  it('every packaged model matches its pinned hash', async () => {
    for (const model of ALL) expect(await sha256File(packagedModels.pathOf(model)), model.id).toBe(model.sha256);
  });

  it('opens a verified model as an ONNX Runtime session', async () => {
    const session = await new ModelLoader().session(KEYWORD_MODELS.alexa!, 1);
    expect(session.inputNames).toHaveLength(1);
    await session.release();
  });

  it('reports each session to the Monitor when it opens (on the CPU, with its size and load time) and once when it is released', async () => {
    const events: string[] = [];
    let opened: { id: string; model: string; provider: string; bytes: number; ms: number } | undefined;
    reportModels({
      loaded: (model) => {
        opened = model;
        events.push(`loaded ${model.id}`);
      },
      released: (id) => events.push(`released ${id}`),
    });
    try {
      const session = await new ModelLoader().session(SILERO_VAD, 1);
      expect(opened).toMatchObject({
        model: SILERO_VAD.id,
        provider: 'cpu',
        bytes: statSync(packagedModels.pathOf(SILERO_VAD)).size,
      });
      expect(opened!.ms).toBeGreaterThan(0);
      await session.release();
      await session.release();
      expect(events).toEqual([`loaded ${opened!.id}`, `released ${opened!.id}`]);
    } finally {
      reportModels(undefined);
    }
  });

  it('refuses a corrupted model with ModelIntegrityError naming the path and both hashes', async () => {
    const dir = tempDir();
    const path = join(dir, 'melspectrogram.onnx');
    copyFileSync(packagedModels.pathOf(MELSPECTROGRAM), path);
    const loader = new ModelLoader(modelFolder(dir));
    await expect(loader.verify(MELSPECTROGRAM)).resolves.toBe(path);
    const bytes = readFileSync(path);
    bytes[1000] = bytes[1000]! ^ 0xff; // one flipped byte
    writeFileSync(path, bytes);
    const error = await loader.session(MELSPECTROGRAM, 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ModelIntegrityError' });
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toContain(`expected ${MELSPECTROGRAM.sha256}`);
    expect(message).toMatch(/sha256 [0-9a-f]{64}, expected/);
  });

  it('reports a missing model file as ModelMissing with what to do', async () => {
    const loader = new ModelLoader(modelFolder(tempDir()));
    await expect(loader.verify(SILERO_VAD)).rejects.toMatchObject({
      code: 'ModelMissing',
      message: expect.stringContaining('Reinstall Earshot (npm ci)') as unknown,
    });
  });
});
