import { execFile, execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeWavFile } from '../../src/main/audio/wav';

/**
 * Synthetic speech with known boundaries, for VAD tests: phrases from Debian's TTS engines
 * (espeak-ng, flite, festival), converted by sox to 16 kHz mono and trimmed of their own
 * leading and trailing silence, then joined with silences of known length and optional white
 * noise. Where each phrase lies in the result is therefore known to the sample.
 */

const run = promisify(execFile);
const RATE = 16000;

export type TtsVoice =
  | 'espeak-en-us'
  | 'espeak-en-us-f3'
  | 'flite-slt'
  | 'flite-kal'
  | 'flite-rms'
  | 'festival-kal'
  // Other languages, for language identification.
  | 'espeak-de'
  | 'espeak-fr'
  | 'espeak-es'
  | 'espeak-it';

const TOOL_OF: Record<TtsVoice, string> = {
  'espeak-en-us': 'espeak-ng',
  'espeak-en-us-f3': 'espeak-ng',
  'espeak-de': 'espeak-ng',
  'espeak-fr': 'espeak-ng',
  'espeak-es': 'espeak-ng',
  'espeak-it': 'espeak-ng',
  'flite-slt': 'flite',
  'flite-kal': 'flite',
  'flite-rms': 'flite',
  'festival-kal': 'text2wave',
};

const APT_PACKAGE: Record<string, string> = {
  'espeak-ng': 'espeak-ng',
  flite: 'flite',
  text2wave: 'festival',
  sox: 'sox',
};

/** Throws a clear error naming the apt package when a tool the tests need is missing. */
export function requireTool(tool: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `${tool} is not installed; the speech tests generate their audio with it. ` +
        `Install it with: sudo apt-get install ${APT_PACKAGE[tool] ?? tool}`,
    );
  }
}

export type SpeechPart =
  | { say: string; voice: TtsVoice; /** RMS level of the phrase, dBFS (default −25). */ level_dbfs?: number }
  | { silence_s: number };

export interface SpeechClip {
  /** 16 kHz mono. */
  samples: Float32Array;
  duration_s: number;
  /** Where each phrase lies, in seconds, in the order given. */
  speech: { start_s: number; end_s: number; text: string; voice: TtsVoice }[];
}

export interface ComposeOptions {
  /** White noise over the whole clip at this RMS level (dBFS). */
  noise_dbfs?: number;
}

export function rmsDbfs(samples: Float32Array): number {
  let sum = 0;
  for (const v of samples) sum += v * v;
  return 10 * Math.log10(sum / Math.max(1, samples.length) + 1e-20);
}

/** Generates phrases into `dir` (each voice and text once) and composes clips from them. */
export class SpeechGenerator {
  private readonly phrases = new Map<string, Promise<Float32Array>>();
  private count = 0;

  constructor(private readonly dir: string) {
    requireTool('sox');
  }

  /** A phrase at 16 kHz mono, without leading or trailing silence, at its TTS engine's level. */
  phrase(voice: TtsVoice, text: string): Promise<Float32Array> {
    const key = `${voice}\n${text}`;
    let made = this.phrases.get(key);
    if (!made) {
      made = this.synthesize(voice, text, this.count++);
      this.phrases.set(key, made);
    }
    return made;
  }

  async compose(parts: readonly SpeechPart[], options: ComposeOptions = {}): Promise<SpeechClip> {
    const pieces: Float32Array[] = [];
    const speech: SpeechClip['speech'] = [];
    let at = 0;
    for (const part of parts) {
      if ('silence_s' in part) {
        const piece = new Float32Array(Math.round(part.silence_s * RATE));
        pieces.push(piece);
        at += piece.length;
        continue;
      }
      const raw = await this.phrase(part.voice, part.say);
      const gain = 10 ** (((part.level_dbfs ?? -25) - rmsDbfs(raw)) / 20);
      pieces.push(raw.map((v) => Math.max(-1, Math.min(1, v * gain))));
      speech.push({ start_s: at / RATE, end_s: (at + raw.length) / RATE, text: part.say, voice: part.voice });
      at += raw.length;
    }
    const samples = new Float32Array(at);
    let offset = 0;
    for (const piece of pieces) {
      samples.set(piece, offset);
      offset += piece.length;
    }
    if (options.noise_dbfs !== undefined) {
      const noise = await this.noise(samples.length / RATE);
      const gain = 10 ** ((options.noise_dbfs - rmsDbfs(noise)) / 20);
      for (let i = 0; i < samples.length; i++) samples[i] = Math.max(-1, Math.min(1, samples[i]! + noise[i]! * gain));
    }
    return { samples, duration_s: samples.length / RATE, speech };
  }

  /** White noise from sox (repeatable mode, so every run gets the same noise). */
  async noise(duration_s: number): Promise<Float32Array> {
    const path = join(this.dir, `noise-${this.count++}.wav`);
    await run('sox', [
      '-R',
      '-n',
      '-r',
      `${RATE}`,
      '-c',
      '1',
      '-b',
      '16',
      path,
      'synth',
      duration_s.toFixed(4),
      'whitenoise',
      'vol',
      '0.5',
    ]);
    return padTo((await decodeWavFile(path)).samples, Math.round(duration_s * RATE));
  }

  private async synthesize(voice: TtsVoice, text: string, n: number): Promise<Float32Array> {
    requireTool(TOOL_OF[voice]);
    const raw = join(this.dir, `tts-${n}.wav`);
    const trimmed = join(this.dir, `tts-${n}-16k.wav`);
    switch (voice) {
      case 'espeak-en-us':
        await run('espeak-ng', ['-v', 'en-us', '-w', raw, text]);
        break;
      case 'espeak-en-us-f3':
        await run('espeak-ng', ['-v', 'en-us+f3', '-w', raw, text]);
        break;
      case 'espeak-de':
      case 'espeak-fr':
      case 'espeak-es':
      case 'espeak-it':
        await run('espeak-ng', ['-v', voice.slice('espeak-'.length), '-w', raw, text]);
        break;
      case 'flite-slt':
      case 'flite-kal':
      case 'flite-rms':
        await run('flite', ['-voice', voice.slice('flite-'.length), '-t', text, '-o', raw]);
        break;
      case 'festival-kal': {
        const input = join(this.dir, `tts-${n}.txt`);
        await writeFile(input, text);
        await run('text2wave', ['-o', raw, input]);
        break;
      }
    }
    // Trim the engine's own silence (first and last 10 ms above 0.5 % of full scale), so the
    // phrase's boundaries are the clip's boundaries. `-R`: the same dither every run.
    await run('sox', [
      '-R',
      raw,
      ...['-r', `${RATE}`, '-c', '1', '-b', '16', trimmed],
      ...['silence', '1', '0.01', '0.5%', 'reverse', 'silence', '1', '0.01', '0.5%', 'reverse'],
    ]);
    const wav = await decodeWavFile(trimmed);
    if (wav.sampleRate !== RATE || wav.channels !== 1 || wav.frames < RATE / 10) {
      throw new Error(`${voice} made no usable speech for "${text}" (${wav.frames} samples at ${wav.sampleRate} Hz)`);
    }
    return wav.samples;
  }
}

function padTo(samples: Float32Array, length: number): Float32Array {
  if (samples.length >= length) return samples.subarray(0, length);
  const out = new Float32Array(length);
  out.set(samples);
  return out;
}
