import { join } from 'node:path';
import { writeWavFile } from '../../src/main/audio/wav';
import { SpeechGenerator } from './tts-speech';

/** Where the command lies in the session WAV, in seconds from its start. */
export interface SessionWav {
  path: string;
  commandAt: number;
  commandEnd: number;
}

const KITCHEN_LIGHTS = 'turn on the kitchen lights';

/** "hey jarvis", a pause, a command, then quiet: as someone talking to the assistant (16 kHz mono, in `dir`). */
export async function sessionWav(dir: string, words = KITCHEN_LIGHTS): Promise<SessionWav> {
  const speech = new SpeechGenerator(dir);
  const clip = await speech.compose([
    { silence_s: 1 },
    { say: 'hey jarvis', voice: 'flite-slt' },
    { silence_s: 1 },
    { say: words, voice: 'flite-slt' },
    { silence_s: 3 },
  ]);
  const path = join(dir, words === KITCHEN_LIGHTS ? 'session.wav' : `session-${words.replace(/\W+/g, '-')}.wav`);
  await writeWavFile(path, clip.samples, 16000);
  const command = clip.speech[1]!;
  return { path, commandAt: command.start_s, commandEnd: command.end_s };
}
