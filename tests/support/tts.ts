import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A text-to-speech voice installed from Debian (espeak-ng, flite, festival). */
export interface TtsVoice {
  engine: 'espeak-ng' | 'flite' | 'festival';
  /** The engine's voice name: an espeak-ng voice (with `+variant`), a flite voice, a festival voice. */
  voice: string;
  /** Words per minute (espeak-ng only). */
  speed?: number;
}

export const TTS_VOICES = {
  espeakUs: { engine: 'espeak-ng', voice: 'en-us', speed: 150 },
  espeakUsFemale: { engine: 'espeak-ng', voice: 'en-us+f3', speed: 140 },
  espeakGb: { engine: 'espeak-ng', voice: 'en-gb', speed: 160 },
  fliteSlt: { engine: 'flite', voice: 'slt' },
  fliteAwb: { engine: 'flite', voice: 'awb' },
  fliteRms: { engine: 'flite', voice: 'rms' },
  festivalKal: { engine: 'festival', voice: 'kal_diphone' },
} as const satisfies Record<string, TtsVoice>;

export function voiceLabel(voice: TtsVoice): string {
  return `${voice.engine} ${voice.voice}`;
}

export interface SpeechOptions {
  /** Seconds of silence before and after the speech (sox `pad`); defaults 0.5 and 1. */
  padBefore?: number;
  padAfter?: number;
  /** Peak level of white noise mixed in (sox `synth whitenoise vol`); none when absent. */
  noise?: number;
}

const INSTALL_HINT: Record<string, string> = {
  'espeak-ng': 'apt-get install espeak-ng',
  flite: 'apt-get install flite',
  text2wave: 'apt-get install festival',
  sox: 'apt-get install sox',
};

/** Runs a tool, turning "not installed" into a message that says what to install. */
function run(tool: string, args: string[], input?: string): string {
  try {
    return execFileSync(tool, args, { input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${tool} is not installed; these tests need it (${INSTALL_HINT[tool] ?? `install ${tool}`}).`);
    }
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${tool} ${args.join(' ')} failed: ${stderr || String(error)}`);
  }
}

let counter = 0;

/**
 * Speaks `text` with a voice into `dir` and returns the path of a 16 kHz mono 16-bit WAV, padded
 * with silence and optionally mixed with (repeatable) white noise.
 */
export function synthesize(text: string, voice: TtsVoice, dir: string, options: SpeechOptions = {}): string {
  const base = join(dir, `tts-${process.pid}-${counter++}`);
  const raw = `${base}-raw.wav`;
  if (voice.engine === 'espeak-ng') {
    run('espeak-ng', ['-v', voice.voice, '-s', String(voice.speed ?? 150), '-w', raw, text]);
  } else if (voice.engine === 'flite') {
    run('flite', ['-voice', voice.voice, '-t', text, '-o', raw]);
  } else {
    run('text2wave', ['-o', raw, '-eval', `(voice_${voice.voice})`], text);
  }
  const clean = `${base}-16k.wav`;
  const pad = [String(options.padBefore ?? 0.5), String(options.padAfter ?? 1)];
  run('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', clean, 'pad', ...pad]);
  if (options.noise === undefined) return clean;
  const noise = noiseClip('whitenoise', Number(run('sox', ['--i', '-D', clean])), options.noise, dir);
  const noisy = `${base}-noisy.wav`;
  // -v 1 on both inputs: `sox -m` otherwise halves each.
  run('sox', ['-m', '-v', '1', clean, '-v', '1', noise, noisy]);
  return noisy;
}

export type NoiseColour = 'whitenoise' | 'pinknoise' | 'brownnoise';

/** Seconds of sox noise (16 kHz mono 16-bit) at a peak level; repeatable (`-R`): the same clip on every run. */
export function noiseClip(colour: NoiseColour, seconds: number, volume: number, dir: string): string {
  const path = join(dir, `noise-${process.pid}-${counter++}.wav`);
  const format = ['-r', '16000', '-c', '1', '-b', '16'];
  run('sox', ['-R', '-n', ...format, path, 'synth', String(seconds), colour, 'vol', String(volume)]);
  return path;
}
