import { existsSync } from 'node:fs';
import type { Profile } from '../../shared/profiles';
import type { Retranscription } from '../../shared/session';
import { TranscriptResultSchema, type WorkerRequest } from '../../shared/worker-protocol';
import { AppError } from '../../shared/errors';
import { loadAudioFile } from '../audio/audio-file';
import type { RequestOf } from '../inference/worker-client';
import { asrSettingsFor } from '../session/asr-settings';
import type { HistoryStore } from './history-store';

export interface RetranscribeOptions {
  history: HistoryStore;
  profile: Profile;
  request: (request: RequestOf<Extract<WorkerRequest, { type: 'transcribe' }>>) => Promise<unknown>;
  userModelsDir: string;
}

/**
 * Transcribes a kept recording with `profile`, as its live final would have been (the whole
 * utterance, one pass with the profile's decoding and fallback): a way to choose a profile on
 * the user's own speech.
 */
export async function retranscribe(id: number, options: RetranscribeOptions): Promise<Retranscription> {
  const path = options.history.get(id)?.audioPath;
  if (!path)
    throw new AppError('HistoryEntryMissing', `Entry ${id} has no recording (audio is not kept, or was pruned).`);
  if (!existsSync(path))
    throw new AppError('HistoryEntryMissing', `The recording of entry ${id} is gone from ${path}.`);
  const samples = await loadAudioFile(path, options.profile.resamplerQuality);
  const result = TranscriptResultSchema.parse(
    await options.request({ type: 'transcribe', samples, ...asrSettingsFor(options.profile, options.userModelsDir) }),
  );
  return {
    id,
    profileId: options.profile.id,
    profileName: options.profile.name,
    model: result.model,
    text: result.text,
    totalMs: result.timings.totalMs,
    encoderMs: result.timings.encoderMs,
    decoderMs: result.timings.decoderMs,
    loadMs: result.timings.loadMs,
  };
}
