/** The cue: a short sine blip that rises in pitch, so it reads as "go ahead" rather than an alarm. */
const CUE_MS = 120;
const START_HZ = 660;
const END_HZ = 990;
/** Peak gain: audible over a quiet room, well under a notification sound. */
const PEAK_GAIN = 0.18;
/** Attack in seconds; an instant step would click. */
const ATTACK_S = 0.012;
/** Exponential ramps cannot start or end at zero. */
const SILENT = 0.0001;

export interface CueSound {
  /** Creates or resumes the audio context; call it from a click so the browser lets it play later. */
  prime(): void;
  /** Plays the cue; does nothing where there is no Web Audio (tests, locked-down browsers). */
  play(): void;
}

type AudioContextClass = new () => AudioContext;

function audioContextClass(): AudioContextClass | undefined {
  const scope = globalThis as { AudioContext?: AudioContextClass; webkitAudioContext?: AudioContextClass };
  return scope.AudioContext ?? scope.webkitAudioContext;
}

/** The wake-word cue, made with Web Audio (no sound file to load, nothing for the CSP to allow). */
export function useCueSound(): CueSound {
  let context: AudioContext | undefined;

  function ready(): AudioContext | undefined {
    const Context = audioContextClass();
    if (!Context) return undefined;
    context ??= new Context();
    // A context made without a user gesture starts suspended (autoplay policy).
    if (context.state === 'suspended') context.resume().catch(() => undefined);
    return context;
  }

  function prime(): void {
    try {
      ready();
    } catch {
      // No sound is worth an error: the cue is a courtesy.
    }
  }

  function play(): void {
    try {
      const audio = ready();
      if (!audio) return;
      const now = audio.currentTime;
      const end = now + CUE_MS / 1000;
      const oscillator = audio.createOscillator();
      oscillator.type = 'sine';
      oscillator.frequency.setValueAtTime(START_HZ, now);
      oscillator.frequency.exponentialRampToValueAtTime(END_HZ, end);
      const gain = audio.createGain();
      gain.gain.setValueAtTime(SILENT, now);
      gain.gain.exponentialRampToValueAtTime(PEAK_GAIN, now + ATTACK_S);
      gain.gain.exponentialRampToValueAtTime(SILENT, end);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.onended = () => gain.disconnect();
      oscillator.start(now);
      oscillator.stop(end + 0.01);
    } catch {
      // As above: a missing or broken audio output must not break the session.
    }
  }

  return { prime, play };
}
