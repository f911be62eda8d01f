// Matching what was said to a command phrase: word edits with a score, named slots that must be a known name, free text kept as said.
import { describe, expect, it } from 'vitest';
import { afterPrefix, matchCommand, type SlotVocabulary } from '../../../src/main/actions/command-matcher';

const VOCABULARY: SlotVocabulary = {
  profile: [
    { value: 'balanced', words: 'Balanced' },
    { value: 'low-latency', words: 'Low latency' },
    { value: 'high-accuracy', words: 'High accuracy' },
  ],
  view: [
    { value: 'monitor', words: 'monitor' },
    { value: 'wake-words', words: 'wake words' },
  ],
};
const PHRASES = [
  { command: 'switch-profile', phrase: 'switch to {profile} profile' },
  { command: 'switch-profile', phrase: 'use {profile} profile' },
  { command: 'open-view', phrase: 'open {view}' },
  { command: 'scratch-that', phrase: 'scratch that' },
  { command: 'search', phrase: 'search the web for {text}' },
];
const match = (text: string, leading: string[] = []) => matchCommand(text, PHRASES, VOCABULARY, 0.8, leading);

describe('matchCommand', () => {
  it('matches the phrase with its slot, whatever punctuation, case and filler words', () => {
    expect(match('Switch to the low-latency profile, please.')).toEqual({
      command: 'switch-profile',
      phrase: 'switch to {profile} profile',
      slots: { profile: 'low-latency' },
      score: 1,
    });
    expect(match('Open the wake words.')).toMatchObject({ command: 'open-view', slots: { view: 'wake-words' } });
    expect(match('Scratch that!')).toMatchObject({ command: 'scratch-that', score: 1 });
  });

  it('tolerates small recognition errors, with a lower score', () => {
    // One extra word: 1 edit over 6 words.
    expect(match('Please switch over to low latency profile')).toMatchObject({
      command: 'switch-profile',
      score: 0.833,
    });
    // A near spelling in the slot and in the phrase: half an edit each.
    expect(match('Switch to low latancy profil')).toMatchObject({ slots: { profile: 'low-latency' }, score: 0.8 });
  });

  it('turns down near misses: a name that is no profile, another sentence, a dictation that shares words', () => {
    expect(match('Switch to the low battery profile')).toBeNull();
    expect(match('I switched the lights to low')).toBeNull();
    expect(match('Scratch the car')).toBeNull();
    expect(match('')).toBeNull();
  });

  it('keeps a free-text slot as it was said, punctuation and all', () => {
    expect(match('Search the web for "cheap flights"; to Oslo & back?')).toEqual({
      command: 'search',
      phrase: 'search the web for {text}',
      slots: { text: 'cheap flights"; to Oslo & back' },
      score: 1,
    });
    // The slot needs at least one word.
    expect(match('Search the web for')).toBeNull();
  });

  it('drops the wake phrase the pre-roll caught before matching', () => {
    expect(match('Jarvis, switch to balanced profile.', ['hey', 'jarvis'])).toMatchObject({
      slots: { profile: 'balanced' },
      score: 1,
    });
    expect(match('Hey Jarvis. Switch to balanced profile.', ['hey', 'jarvis'])).toMatchObject({ score: 1 });
  });
});

describe('afterPrefix', () => {
  it('gives the text after the command word, or null when the text does not start with it', () => {
    expect(afterPrefix('Command, copy that.', 'command')).toBe('copy that.');
    expect(afterPrefix('Commands copy that', 'command')).toBe('copy that');
    expect(afterPrefix('The command was clear.', 'command')).toBeNull();
    expect(afterPrefix('Command.', 'command')).toBe('');
  });
});
