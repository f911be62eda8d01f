import { statSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import type { ModelDownloadEvent, ModelDownloadRequest, ModelRow, ModelsOverview } from '../../shared/models';
import type { Profile } from '../../shared/profiles';
import type { WhisperModelInfo } from '../worker/asr/whisper-registry';
import { HUGGING_FACE_URL, type DownloadProgress } from './model-downloader';
import { modelName, type ModelLibrary } from './model-library';

/** Progress events at most this often; the last one of a download is always sent. */
export const DOWNLOAD_EVENT_INTERVAL_MS = 250;
/** The speed is the bytes received over about this long. */
const SPEED_WINDOW_MS = 3000;

interface RunningDownload {
  controller: AbortController;
  event: ModelDownloadEvent;
  finished: Promise<void>;
}

export interface ModelsServiceOptions {
  library: ModelLibrary;
  /** Every profile (presets and the user's): which use which model. */
  profiles: () => readonly Profile[];
  /** Download progress, for the window. */
  emit: (event: ModelDownloadEvent) => void;
  /** The mirror when the request names none ($EARSHOT_HF_BASE_URL in the hosts). */
  defaultBaseUrl?: string;
}

/**
 * The Models view's side in main: the library's models with who uses them and whether their
 * files still match their pins, and one download at a time that reports progress and can be
 * cancelled without leaving anything behind.
 */
export class ModelsService {
  private running: RunningDownload | undefined;
  /** Verification results by file, kept while the file's size and time do not change. */
  private readonly verified = new Map<string, { stamp: string; problem: string | undefined }>();

  constructor(private readonly options: ModelsServiceOptions) {}

  get defaultBaseUrl(): string {
    return this.options.defaultBaseUrl ?? HUGGING_FACE_URL;
  }

  async overview(): Promise<ModelsOverview> {
    const { models, problems } = this.options.library.list();
    const rows: ModelRow[] = [];
    for (const model of models) rows.push(await this.row(model));
    return {
      models: rows,
      problems,
      userDir: this.options.library.userDir,
      download: this.running ? { ...this.running.event } : null,
      defaultBaseUrl: this.defaultBaseUrl,
    };
  }

  async add(folder: string, name: string | undefined): Promise<{ overview: ModelsOverview; added: string }> {
    const added = await this.options.library.add(folder, name);
    return { overview: await this.overview(), added: added.name };
  }

  async remove(name: string): Promise<ModelsOverview> {
    await this.options.library.remove(name, this.usersOf(name));
    return this.overview();
  }

  /**
   * Starts a download and answers at once with the name it will have; progress and the end
   * come as events. One at a time: a second is refused while the first runs.
   */
  startDownload(request: ModelDownloadRequest): { name: string } {
    if (this.running) {
      throw new AppError(
        'ModelDownloadFailed',
        `${this.running.event.repo} is still downloading: wait for it or cancel it first.`,
      );
    }
    const name = modelName(request.name, request.repo.split('/').pop() ?? request.repo);
    this.options.library.checkDownloadName(name);
    const controller = new AbortController();
    const event: ModelDownloadEvent = {
      repo: request.repo,
      name,
      state: 'starting',
      file: null,
      fileIndex: 0,
      files: 0,
      receivedBytes: 0,
      totalBytes: null,
      bytesPerSecond: null,
      error: null,
    };
    const running: RunningDownload = { controller, event, finished: Promise.resolve() };
    this.running = running;
    running.finished = this.run(running, { ...request, name });
    this.options.emit({ ...event });
    return { name };
  }

  /** Stops the download under way and removes everything it received. False when none runs. */
  async cancelDownload(): Promise<boolean> {
    const running = this.running;
    if (!running) return false;
    running.controller.abort();
    await running.finished;
    return true;
  }

  /** Waits for the download under way, if any (tests, and closing the app). */
  async dispose(): Promise<void> {
    await this.cancelDownload();
  }

  private async run(running: RunningDownload, request: ModelDownloadRequest & { name: string }): Promise<void> {
    const { event, controller } = running;
    const speed = new SpeedMeter();
    let lastSent = 0;
    const send = (force = false) => {
      const now = performance.now();
      if (!force && now - lastSent < DOWNLOAD_EVENT_INTERVAL_MS) return;
      lastSent = now;
      this.options.emit({ ...event });
    };
    const onProgress = (p: DownloadProgress) => {
      event.state = 'downloading';
      event.file = p.file;
      event.fileIndex = p.fileIndex;
      event.files = p.files;
      event.receivedBytes = p.overallReceived;
      event.totalBytes = p.overallTotal ?? null;
      event.bytesPerSecond = speed.add(p.overallReceived);
      send(p.state !== 'downloading' && p.fileIndex === p.files - 1);
    };
    try {
      await this.options.library.download(
        { ...request, baseUrl: request.baseUrl ?? this.defaultBaseUrl },
        { signal: controller.signal, onProgress, progressIntervalMs: DOWNLOAD_EVENT_INTERVAL_MS },
      );
      event.state = 'done';
    } catch (error) {
      if (controller.signal.aborted) {
        event.state = 'cancelled';
        await this.options.library.discardDownload(request.name);
      } else {
        event.state = 'failed';
        event.error =
          error instanceof AppError
            ? error.toData()
            : { code: 'ModelDownloadFailed', message: `Downloading ${request.repo} failed: ${String(error)}` };
        // A failed download from the window starts over next time: nothing half-made stays in the folder.
        await this.options.library.discardDownload(request.name);
      }
    } finally {
      this.running = undefined;
      send(true);
    }
  }

  private usersOf(name: string): string[] {
    return this.options
      .profiles()
      .filter((p) => canonicalModelName(p.model) === name)
      .map((p) => p.name);
  }

  private async row(model: WhisperModelInfo): Promise<ModelRow> {
    return {
      name: model.name,
      description: model.description,
      origin: model.origin,
      multilingual: model.multilingual,
      sizeBytes: model.sizeBytes,
      licence: model.licence,
      dir: model.dir,
      encoderSha256: model.files.encoder.sha256,
      problem: (await this.problemOf(model)) ?? null,
      usedBy: this.usersOf(model.name),
      source: model.source ?? null,
    };
  }

  /** Checks a model's files against their pins, hashing only files that changed since the last check. */
  private async problemOf(model: WhisperModelInfo): Promise<string | undefined> {
    const stamp = Object.values(model.files)
      .map((f) => {
        const stat = statSync(f.path, { throwIfNoEntry: false });
        return stat ? `${stat.size}:${stat.mtimeMs}` : 'missing';
      })
      .join('|');
    const known = this.verified.get(model.dir);
    if (known?.stamp === stamp) return known.problem;
    const problem = await this.options.library.verify(model);
    this.verified.set(model.dir, { stamp, problem });
    return problem;
  }
}

/** `tiny` and `base` are short for the packaged models, in profiles as on the command line. */
export function canonicalModelName(name: string): string {
  return /^(tiny|base)$/.test(name) ? `whisper-${name}` : name;
}

/** Bytes per second over the last SPEED_WINDOW_MS. */
class SpeedMeter {
  private readonly samples: { at: number; bytes: number }[] = [];

  add(bytes: number): number | null {
    const now = performance.now();
    this.samples.push({ at: now, bytes });
    while (this.samples.length > 2 && now - this.samples[0]!.at > SPEED_WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (now - first.at) / 1000;
    // A resumed file starts from the bytes already on disk: count only what arrived since.
    return seconds >= 0.2 && bytes >= first.bytes ? (bytes - first.bytes) / seconds : null;
  }
}
