import type { TranscribeRequest, TranscriptResult } from '../../../shared/worker-protocol';
import type { ModelLoader } from '../models/model-loader';
import { EnergyGate } from '../vad/energy-gate';
import { containsSpeech } from '../vad/scan-file';
import { VoiceActivity } from '../vad/voice-activity';
import { EncoderCache } from './encoder-cache';
import { SpeechRecognizer } from './speech-recognizer';
import { resolveWhisperModel } from './whisper-registry';
import { WhisperModel } from './whisper-model';

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

  constructor(private readonly loader: ModelLoader) {}

  async transcribe(request: TranscribeRequest): Promise<TranscriptResult> {
    this.encoderCache.resize(request.cache.encoderEntries);
    const loadStart = performance.now();
    const recognizer = await this.recognizer(request);
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
        model: recognizer.model.info.name,
        fitted: recognizer.model.fitted,
        temperatures: [],
        timings: { loadMs, vadMs: totalMs, melMs: 0, encoderMs: 0, decoderMs: 0, totalMs },
        cache: { encoderHits: 0, encoderMisses: 0 },
      };
    }
    const vadMs = performance.now() - started;
    const { decoding } = request;
    const transcript = await recognizer.transcribe(request.samples, {
      language: request.language,
      task: request.task,
      timestamps: request.timestamps,
      beamSize: decoding.strategy === 'beam' ? decoding.beamSize : 1,
      temperatures: decoding.temperatures,
      compressionRatioThreshold: decoding.compressionRatioThreshold,
      logProbThreshold: decoding.logProbThreshold,
      noSpeechThreshold: decoding.noSpeechThreshold,
      prompt: request.prompt,
    });
    return {
      ...transcript,
      model: recognizer.model.info.name,
      fitted: recognizer.model.fitted,
      timings: { ...transcript.timings, loadMs, vadMs, totalMs: performance.now() - started },
    };
  }

  get cacheStats(): { hits: number; misses: number; entries: number } {
    return { hits: this.encoderCache.hits, misses: this.encoderCache.misses, entries: this.encoderCache.size };
  }

  async dispose(): Promise<void> {
    const loaded = [...this.models.values()];
    this.models.clear();
    this.encoderCache.clear();
    await Promise.allSettled(loaded.map(async (r) => (await r).model.release()));
    await (await this.vad?.catch(() => undefined))?.dispose();
  }

  private recognizer(request: TranscribeRequest): Promise<SpeechRecognizer> {
    const info = resolveWhisperModel(request.model, request.userModelDir);
    const key = `${info.dir}|${request.threads}|${request.fitWindow}`;
    let entry = this.models.get(key);
    if (entry) {
      this.models.delete(key); // most recently used goes last
    } else {
      entry = WhisperModel.load(info, this.loader, { threads: request.threads, fitWindow: request.fitWindow }).then(
        (model) => new SpeechRecognizer(model, this.encoderCache),
      );
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

  private voiceActivity(request: TranscribeRequest): Promise<VoiceActivity> {
    this.vad ??= VoiceActivity.create({ threads: 1, loader: this.loader });
    this.vad.catch(() => (this.vad = undefined));
    return this.vad.then((vad) => {
      vad.configure(request.vad);
      return vad;
    });
  }
}
