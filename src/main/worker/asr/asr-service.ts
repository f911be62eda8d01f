import type {
  AsrSettings,
  MemoryFreed,
  TranscribeRequest,
  TranscriptResult,
  WorkerEvent,
} from '../../../shared/worker-protocol';
import type { ModelLoader } from '../models/model-loader';
import { EnergyGate } from '../vad/energy-gate';
import { containsSpeech } from '../vad/scan-file';
import { isVoiced, VoiceActivity } from '../vad/voice-activity';
import { EncoderCache } from './encoder-cache';
import { PartialTranscriber } from './partial-transcriber';
import { SpeechRecognizer, type TranscribeOptions, type Transcript } from './speech-recognizer';
import { resolveWhisperModel } from './whisper-registry';
import { WhisperModel } from './whisper-model';

/** 80 ms at 16 kHz: live audio arrives in the pipeline's frames. */
const LIVE_FRAME = 1280;
/**
 * Encoder windows warmed after a model loads: utterances of up to this many seconds never run
 * cold. Their windows (up to 15 s with the silent tail) are the ones the encoder's memory arena
 * serves (ARENA_WINDOW_FRAMES). Each warm-up run holds the ASR thread (up to ~150 ms for a 15 s
 * window) and a core, so they run only while no utterance or transcription is under way.
 */
const WARM_SECONDS = 12;
/**
 * Pause before each warm-up run, so the frames that arrived meanwhile are processed first. Short:
 * with 200 ms the warm-up had not reached the longer windows 3 s after start, and a first
 * utterance's final ran a cold shape (README, live push-to-talk (³)); the lag check below keeps
 * live frames first.
 */
const WARM_PAUSE_MS = 40;
/** A warm-up run waits while the live frames reaching this thread are further behind than this. */
const WARM_MAX_LAG_MS = 100;

/** Loaded models are told apart by their folder and the session options they were opened with. */
function modelKey(settings: AsrSettings): string {
  return `${resolveWhisperModel(settings.model, settings.userModelDir).dir}|${settings.threads}|${settings.fitWindow}|${settings.acceleration ?? 'cpu'}`;
}

/** What leaves the worker: the transcript without its tokens (drafts stay here), with its model and timings. */
export function transcriptResult(
  transcript: Transcript,
  recognizer: SpeechRecognizer,
  timings: TranscriptResult['timings'],
): TranscriptResult {
  const { windowTokens: _tokens, timings: _own, ...rest } = transcript;
  return { ...rest, model: recognizer.model.info.name, fitted: recognizer.model.fitted, timings };
}

/**
 * Speech recognition in the worker. Loaded models live in a small LRU (the profile's
 * `sessionEntries`), so switching profiles back and forth does not reload them; encoder outputs
 * live in one LRU shared by every model (keys name the model). Before Whisper runs, Silero VAD
 * must hear speech: audio it calls silent is answered "no speech" and never transcribed.
 */
export class AsrService {
  private readonly models = new Map<string, Promise<SpeechRecognizer>>();
  private readonly encoderCache = new EncoderCache(8);
  private vad: Promise<VoiceActivity> | undefined;
  private readonly gate = new EnergyGate();
  /** The model warming up in the background, and how to pause it when real work comes. */
  private warming: { recognizer: SpeechRecognizer; stop: AbortController } | undefined;
  /** Utterances and transcriptions under way: the warm-up waits for none. */
  private active = 0;
  /** The loaded model the session uses (`prepare`): memory relief never unloads it. */
  private preparedKey: string | undefined;

  constructor(
    private readonly loader: ModelLoader,
    private readonly emit: (event: WorkerEvent) => void,
    /** How far behind live audio the frames reaching this thread are, in ms (StreamLag). */
    private readonly lagMs: () => number = () => 0,
  ) {}

  async transcribe(request: TranscribeRequest): Promise<TranscriptResult> {
    this.beginWork();
    try {
      return await this.transcribeNow(request);
    } finally {
      this.endWork();
    }
  }

  /** Real work starts (a transcription, a live utterance): a background warm-up pauses. */
  beginWork(): void {
    this.active++;
    this.warming?.stop.abort();
  }

  /** That work is done: the warm-up goes on once nothing else is under way. */
  endWork(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0) this.resumeWarmUp();
  }

  private async transcribeNow(request: TranscribeRequest): Promise<TranscriptResult> {
    this.encoderCache.resize(request.cache.encoderEntries);
    const loadStart = performance.now();
    const recognizer = await this.recognizerFor(request);
    const vad = await this.voiceActivity(request);
    const loadMs = performance.now() - loadStart;

    const started = performance.now();
    if (!(await containsSpeech(request.samples, vad, this.gate))) {
      const totalMs = performance.now() - started;
      return {
        text: '',
        noSpeech: true,
        language: request.language === 'auto' ? 'unknown' : request.language,
        languageProbs: {},
        segments: [],
        tokens: 0,
        decoderRuns: 0,
        draftAccepted: 0,
        model: recognizer.model.info.name,
        fitted: recognizer.model.fitted,
        temperatures: [],
        settled: true,
        timings: { loadMs, vadMs: totalMs, melMs: 0, encoderMs: 0, decoderMs: 0, totalMs },
        cache: { encoderHits: 0, encoderMisses: 0 },
      };
    }
    const vadMs = performance.now() - started;
    const options = this.transcribeOptions(request);
    const transcript = request.stream
      ? await this.replayLive(recognizer, vad, request, options, request.stream.intervalMs)
      : await recognizer.transcribe(request.samples, options);
    // Streamed, the replay timed its own total: from the end of the utterance to the text.
    return transcriptResult(transcript, recognizer, {
      ...transcript.timings,
      loadMs,
      vadMs,
      totalMs: request.stream ? transcript.timings.totalMs : performance.now() - started,
    });
  }

  /**
   * The clip arrives at real-time pace in 80 ms frames, with a partial every `intervalMs`, then
   * the silence hang-over that ends a live utterance, then the final pass; `totalMs` measures
   * from the end of the hang-over to the text.
   */
  private async replayLive(
    recognizer: SpeechRecognizer,
    vad: VoiceActivity,
    request: TranscribeRequest,
    options: TranscribeOptions,
    intervalMs: number,
  ): Promise<Transcript> {
    const { samples, id: requestId } = request;
    const partials = new PartialTranscriber(recognizer, options, (u) =>
      this.emit({ type: 'partial', requestId, stable: u.stable, unstable: u.unstable, audio_s: u.audioS }),
    );
    vad.reset();
    this.gate.reset();
    const started = performance.now();
    // After the clip, the silence a live session waits for before it ends the utterance.
    const hangover = new Float32Array(Math.ceil(request.vad.silenceHangoverMs / 80) * LIVE_FRAME);
    const frames = Math.ceil(samples.length / LIVE_FRAME) + hangover.length / LIVE_FRAME;
    const ticksEvery = Math.max(1, Math.round(intervalMs / 80));
    for (let f = 0; f < frames; f++) {
      await new Promise((r) => setTimeout(r, Math.max(0, started + (f + 1) * 80 - performance.now())));
      const at = f * LIVE_FRAME;
      const frame = at < samples.length ? samples.subarray(at, at + LIVE_FRAME) : hangover.subarray(0, LIVE_FRAME);
      // As live: frames the VAD hears as speech are voiced; the closing silence does not reach the partials.
      const voice = await vad.process(frame, this.gate.process(frame));
      partials.append(frame, isVoiced(voice, request.vad.endThreshold));
      if ((f + 1) % ticksEvery === 0) partials.tick();
    }
    vad.reset();
    const ended = performance.now();
    const transcript = await partials.finish();
    return { ...transcript, timings: { ...transcript.timings, totalMs: performance.now() - ended } };
  }

  get cacheStats(): { hits: number; misses: number; entries: number } {
    return { hits: this.encoderCache.hits, misses: this.encoderCache.misses, entries: this.encoderCache.size };
  }

  /**
   * Frees what can be freed without slowing the active profile for good: every cached encoder
   * output (the next final recomputes its own), and every loaded Whisper model except the one
   * the session prepared. With an utterance under way only the cache goes: its model may be any.
   */
  async relieveMemory(): Promise<MemoryFreed> {
    const encoderEntriesDropped = this.encoderCache.size;
    this.encoderCache.clear();
    const modelsUnloaded: string[] = [];
    const arenasReleased: string[] = [];
    if (this.active === 0) {
      this.warming?.stop.abort(); // no warm-up run on a session about to go
      for (const [key, entry] of [...this.models]) {
        if (key === this.preparedKey) {
          // The session's model stays, even while it still loads; its encoder's arena goes.
          const recognizer = await entry.catch(() => undefined);
          if (recognizer && (await recognizer.model.releaseArena())) arenasReleased.push(recognizer.model.info.name);
          continue;
        }
        const recognizer = await entry.catch(() => undefined);
        this.models.delete(key);
        if (recognizer) {
          modelsUnloaded.push(recognizer.model.info.name);
          await recognizer.model.release();
        }
      }
    }
    (globalThis as { gc?: () => void }).gc?.();
    return { encoderEntriesDropped, modelsUnloaded, arenasReleased };
  }

  async dispose(): Promise<void> {
    const loaded = [...this.models.values()];
    this.models.clear();
    this.encoderCache.clear();
    await Promise.allSettled(loaded.map(async (r) => (await r).model.release()));
    await (await this.vad?.catch(() => undefined))?.dispose();
  }

  /** The recognizer's options for these settings. */
  transcribeOptions(settings: AsrSettings): TranscribeOptions {
    const { decoding } = settings;
    return {
      language: settings.language,
      task: settings.task,
      timestamps: settings.timestamps,
      beamSize: decoding.strategy === 'beam' ? decoding.beamSize : 1,
      temperatures: decoding.temperatures,
      compressionRatioThreshold: decoding.compressionRatioThreshold,
      logProbThreshold: decoding.logProbThreshold,
      noSpeechThreshold: decoding.noSpeechThreshold,
      prompt: settings.prompt,
    };
  }

  /** Loads what transcribing with these settings needs, ahead of the first utterance. */
  async prepare(settings: AsrSettings): Promise<{ model: string; loadMs: number }> {
    const started = performance.now();
    this.preparedKey = modelKey(settings);
    const [recognizer] = await Promise.all([this.recognizerFor(settings), this.voiceActivity(settings)]);
    const loadMs = performance.now() - started;
    this.warming?.stop.abort();
    this.warming = { recognizer, stop: new AbortController() };
    if (this.active === 0) this.resumeWarmUp();
    return { model: recognizer.model.info.name, loadMs };
  }

  /** The loaded model for these settings (loading it the first time), with the shared encoder cache. */
  recognizerFor(settings: AsrSettings): Promise<SpeechRecognizer> {
    this.encoderCache.resize(settings.cache.encoderEntries);
    return this.recognizer(settings);
  }

  /** Goes on warming the prepared model's encoder windows where it stopped. */
  private resumeWarmUp(): void {
    const warming = this.warming;
    if (!warming) return;
    warming.stop.abort();
    const stop = new AbortController();
    this.warming = { recognizer: warming.recognizer, stop };
    // Not awaited: it runs between utterances and stops at the next request. Each run holds this
    // thread and a core, so it waits for a moment when the live frames are not behind.
    warming.recognizer.warmUp(WARM_SECONDS, stop.signal, () => this.quietMoment(stop.signal)).catch(() => undefined);
  }

  /** Resolves after a pause in which the live frames are (or get) no more than WARM_MAX_LAG_MS behind. */
  private async quietMoment(signal: AbortSignal): Promise<void> {
    do await new Promise((resolve) => setTimeout(resolve, WARM_PAUSE_MS));
    while (!signal.aborted && this.lagMs() > WARM_MAX_LAG_MS);
  }

  private recognizer(request: AsrSettings): Promise<SpeechRecognizer> {
    const info = resolveWhisperModel(request.model, request.userModelDir);
    const key = modelKey(request);
    let entry = this.models.get(key);
    if (entry) {
      this.models.delete(key); // most recently used goes last
    } else {
      entry = WhisperModel.load(info, this.loader, {
        threads: request.threads,
        fitWindow: request.fitWindow,
        acceleration: request.acceleration ?? 'cpu',
      }).then((model) => {
        // The model's bytes are garbage now; collect them at once (see WORKER_V8_FLAGS).
        (globalThis as { gc?: () => void }).gc?.();
        return new SpeechRecognizer(model, this.encoderCache);
      });
      // A failed load is not kept: the next request tries again (e.g. after the file is restored).
      entry.catch(() => this.models.delete(key));
    }
    this.models.set(key, entry);
    while (this.models.size > request.cache.sessionEntries) {
      const [oldest, evicted] = this.models.entries().next().value as [string, Promise<SpeechRecognizer>];
      this.models.delete(oldest);
      void evicted.then((r) => r.model.release()).catch(() => undefined);
    }
    return entry;
  }

  private voiceActivity(request: AsrSettings): Promise<VoiceActivity> {
    this.vad ??= VoiceActivity.create({ threads: 1, loader: this.loader });
    this.vad.catch(() => (this.vad = undefined));
    return this.vad.then((vad) => {
      vad.configure(request.vad);
      return vad;
    });
  }
}
