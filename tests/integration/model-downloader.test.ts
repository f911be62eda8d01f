// The model downloader against a real HTTP server on 127.0.0.1: progress, skip, resume, cancel, redirects and errors.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  downloadModel,
  partFileOf,
  stagingFolderOf,
  type DownloadProgress,
  type ModelDownloadRequest,
  type ModelFileSpec,
} from '../../src/main/models/model-downloader';
import { AppError } from '../../src/shared/errors';
import { FileServer } from '../support/file-server';
import { useTempDirs } from '../support/temp-dir';

const REPO = 'Xenova/whisper-tiny.en';
const MiB = 1024 * 1024;

/** Reproducible pseudo-random bytes (xorshift32), so payloads are incompressible and distinct per seed. */
function seededBytes(seed: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A small Whisper-like model: two JSON files and two "ONNX" files of a few MB. */
const MODEL: Record<string, Buffer> = {
  'config.json': Buffer.from(JSON.stringify({ model_type: 'whisper', d_model: 384 })),
  'tokenizer.json': seededBytes(1, 300_000),
  'onnx/encoder_model_quantized.onnx': seededBytes(2, 3 * MiB + 123),
  'onnx/decoder_model_merged_quantized.onnx': seededBytes(3, 4 * MiB + 7),
};
const ENCODER = 'onnx/encoder_model_quantized.onnx';
const urlPath = (path: string, revision = 'main') => `/${REPO}/resolve/${revision}/${path}`;

/** The file list with hashes and sizes, except config.json, whose size must come from Content-Length. */
function specs(overrides: Record<string, Partial<ModelFileSpec>> = {}): ModelFileSpec[] {
  return Object.entries(MODEL).map(([path, data]) => ({
    path,
    sha256: sha256(data),
    ...(path === 'config.json' ? {} : { size: data.length }),
    ...overrides[path],
  }));
}

const tempDir = useTempDirs();
let server: FileServer;
let destination: string;

beforeEach(async () => {
  server = await FileServer.start();
  for (const [path, data] of Object.entries(MODEL)) server.serve(urlPath(path), data);
  destination = join(tempDir(), 'models', 'whisper-tiny.en');
});
afterEach(() => server.close());

function download(files = specs(), options: Parameters<typeof downloadModel>[1] = {}) {
  const request: ModelDownloadRequest = { repo: REPO, files, destination };
  return downloadModel(request, { baseUrl: server.baseUrl, ...options });
}

async function expectModelInPlace(): Promise<void> {
  for (const [path, data] of Object.entries(MODEL)) {
    expect((await readFile(join(destination, path))).equals(data), path).toBe(true);
  }
  expect(existsSync(join(destination, '.partial'))).toBe(false);
  expect(existsSync(stagingFolderOf(destination))).toBe(false);
}

/** Fails the download with the AppError it should raise, and returns it. */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('downloadModel', () => {
  it('downloads every file with progress, and the model folder appears only when complete', async () => {
    const events: DownloadProgress[] = [];
    let destinationSeenEarly = false;
    const result = await download(specs(), {
      onProgress: (p) => {
        events.push(p);
        destinationSeenEarly ||= existsSync(destination);
      },
    });

    await expectModelInPlace();
    expect(destinationSeenEarly).toBe(false);
    expect(result.files.map((f) => f.outcome)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded']);
    expect(server.requests.every((r) => r.acceptEncoding === 'identity' && r.range === undefined)).toBe(true);

    const total = Object.values(MODEL).reduce((n, data) => n + data.length, 0);
    const finals = events.filter((e) => e.state !== 'downloading');
    expect(finals.map((e) => [e.file, e.state, e.receivedBytes])).toEqual(
      Object.entries(MODEL).map(([path, data]) => [path, 'done', data.length]),
    );
    expect(finals.at(-1)).toMatchObject({ overallReceived: total, overallTotal: total, fileIndex: 3, files: 4 });
    // config.json has no size in the request: its total comes from Content-Length.
    expect(events[0]).toMatchObject({ file: 'config.json', receivedBytes: 0 });
    expect(events[0]?.totalBytes).toBe(MODEL['config.json']?.length);
    for (const [before, event] of events.slice(1).map((e, i) => [events[i]!, e] as const)) {
      expect(event.overallReceived).toBeGreaterThanOrEqual(before.overallReceived);
    }
  });

  it('throttles progress events while a file trickles in', async () => {
    // About 0.6 s for the encoder in ~60 steps of 50 KiB: without a throttle, one event per step.
    server.pace(urlPath(ENCODER), 5 * MiB);
    const times: number[] = [];
    await download([{ path: ENCODER }], {
      onProgress: (p) => {
        if (p.state === 'downloading') times.push(performance.now());
      },
    });
    expect(times.length).toBeGreaterThanOrEqual(3);
    expect(times.length).toBeLessThanOrEqual(15);
    // The throttle keeps 100 ms between events; the margin absorbs a busy machine's scheduling.
    times.slice(1).forEach((t, i) => expect(t - times[i]!).toBeGreaterThan(50));
  });

  it('skips files already in place and verified, and repairs only a damaged one', async () => {
    await download();
    const served = server.requests.length;
    const events: DownloadProgress[] = [];
    const again = await download(specs(), { onProgress: (p) => events.push(p) });
    expect(again.files.map((f) => f.outcome)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(events.map((e) => e.state)).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(server.requests.length).toBe(served);

    await writeFile(join(destination, ENCODER), seededBytes(99, 1000));
    const repaired = await download();
    expect(repaired.files.map((f) => f.outcome)).toEqual(['skipped', 'skipped', 'downloaded', 'skipped']);
    expect(server.requests.slice(served).map((r) => r.path)).toEqual([urlPath(ENCODER)]);
    await expectModelInPlace();
  });

  it('resumes an interrupted transfer with a Range request, and the server sends only the rest', async () => {
    server.cutAfter(urlPath(ENCODER), MiB);
    const error = await failure(download());
    expect(error.code).toBe('ModelDownloadFailed');
    expect(error.message).toMatch(/interrupted.*resumes where it stopped/);
    expect(existsSync(destination)).toBe(false);
    const kept = (await stat(partFileOf(destination, ENCODER))).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(MiB);

    const result = await download();
    expect(result.files.map((f) => f.outcome)).toEqual(['skipped', 'skipped', 'resumed', 'downloaded']);
    const [first, second] = server.requestsFor(urlPath(ENCODER));
    expect(first).toMatchObject({ range: undefined, status: 200, bytesSent: MiB });
    expect(second).toMatchObject({ range: `bytes=${kept}-`, status: 206, bytesSent: MODEL[ENCODER]!.length - kept });
    await expectModelInPlace();
  });

  it('starts over when the server ignores Range and answers 200', async () => {
    server.cutAfter(urlPath(ENCODER), MiB);
    await failure(download());
    server.ignoreRange = true;

    const result = await download();
    expect(result.files[2]).toMatchObject({ outcome: 'downloaded', bytes: MODEL[ENCODER]!.length });
    expect(server.requestsFor(urlPath(ENCODER))[1]).toMatchObject({
      range: expect.stringMatching(/^bytes=\d+-$/),
      status: 200,
      bytesSent: MODEL[ENCODER]!.length,
    });
    await expectModelInPlace();
  });

  it('takes a 416 for a whole part as complete, and for a part longer than the file starts over', async () => {
    const DECODER = 'onnx/decoder_model_merged_quantized.onnx';
    const whole = partFileOf(destination, ENCODER);
    const tooLong = partFileOf(destination, DECODER);
    await mkdir(dirname(whole), { recursive: true });
    await writeFile(whole, MODEL[ENCODER]!);
    await writeFile(tooLong, Buffer.concat([MODEL[DECODER]!, Buffer.from('stale tail')]));

    const result = await download();
    expect(result.files.slice(2)).toMatchObject([
      { outcome: 'resumed', bytes: MODEL[ENCODER]!.length },
      { outcome: 'downloaded', bytes: MODEL[DECODER]!.length },
    ]);
    expect(server.requestsFor(urlPath(ENCODER))).toMatchObject([{ status: 416, bytesSent: 0 }]);
    expect(server.requestsFor(urlPath(DECODER))).toMatchObject([{ status: 416 }, { range: undefined, status: 200 }]);
    await expectModelInPlace();
  });

  it('cancels promptly, keeps the part file, and a later call resumes from it', async () => {
    const stallAt = 512 * 1024;
    server.stallAfter(urlPath(ENCODER), stallAt);
    const controller = new AbortController();
    const running = download(specs(), { signal: controller.signal });
    const part = partFileOf(destination, ENCODER);
    await vi.waitFor(async () => expect((await stat(part)).size).toBe(stallAt), { timeout: 5000 });

    const abortedAt = performance.now();
    controller.abort();
    const error = await failure(running);
    expect(performance.now() - abortedAt).toBeLessThan(1000);
    expect(error.code).toBe('DownloadCancelled');
    expect(error.message).toMatch(/cancelled.*resume/);
    expect((await stat(part)).size).toBe(stallAt);
    expect(existsSync(destination)).toBe(false);

    const result = await download();
    expect(result.files[2]?.outcome).toBe('resumed');
    expect(server.requestsFor(urlPath(ENCODER))[1]).toMatchObject({ range: `bytes=${stallAt}-`, status: 206 });
    await expectModelInPlace();
  });

  it('names a file missing from the repository (404) and moves nothing into place', async () => {
    const files = [...specs(), { path: 'onnx/missing.onnx' }];
    const error = await failure(download(files));
    expect(error.code).toBe('ModelDownloadFailed');
    expect(error.message).toContain(`onnx/missing.onnx is not in ${REPO} at revision main (HTTP 404`);
    expect(existsSync(destination)).toBe(false);
  });

  it('deletes a download whose sha256 does not match, and says which hash it got', async () => {
    const wrong = 'ab'.repeat(32);
    const error = await failure(download(specs({ 'tokenizer.json': { sha256: wrong } })));
    expect(error.code).toBe('ModelIntegrityError');
    expect(error.message).toContain(`sha256 ${sha256(MODEL['tokenizer.json']!)}, expected ${wrong}`);
    expect(existsSync(partFileOf(destination, 'tokenizer.json'))).toBe(false);
    expect(existsSync(destination)).toBe(false);
  });

  it('follows a redirect to another path, as Hugging Face does to its CDN', async () => {
    const blob = '/cdn/blobs/0123abcd';
    server.redirect(urlPath(ENCODER), blob);
    server.serve(blob, MODEL[ENCODER]!);

    await download();
    expect(server.requests.filter((r) => r.status === 302).map((r) => r.path)).toEqual([urlPath(ENCODER)]);
    expect(server.requestsFor(blob)).toMatchObject([{ status: 200 }]);
    await expectModelInPlace();
  });

  it('asks for an access token for a gated model, and sends one as a bearer token', async () => {
    server.requireToken(urlPath(ENCODER), 'hf_secret');
    const error = await failure(download());
    expect(error.message).toMatch(/gated or private \(HTTP 401.*access token/);

    await download(specs(), { token: 'hf_secret' });
    expect(server.requestsFor(urlPath(ENCODER)).at(-1)).toMatchObject({
      authorization: 'Bearer hf_secret',
      status: 200,
    });
    await expectModelInPlace();
  });

  it('names the download address when no server answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));

    const error = await failure(download(specs(), { baseUrl }));
    expect(error.message).toContain(`Could not reach ${baseUrl}`);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('reports a folder it cannot write to as a disk error', async () => {
    const notAFolder = join(tempDir(), 'file');
    await writeFile(notAFolder, 'x');
    destination = join(notAFolder, 'whisper-tiny.en');

    const error = await failure(download());
    expect(error.message).toMatch(/^Could not save Xenova\/whisper-tiny.en in .*ENOTDIR.*Check the models folder/);
    expect(await readdir(dirname(notAFolder))).toEqual(['file']);
  });
});
