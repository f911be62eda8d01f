import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AppError, type ErrorCode } from '../../shared/errors';

/** Hugging Face itself; mirrors and tests pass their own base URL. */
export const HUGGING_FACE_URL = 'https://huggingface.co';

const DOWNLOAD_FAILED: ErrorCode = 'ModelDownloadFailed';
const DOWNLOAD_CANCELLED: ErrorCode = 'DownloadCancelled';

/** Inside the staging folder, unfinished files are `.partial/<path>.part`. */
const PARTIAL_DIR = '.partial';

export interface ModelFileSpec {
  /** Path inside the repository, `/`-separated, e.g. `onnx/encoder_model_quantized.onnx`. */
  path: string;
  /** Pinned hash (hex). Without it, a file is trusted once the server has sent all of it. */
  sha256?: string;
  /** Size in bytes: checked when there is no hash, and gives progress a total before the server answers. */
  size?: number;
}

export interface ModelDownloadRequest {
  /** `owner/name`, e.g. `Xenova/whisper-tiny.en`. */
  repo: string;
  /** Branch, tag or commit; `main` by default. A commit makes the download reproducible. */
  revision?: string;
  files: readonly ModelFileSpec[];
  /** The model folder to create, e.g. `<models>/whisper-tiny.en`. */
  destination: string;
}

export interface DownloadProgress {
  /** The file's path in the repository. */
  file: string;
  fileIndex: number;
  files: number;
  /** `downloading` is throttled; each file ends with exactly one `done` or `skipped`. */
  state: 'downloading' | 'done' | 'skipped';
  /** Bytes of this file on disk so far, a resumed part included. */
  receivedBytes: number;
  /** From Content-Length or Content-Range, else the requested size; undefined when neither is known. */
  totalBytes: number | undefined;
  overallReceived: number;
  /** Undefined until the size of every file is known. */
  overallTotal: number | undefined;
}

export interface ModelDownloadOptions {
  /** Default `https://huggingface.co`; a mirror or a test server otherwise. */
  baseUrl?: string;
  /** Access token for gated or private repositories, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Stops the transfer; what was received stays on disk and the next call resumes from it. */
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Least time between two `downloading` events (default 100 ms). */
  progressIntervalMs?: number;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

export interface DownloadedFile {
  path: string;
  /** `skipped`: already there and verified; `resumed`: continued from a part file left by an earlier run. */
  outcome: 'downloaded' | 'resumed' | 'skipped';
  bytes: number;
}

export interface ModelDownloadResult {
  destination: string;
  files: DownloadedFile[];
}

/** The URL of one file: `<baseUrl>/<repo>/resolve/<revision>/<path>`, as on Hugging Face. */
export function fileUrl(baseUrl: string, repo: string, revision: string, path: string): string {
  const segments = (value: string) => value.split('/').map(encodeURIComponent).join('/');
  return `${baseUrl.replace(/\/+$/, '')}/${segments(repo)}/resolve/${encodeURIComponent(revision)}/${segments(path)}`;
}

/**
 * Where a model is assembled before it appears: a hidden folder beside the destination, so
 * on the same file system and published with one `rename`.
 */
export function stagingFolderOf(destination: string): string {
  const absolute = resolve(destination);
  return join(dirname(absolute), `.${basename(absolute)}.download`);
}

/** The part file that holds the bytes received so far of one file. */
export function partFileOf(destination: string, path: string): string {
  return join(stagingFolderOf(destination), PARTIAL_DIR, `${path}.part`);
}

/**
 * Downloads a model's files from a Hugging Face style server into `request.destination`.
 *
 * The destination appears in one `rename` once every file is downloaded and verified; until
 * then everything lives in the staging folder, so the model folder never holds a half-written
 * model. A destination that already holds every file (matching its sha256 where given) is left
 * alone; an incomplete one is moved into staging, completed there and moved back. On failure
 * or cancel the staging folder stays, and the next call resumes from it.
 */
export async function downloadModel(
  request: ModelDownloadRequest,
  options: ModelDownloadOptions = {},
): Promise<ModelDownloadResult> {
  request.files.forEach((file) => checkFilePath(file.path));
  const destination = resolve(request.destination);
  const staging = stagingFolderOf(destination);
  const transfer: Transfer = {
    repo: request.repo,
    revision: request.revision ?? 'main',
    baseUrl: options.baseUrl ?? HUGGING_FACE_URL,
    token: options.token,
    signal: options.signal,
    fetch: options.fetch ?? fetch,
    staging,
    progress: new ProgressReporter(request.files, options.onProgress, options.progressIntervalMs ?? 100),
  };
  try {
    const published = await isFolder(destination);
    const present = await verifiedFiles(published ? destination : staging, request.files, options.signal);
    const outcomes: DownloadedFile[] = [];
    const skip = (index: number, path: string, bytes: number) => {
      transfer.progress.finish(index, bytes, 'skipped');
      outcomes.push({ path, outcome: 'skipped', bytes });
    };
    if (published && present.size === request.files.length) {
      request.files.forEach((file, index) => skip(index, file.path, present.get(file.path) ?? 0));
      await rm(staging, { recursive: true, force: true });
      return { destination, files: outcomes };
    }
    if (published) {
      // Out of sight while it is completed. A staging folder already there is older than
      // this destination (someone made it by hand meanwhile), so the destination wins.
      await rm(staging, { recursive: true, force: true });
      await rename(destination, staging);
    }
    await mkdir(staging, { recursive: true });
    for (const [index, file] of request.files.entries()) {
      options.signal?.throwIfAborted();
      const bytes = present.get(file.path);
      if (bytes === undefined) outcomes.push(await downloadFile(transfer, index, file));
      else skip(index, file.path, bytes);
    }
    options.signal?.throwIfAborted();
    await rm(join(staging, PARTIAL_DIR), { recursive: true, force: true });
    await rename(staging, destination);
    return { destination, files: outcomes };
  } catch (error) {
    throw asAppError(error, transfer, destination);
  }
}

interface Transfer {
  repo: string;
  revision: string;
  baseUrl: string;
  token: string | undefined;
  signal: AbortSignal | undefined;
  fetch: typeof fetch;
  staging: string;
  progress: ProgressReporter;
}

/** Downloads one file into its part file, resuming what is there, then verifies it and renames it into staging. */
async function downloadFile(transfer: Transfer, index: number, file: ModelFileSpec): Promise<DownloadedFile> {
  const part = join(transfer.staging, PARTIAL_DIR, `${file.path}.part`);
  await mkdir(dirname(part), { recursive: true });
  let offset = (await fileSize(part)) ?? 0;
  let response = await requestFile(transfer, file, offset);
  if (offset > 0 && !continuesPart(response, offset)) {
    // The server ignored the Range (200), or its answer does not fit our part: start over.
    await response.body?.cancel();
    offset = 0;
    response = await requestFile(transfer, file, 0);
  }

  const hash = createHash('sha256');
  if (offset > 0) await hashFile(part, hash, transfer.signal);
  let received = offset;
  if (response.status === 416) {
    // Nothing lies beyond our last byte: the part is the whole file, and the checks below decide.
    await response.body?.cancel();
  } else {
    const total = totalBytesOf(response, offset) ?? file.size;
    transfer.progress.start(index, offset, total);
    received = await receive(transfer, index, file, response, part, hash, offset);
    if (total !== undefined && received !== total) {
      throw interrupted(transfer, file, `the server sent ${received} of ${total} bytes`);
    }
  }

  const actual = hash.digest('hex');
  const expected = file.sha256?.toLowerCase();
  if (expected !== undefined ? actual !== expected : file.size !== undefined && received !== file.size) {
    await rm(part, { force: true });
    const found =
      expected !== undefined ? `sha256 ${actual}, expected ${expected}` : `${received} bytes, expected ${file.size}`;
    throw new AppError(
      'ModelIntegrityError',
      `The downloaded ${file.path} of ${transfer.repo} (revision ${transfer.revision}) is not the expected file: ${found}. ` +
        'The broken download was deleted. Try again; if it fails the same way, the pinned hash or the revision is wrong.',
    );
  }
  const target = join(transfer.staging, file.path);
  await mkdir(dirname(target), { recursive: true });
  await rename(part, target);
  transfer.progress.finish(index, received, 'done');
  return { path: file.path, outcome: offset > 0 ? 'resumed' : 'downloaded', bytes: received };
}

/** Streams the body into the part file (appending after `offset`), hashing as it goes; returns the file's size. */
async function receive(
  transfer: Transfer,
  index: number,
  file: ModelFileSpec,
  response: Response,
  part: string,
  hash: Hash,
  offset: number,
): Promise<number> {
  let received = offset;
  async function* body(): AsyncGenerator<Uint8Array> {
    if (!response.body) return;
    try {
      // Node's web streams are async iterable; the DOM typings (tests' tsconfig) do not say so.
      yield* response.body as unknown as AsyncIterable<Uint8Array>;
    } catch (error) {
      throw interrupted(transfer, file, reasonOf(error));
    }
  }
  async function* meter(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      hash.update(chunk);
      received += chunk.byteLength;
      yield chunk;
      transfer.progress.update(index, received);
    }
  }
  // pipeline keeps to the file stream's backpressure, so memory stays at a few chunks;
  // `flush` syncs the part before it is renamed into place.
  const out = createWriteStream(part, { flags: offset > 0 ? 'a' : 'w', flush: true });
  await pipeline(body(), meter, out, transfer.signal ? { signal: transfer.signal } : {});
  return received;
}

async function requestFile(transfer: Transfer, file: ModelFileSpec, offset: number): Promise<Response> {
  const url = fileUrl(transfer.baseUrl, transfer.repo, transfer.revision, file.path);
  // Byte ranges must count the file's own bytes, so no transparent compression.
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  if (transfer.token) headers.authorization = `Bearer ${transfer.token}`;
  let response: Response;
  try {
    response = await transfer.fetch(url, { headers, redirect: 'follow', signal: transfer.signal ?? null });
  } catch (error) {
    if (transfer.signal?.aborted) throw error;
    throw new AppError(
      DOWNLOAD_FAILED,
      `Could not reach ${transfer.baseUrl} to download ${file.path} of ${transfer.repo} (${reasonOf(error)}). ` +
        'Check the network connection and the model download address, then try again.',
    );
  }
  if (response.status === 200 || response.status === 206 || (response.status === 416 && offset > 0)) return response;
  await response.body?.cancel();
  throw httpError(transfer, file, response, url);
}

function httpError(transfer: Transfer, file: ModelFileSpec, response: Response, url: string): AppError {
  const { repo, revision, baseUrl } = transfer;
  const status = `HTTP ${response.status}`;
  if (response.status === 404) {
    return new AppError(
      DOWNLOAD_FAILED,
      `${file.path} is not in ${repo} at revision ${revision} (${status} from ${url}). ` +
        `Check the repository name, the revision and the file list, and that ${baseUrl} serves this model.`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    return new AppError(
      DOWNLOAD_FAILED,
      transfer.token
        ? `${baseUrl} refused the access token for ${repo} (${status} for ${file.path}). ` +
            "Check the token, and that its account has accepted the model's terms on the model's page."
        : `${repo} is gated or private (${status} for ${file.path}). ` +
            "Accept the model's terms on its page, create an access token and set it, then try again.",
    );
  }
  return new AppError(
    DOWNLOAD_FAILED,
    `${baseUrl} answered ${status} ${response.statusText} for ${file.path} of ${repo}. Try again later.`,
  );
}

/** Whether the answer to `Range: bytes=<offset>-` continues our part: a 206 from offset, or a 416 for a part already whole. */
function continuesPart(response: Response, offset: number): boolean {
  const range = parseContentRange(response.headers.get('content-range'));
  if (response.status === 206) return range?.start === offset;
  if (response.status === 416) return range?.total === undefined || range.total === offset;
  return false;
}

/** The size of the whole file, from Content-Range (206) or Content-Length (200). */
function totalBytesOf(response: Response, offset: number): number | undefined {
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const range = parseContentRange(response.headers.get('content-range'));
  if (response.status === 206 && range?.total !== undefined) return range.total;
  if (!Number.isSafeInteger(length)) return undefined;
  return response.status === 206 ? offset + length : length;
}

/** Parses Content-Range, e.g. `bytes 100-199/200` (a 416 has `*` for the range); a `*` total is undefined. */
function parseContentRange(header: string | null): { start: number | undefined; total: number | undefined } | null {
  const match = /^bytes (?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(header?.trim() ?? '');
  if (!match) return null;
  const number = (text: string | undefined) => (text === undefined || text === '*' ? undefined : Number(text));
  return { start: number(match[1]), total: number(match[2]) };
}

/** Files of `folder` that are complete, by path, with their sizes. */
async function verifiedFiles(
  folder: string,
  files: readonly ModelFileSpec[],
  signal: AbortSignal | undefined,
): Promise<Map<string, number>> {
  const present = new Map<string, number>();
  for (const file of files) {
    const path = join(folder, file.path);
    const size = await fileSize(path);
    if (size === undefined || (file.size !== undefined && size !== file.size)) continue;
    if (file.sha256 !== undefined) {
      const actual = (await hashFile(path, createHash('sha256'), signal)).digest('hex');
      if (actual !== file.sha256.toLowerCase()) continue;
    }
    present.set(file.path, size);
  }
  return present;
}

async function hashFile(path: string, hash: Hash, signal: AbortSignal | undefined): Promise<Hash> {
  for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
  return hash;
}

/** The size of a regular file, or undefined when there is none at `path`. */
async function fileSize(path: string): Promise<number | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats.size : undefined;
  } catch (error) {
    if (errnoOf(error)?.code === 'ENOENT') return undefined;
    throw error;
  }
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if (errnoOf(error)?.code === 'ENOENT') return false;
    throw error;
  }
}

/** Paths come from a file list that may be remote: keep every file inside the model folder. */
function checkFilePath(path: string): void {
  const segments = path.split('/');
  const unsafe = segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'));
  if (unsafe || segments[0] === PARTIAL_DIR) {
    throw new AppError(
      DOWNLOAD_FAILED,
      `"${path}" is not a file path inside a model repository. Fix the model's file list.`,
    );
  }
}

function interrupted(transfer: Transfer, file: ModelFileSpec, reason: string): AppError {
  return new AppError(
    DOWNLOAD_FAILED,
    `The download of ${file.path} from ${transfer.baseUrl} was interrupted (${reason}). ` +
      'Try again: it resumes where it stopped.',
  );
}

/** Every failure leaves as an AppError: cancelled, already named, or a disk error. */
function asAppError(error: unknown, transfer: Transfer, destination: string): unknown {
  if (transfer.signal?.aborted) {
    return new AppError(
      DOWNLOAD_CANCELLED,
      `Downloading ${transfer.repo} was cancelled. Start it again to resume where it stopped.`,
    );
  }
  if (error instanceof AppError) return error;
  const errno = errnoOf(error);
  if (errno?.syscall === undefined) return error;
  const advice =
    errno.code === 'ENOSPC'
      ? 'Free some disk space'
      : errno.code === 'EACCES' || errno.code === 'EPERM' || errno.code === 'EROFS'
        ? 'Choose a models folder Earshot may write to'
        : 'Check the models folder';
  return new AppError(
    DOWNLOAD_FAILED,
    `Could not save ${transfer.repo} in ${dirname(destination)} (${errno.message}). ${advice}, then try again.`,
  );
}

function errnoOf(error: unknown): NodeJS.ErrnoException | undefined {
  return error instanceof Error && 'code' in error ? (error as NodeJS.ErrnoException) : undefined;
}

/** fetch reports "fetch failed" or "terminated"; the useful part is its cause. */
function reasonOf(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** Per-file and overall byte counts, with `downloading` events throttled and each file's last event always sent. */
class ProgressReporter {
  private readonly totals: (number | undefined)[];
  private readonly received: number[];
  private lastEvent = -Infinity;

  constructor(
    private readonly files: readonly ModelFileSpec[],
    private readonly listener: ((progress: DownloadProgress) => void) | undefined,
    private readonly intervalMs: number,
  ) {
    this.totals = files.map((file) => file.size);
    this.received = files.map(() => 0);
  }

  start(index: number, received: number, total: number | undefined): void {
    this.totals[index] = total;
    this.update(index, received);
  }

  update(index: number, received: number): void {
    this.received[index] = received;
    const now = performance.now();
    if (now - this.lastEvent < this.intervalMs) return;
    this.lastEvent = now;
    this.emit(index, 'downloading');
  }

  finish(index: number, bytes: number, state: 'done' | 'skipped'): void {
    this.received[index] = bytes;
    this.totals[index] = bytes;
    // The next file's first event is not held back by this one's.
    this.lastEvent = -Infinity;
    this.emit(index, state);
  }

  private emit(index: number, state: DownloadProgress['state']): void {
    if (!this.listener) return;
    const known = this.totals.every((total) => total !== undefined);
    this.listener({
      file: this.files[index]?.path ?? '',
      fileIndex: index,
      files: this.files.length,
      state,
      receivedBytes: this.received[index] ?? 0,
      totalBytes: this.totals[index],
      overallReceived: sum(this.received),
      overallTotal: known ? sum(this.totals as number[]) : undefined,
    });
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
