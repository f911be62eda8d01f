import type { Profile } from '../../shared/profiles';

export interface ProfileFact {
  label: string;
  value: string;
}

const MODEL_NAMES: Readonly<Record<string, string>> = {
  'whisper-tiny': 'Whisper tiny',
  'whisper-base': 'Whisper base',
};

/** The key parameters of a profile as short label/value pairs for the Profiles view. */
export function useProfileSummary(profile: Profile): ProfileFact[] {
  const d = profile.decoding;
  const decoding = d.strategy === 'beam' ? `beam search, ${d.beamSize} beams` : 'greedy';
  const fallback = d.temperatures.length > 1 ? `${d.temperatures.length - 1} retries` : 'off';
  return [
    { label: 'Model', value: MODEL_NAMES[profile.model] ?? profile.model },
    { label: 'Decoding', value: decoding },
    { label: 'Temperature fallback', value: fallback },
    { label: 'Live partials', value: profile.partialIntervalMs > 0 ? `every ${profile.partialIntervalMs} ms` : 'off' },
    {
      label: 'Wake threshold',
      value: `${profile.wake.threshold} × ${profile.wake.patience} frame${profile.wake.patience > 1 ? 's' : ''}`,
    },
    { label: 'Silence to stop', value: `${profile.vad.silenceHangoverMs} ms` },
    { label: 'Threads (speech)', value: String(profile.threads.asr) },
    { label: 'Resampler', value: profile.resamplerQuality },
    { label: 'Frame batch', value: `${profile.frameMs} ms` },
  ];
}
