// The Models view's contract over the real services and guarded router: a download from a local mirror
// with progress events, a cancel that leaves nothing behind, a failed download, and deleting a model a
// profile uses.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelDownloadEvent } from '../../src/shared/models';
import { findPreset } from '../../src/shared/profiles';
import { FileServer } from '../support/file-server';
import { loopbackBridge } from '../support/loopback-bridge';
import { useTempDirs } from '../support/temp-dir';
import { ENCODER, TINY_ENCODER_SHA256, tinyFiles } from '../support/tiny-model';

const tempDir = useTempDirs();
const REPO = 'Xenova/whisper-tiny-mirror';
const urlPath = (path: string) => `/${REPO}/resolve/main/${path}`;

describe('models over IPC', () => {
  let server: FileServer;
  beforeEach(async () => {
    server = await FileServer.start();
    for (const [path, data] of tinyFiles()) server.serve(urlPath(path), data);
  });
  afterEach(() => server.close());

  async function open() {
    const modelsDir = join(tempDir(), 'models');
    const { api, services } = await loopbackBridge(tempDir(), { modelsDir });
    const events: ModelDownloadEvent[] = [];
    const off = api.onModelDownload((event) => events.push(event));
    const ended = () =>
      new Promise<ModelDownloadEvent>((resolve) => {
        const stop = api.onModelDownload((event) => {
          if (['done', 'failed', 'cancelled'].includes(event.state)) {
            stop();
            resolve(event);
          }
        });
      });
    return {
      api,
      services,
      modelsDir,
      events,
      ended,
      dispose: async () => {
        off();
        await services.dispose();
      },
    };
  }

  it('downloads from a mirror with progress and speed, lists it verified, and refuses to delete it while a profile uses it', async () => {
    const m = await open();
    try {
      const before = await m.api.listModels();
      expect(before.models.map((x) => x.name)).toEqual(['whisper-tiny', 'whisper-base']);
      expect(before.models[0]).toMatchObject({
        origin: 'package',
        problem: null,
        encoderSha256: TINY_ENCODER_SHA256,
        usedBy: expect.arrayContaining(['Balanced', 'Low latency']),
      });

      // Slow enough for several progress events with a speed.
      server.pace(urlPath(ENCODER), 8_000_000);
      const end = m.ended();
      expect(await m.api.downloadModel({ repo: REPO, baseUrl: server.baseUrl, name: 'mirrored' })).toEqual({
        name: 'mirrored',
      });
      // One at a time.
      await expect(m.api.downloadModel({ repo: REPO, baseUrl: server.baseUrl, name: 'other' })).rejects.toMatchObject({
        code: 'ModelDownloadFailed',
      });
      const done = await end;
      expect(done).toMatchObject({ state: 'done', name: 'mirrored', error: null });
      const progress = m.events.filter((e) => e.state === 'downloading');
      expect(progress.length).toBeGreaterThan(2);
      const received = progress.map((e) => e.receivedBytes);
      expect(received).toEqual([...received].sort((a, b) => a - b));
      expect(progress.some((e) => e.file === ENCODER && e.bytesPerSecond !== null && e.bytesPerSecond > 0)).toBe(true);
      expect(done.totalBytes).toBe(done.receivedBytes);
      expect(m.events[0]?.state).toBe('starting');

      const after = await m.api.listModels();
      const row = after.models.find((x) => x.name === 'mirrored');
      expect(row).toMatchObject({
        origin: 'user',
        problem: null,
        encoderSha256: TINY_ENCODER_SHA256,
        usedBy: [],
        source: `${REPO}@main`,
      });
      expect(after.download).toBeNull();

      // A profile of the user's that uses it: deleting is refused, naming the profile.
      await m.api.saveProfile({
        ...findPreset('balanced')!,
        id: 'mine',
        name: 'Mine',
        basedOn: 'balanced',
        model: 'mirrored',
      });
      expect((await m.api.listModels()).models.find((x) => x.name === 'mirrored')?.usedBy).toEqual(['Mine']);
      await expect(m.api.deleteModel({ name: 'mirrored' })).rejects.toMatchObject({
        code: 'ModelInUse',
        message: expect.stringContaining('used by the profile Mine'),
      });
      await expect(m.api.deleteModel({ name: 'whisper-tiny' })).rejects.toMatchObject({ code: 'ModelInUse' });
      // A name another model has is refused before anything starts.
      await expect(
        m.api.downloadModel({ repo: REPO, baseUrl: server.baseUrl, name: 'whisper-base' }),
      ).rejects.toMatchObject({ code: 'ModelNameTaken', message: expect.stringContaining('packaged with Earshot') });
      expect(existsSync(join(m.modelsDir, 'mirrored'))).toBe(true);

      await m.api.deleteProfile({ id: 'mine' });
      const deleted = await m.api.deleteModel({ name: 'mirrored' });
      expect(deleted.models.map((x) => x.name)).toEqual(['whisper-tiny', 'whisper-base']);
      expect(readdirSync(m.modelsDir)).toEqual([]);
    } finally {
      await m.dispose();
    }
  }, 60_000);

  it('cancels a download part-way and leaves nothing behind', async () => {
    const m = await open();
    try {
      server.pace(urlPath(ENCODER), 1_000_000);
      const end = m.ended();
      await m.api.downloadModel({ repo: REPO, baseUrl: server.baseUrl, name: 'cancelled' });
      await expect
        .poll(() => m.events.some((e) => e.file === ENCODER && e.state === 'downloading' && e.receivedBytes > 0), {
          timeout: 20_000,
        })
        .toBe(true);
      expect((await m.api.listModels()).download).toMatchObject({ state: 'downloading', name: 'cancelled' });
      expect(await m.api.cancelModelDownload()).toEqual({ cancelled: true });
      expect(await end).toMatchObject({ state: 'cancelled', name: 'cancelled' });
      expect(readdirSync(m.modelsDir)).toEqual([]);
      expect((await m.api.listModels()).models.map((x) => x.name)).not.toContain('cancelled');
      expect(await m.api.cancelModelDownload()).toEqual({ cancelled: false });
    } finally {
      await m.dispose();
    }
  }, 60_000);

  it('reports a failed download with its reason and keeps nothing; a bad request never reaches the library', async () => {
    const m = await open();
    try {
      const broken = 'Xenova/whisper-broken';
      for (const [path, data] of tinyFiles())
        if (path !== 'tokenizer.json') server.serve(`/${broken}/resolve/main/${path}`, data);
      const end = m.ended();
      await m.api.downloadModel({ repo: broken, baseUrl: server.baseUrl });
      expect(await end).toMatchObject({
        state: 'failed',
        name: 'whisper-broken',
        error: { code: 'ModelDownloadFailed', message: expect.stringContaining('tokenizer.json is not in') },
      });
      expect(readdirSync(m.modelsDir)).toEqual([]);

      await expect(m.api.downloadModel({ repo: '../etc', baseUrl: server.baseUrl })).rejects.toMatchObject({
        code: 'InvalidPayload',
      });
      await expect(m.api.downloadModel({ repo: REPO, baseUrl: 'file:///etc' })).rejects.toMatchObject({
        code: 'InvalidPayload',
      });
      await expect(m.api.addModel({ folder: join(tempDir(), 'nothing') })).rejects.toMatchObject({
        code: 'ModelMissing',
      });
      await expect(m.api.deleteModel({ name: 'nope' })).rejects.toMatchObject({ code: 'UnknownModel' });
    } finally {
      await m.dispose();
    }
  });
});
