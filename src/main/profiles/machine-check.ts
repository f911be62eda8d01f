import { cpus } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../shared/errors';
import type { MachineCheck, PresetFigures } from '../../shared/machine-check';
import { PRESETS, type Profile } from '../../shared/profiles';
import { TranscriptResultSchema, WakeScanResultSchema, type WorkerRequest } from '../../shared/worker-protocol';
import { loadAudioFile } from '../audio/audio-file';
import type { RequestOf } from '../inference/worker-client';
import { asrSettingsFor } from '../session/asr-settings';

/** The bundled recording the check runs on, inside the resources folder. */
export const MACHINE_CHECK_CLIP = join('audio', 'jfk.wav');
/** A keyword every install has; its cost stands for any built-in keyword's. */
const CHECK_KEYWORD = 'hey_jarvis';

/**
 * What each preset needs, from the most demanding down: the first one this machine meets is
 * recommended. The speech limit is Whisper's warm time per second of audio on the bundled 11 s
 * recording, from scratch (live finals are usually cheaper: they verify the last partial).
 * - High accuracy: a 10 s utterance's final within about 1 s (issue 12's target for it).
 * - Balanced: within 1.5 s from scratch, with room for partials every half second.
 * - Low latency: no fallback ladder, so a slower machine still answers in about 2.5 s.
 * - Low resource: anything slower; one thread, no partials, batched frames.
 * Every listening preset also needs the wake word under 10 % of a core.
 */
export const RECOMMENDATION_RULES: readonly { id: string; maxSpeechRtf: number; maxWakeRtf: number }[] = [
  { id: 'high-accuracy', maxSpeechRtf: 0.1, maxWakeRtf: 0.1 },
  { id: 'balanced', maxSpeechRtf: 0.15, maxWakeRtf: 0.1 },
  { id: 'low-latency', maxSpeechRtf: 0.25, maxWakeRtf: 0.1 },
];
const FALLBACK_ID = 'low-resource';

type Request = RequestOf<Extract<WorkerRequest, { type: 'transcribe' | 'wake-scan' }>>;

export interface MachineCheckOptions {
  /** Sends a request to the inference worker (started if needed). */
  request: (request: Request) => Promise<unknown>;
  /** The resources folder that holds MACHINE_CHECK_CLIP. */
  resourcesDir: string;
  userModelsDir: string;
  presets?: readonly Profile[];
  /** Called before each preset is measured (the GUI's progress). */
  onPreset?: (preset: Profile, index: number, count: number) => void;
}

/**
 * Measures each preset on this machine (the wake word's real-time factor and Whisper's speed on
 * the bundled recording) and recommends the most demanding preset the machine keeps up with.
 * About 20 s on two cores.
 */
export async function checkMachine(options: MachineCheckOptions): Promise<MachineCheck> {
  const started = performance.now();
  const presets = options.presets ?? PRESETS;
  const clip = await loadAudioFile(join(options.resourcesDir, MACHINE_CHECK_CLIP), 'high');
  // The same length and other samples: a warm pass whose encoder output is not in the cache.
  const quieter = clip.map((s) => s * 0.9);
  const audioMs = (clip.length / 16_000) * 1000;
  const figures: PresetFigures[] = [];
  for (const [index, preset] of presets.entries()) {
    options.onPreset?.(preset, index, presets.length);
    const asr = asrSettingsFor(preset, options.userModelsDir);
    const first = TranscriptResultSchema.parse(await options.request({ type: 'transcribe', samples: clip, ...asr }));
    const warm = TranscriptResultSchema.parse(await options.request({ type: 'transcribe', samples: quieter, ...asr }));
    const scan = WakeScanResultSchema.parse(
      await options.request({
        type: 'wake-scan',
        samples: clip,
        keywords: [CHECK_KEYWORD],
        wake: preset.wake,
        threads: preset.threads.wake,
      }),
    );
    const wakeMs = scan.frameTimesMs.reduce((sum, ms) => sum + ms, 0);
    figures.push({
      id: preset.id,
      name: preset.name,
      wakeRtf: round(wakeMs / Math.max(1, scan.frames * 80), 4),
      speechMs: round(warm.timings.totalMs, 1),
      speechRtf: round(warm.timings.totalMs / audioMs, 4),
      firstPassMs: round(first.timings.loadMs + first.timings.totalMs, 1),
      text: warm.text,
    });
  }
  const { recommended, reason } = recommend(figures);
  return {
    audioSeconds: round(audioMs / 1000, 2),
    cpu: { model: cpus()[0]?.model.trim() ?? 'unknown', cores: cpus().length },
    presets: figures,
    recommended,
    reason,
    durationMs: round(performance.now() - started, 0),
  };
}

/** The first rule this machine's figures meet, else Low resource, with the figures that decided. */
export function recommend(figures: readonly PresetFigures[]): { recommended: string; reason: string } {
  const misses: string[] = [];
  for (const rule of RECOMMENDATION_RULES) {
    const f = figures.find((p) => p.id === rule.id);
    if (!f) continue;
    const seconds = (f.speechRtf * 10).toFixed(1);
    if (f.speechRtf <= rule.maxSpeechRtf && f.wakeRtf <= rule.maxWakeRtf) {
      return {
        recommended: f.id,
        reason:
          `${f.name} keeps up here: a 10 s utterance takes about ${seconds} s from scratch ` +
          `(at most ${(rule.maxSpeechRtf * 10).toFixed(1)} s), and the wake word uses ${percent(f.wakeRtf)} of a core.` +
          (misses.length ? ` ${misses.join(' ')}` : ''),
      };
    }
    misses.push(
      f.wakeRtf > rule.maxWakeRtf
        ? `${f.name} would need ${percent(f.wakeRtf)} of a core for the wake word (at most ${percent(rule.maxWakeRtf)}).`
        : `${f.name} would take about ${seconds} s for a 10 s utterance (at most ${(rule.maxSpeechRtf * 10).toFixed(1)} s).`,
    );
  }
  const fallback = figures.find((p) => p.id === FALLBACK_ID);
  return {
    recommended: fallback?.id ?? FALLBACK_ID,
    reason: `This machine is slow for the other presets: ${misses.join(' ')} Low resource uses the least CPU.`,
  };
}

/** The app's machine check: one at a time, and never beside a running session (it would measure the session). */
export class MachineCheckRunner {
  private running: Promise<MachineCheck> | undefined;

  constructor(private readonly options: MachineCheckOptions & { sessionRunning: () => boolean }) {}

  run(): Promise<MachineCheck> {
    if (this.running) return this.running;
    if (this.options.sessionRunning()) {
      throw new AppError(
        'MachineCheckUnavailable',
        'Stop the session first: the check measures what this machine has to spare, and a session would take some of it.',
      );
    }
    this.running = checkMachine(this.options).finally(() => (this.running = undefined));
    return this.running;
  }
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const percent = (rtf: number) => `${(rtf * 100).toFixed(1)} %`;
