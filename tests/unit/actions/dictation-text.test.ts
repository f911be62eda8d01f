// Dictation text: spoken line breaks, the optional trailing full stop, and the space that joins a sentence.
import { describe, expect, it } from 'vitest';
import { dictationText } from '../../../src/main/actions/dictation-text';

const keep = { keepTrailingPeriod: true, joinsSentence: false };

describe('dictationText', () => {
  it('turns "new line" and "new paragraph" into line breaks, whatever punctuation Whisper put around them', () => {
    expect(dictationText(' Dear Anna, new line. Thanks for the parcel. New paragraph. See you soon.', keep)).toBe(
      'Dear Anna,\nThanks for the parcel.\n\nSee you soon.',
    );
    expect(dictationText('Milk. Newline, eggs, new-line bread.', keep)).toBe('Milk.\nEggs,\nBread.');
    // "newline" inside another word is a word, not a break.
    expect(dictationText('The renewal lines are open.', keep)).toBe('The renewal lines are open.');
  });

  it('drops a single trailing full stop when asked, never an ellipsis, a question or an exclamation', () => {
    const drop = { keepTrailingPeriod: false, joinsSentence: false };
    expect(dictationText('Send it to Paul.', drop)).toBe('Send it to Paul');
    expect(dictationText('Send it to Paul.', keep)).toBe('Send it to Paul.');
    expect(dictationText('Wait for it...', drop)).toBe('Wait for it...');
    expect(dictationText('Is it done?', drop)).toBe('Is it done?');
    expect(dictationText('Done!', drop)).toBe('Done!');
  });

  it('starts with a space when it continues a sentence, but not after a line break', () => {
    const joins = { keepTrailingPeriod: true, joinsSentence: true };
    expect(dictationText('And then we left.', joins)).toBe(' And then we left.');
    expect(dictationText('New line. And then we left.', joins)).toBe('\nAnd then we left.');
    expect(dictationText('', joins)).toBe('');
  });
});
