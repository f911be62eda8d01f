import { AppError, firstLine, type ErrorCode } from '../../shared/errors';
import type { OutputMode, SessionOptions } from '../../shared/settings';
import type { Desktop, KeySender } from './desktop';
import { dictationText } from './dictation-text';
import { appName, isTerminal, matchingExclusion, type FocusedApp } from './focused-app';

/** Longest wait for the focused app to read a pasted text before the clipboard is put back. */
export const PASTE_READ_LIMIT_MS = 2000;
/**
 * A dictation into the same window this soon after the last one continues it: it starts with a
 * space. Earshot cannot read the text field, so "same window, shortly after" stands in for
 * "the cursor is still after the last dictation"; two minutes covers a pause to think.
 */
export const JOIN_WINDOW_MS = 120_000;

export type OutputOptions = Pick<SessionOptions, 'keepTrailingPeriod' | 'excludedApps' | 'typeIntoTerminals'>;

export interface OutputProblem {
  kind: 'notice' | 'error';
  code: ErrorCode;
  message: string;
}

export interface OutputResult {
  /** What happened to the text besides the history: `history` when nothing else did. */
  delivered: OutputMode;
  /** The app it went into, or was kept from; null where the platform does not say. */
  app: string | null;
  /** The text as it was put in (spoken line breaks, full stop, joining space applied); null when it was not. */
  text: string | null;
  /** Fallbacks, exclusions and failures, each a sentence for the user. */
  problems: OutputProblem[];
}

/** The last text put into an app, for the joining space (and for taking it back). */
interface Insertion {
  appId: string | null;
  at: number;
  text: string;
}

/**
 * Puts a final transcript where the user wants it: the clipboard, or the focused app by paste or
 * keystrokes, with the fallbacks the desktop needs (no key tool: the clipboard; an excluded app
 * or a terminal: the history only). Deliveries run one at a time, so two quick finals never
 * interleave their clipboard save and restore. It never throws: the transcript is already in the
 * history, and every problem comes back as a sentence.
 */
export class TextOutput {
  private queue: Promise<unknown> = Promise.resolve();
  private last: Insertion | null = null;
  /** Fallback notices already given: each is said once per run. */
  private readonly told = new Set<string>();

  constructor(
    private readonly desktop: Desktop,
    private readonly now: () => number = () => performance.now(),
  ) {}

  deliver(text: string, mode: OutputMode, options: OutputOptions): Promise<OutputResult> {
    return this.inTurn(() => this.deliverNow(text, mode, options));
  }

  /** The desktop's key sender (voice commands press shortcuts with it). */
  get keys(): KeySender | null {
    return this.desktop.keys;
  }

  /**
   * Deletes the last text put into an app ("scratch that"), when that app's window still has the
   * focus: as many backspaces as it had characters. Resolves with why not, or null when done.
   */
  takeBack(): Promise<string | null> {
    return this.inTurn(async () => {
      const last = this.last;
      this.last = null;
      const { keys } = this.desktop;
      if (!last) return 'it was not typed or pasted into an app';
      if (!keys) return this.desktop.keysUnavailable ?? 'keys cannot be sent here';
      const app = await this.desktop.focusedApp().catch(() => null);
      if (last.appId !== null && app?.id !== last.appId) return 'another window has the focus now';
      await keys.backspace([...last.text].length);
      return null;
    });
  }

  /** Copies a text to the clipboard ("copy that"); resolves with the problem, or null. */
  async copyText(text: string): Promise<OutputProblem | null> {
    const problems: OutputProblem[] = [];
    await this.inTurn(() => this.copy(text, problems));
    return problems[0] ?? null;
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async deliverNow(final: string, mode: OutputMode, options: OutputOptions): Promise<OutputResult> {
    const problems: OutputProblem[] = [];
    const done = (delivered: OutputMode, app: string | null = null, text: string | null = null): OutputResult => ({
      delivered,
      app,
      text,
      problems,
    });
    if (mode === 'history') return done('history');
    const alone = dictationText(final, { keepTrailingPeriod: options.keepTrailingPeriod, joinsSentence: false });
    const copy = async (): Promise<OutputResult> =>
      (await this.copy(alone, problems)) ? done('clipboard', null, alone) : done('history');
    if (mode === 'clipboard') return copy();

    const { keys } = this.desktop;
    if (!keys) {
      const toClipboard = this.desktop.keysFallback === 'clipboard';
      const fallback = toClipboard ? 'Transcripts are copied to the clipboard instead.' : '';
      this.tellOnce(problems, 'KeyInjectionUnavailable', `${this.desktop.keysUnavailable ?? ''} ${fallback}`);
      return toClipboard ? copy() : done('history');
    }
    // The Live view shows the text already; typing it into Earshot's own window helps no one.
    if (this.desktop.ownWindowFocused?.()) return done('history', 'Earshot');
    const app = await this.desktop.focusedApp().catch(() => null);
    const name = app ? appName(app) : null;
    const refusal = app && this.refusal(app, options);
    if (refusal) {
      problems.push({ kind: 'notice', code: 'OutputExcluded', message: refusal });
      return done('history', name);
    }
    const text = dictationText(final, {
      keepTrailingPeriod: options.keepTrailingPeriod,
      joinsSentence: this.joins(app),
    });
    let how: 'paste' | 'type' = mode;
    if (how === 'type' && !keys.type) {
      this.tellOnce(
        problems,
        'KeyInjectionUnavailable',
        `${keys.name} cannot type text here: transcripts are pasted instead.`,
      );
      how = 'paste';
    }
    try {
      if (how === 'type') await keys.type!(text);
      else {
        const pasted = await this.paste(text, app, problems);
        if (pasted !== 'paste') return pasted === 'clipboard' ? done('clipboard', null, alone) : done('history', name);
      }
    } catch (error) {
      const verb = how === 'type' ? 'typed' : 'pasted';
      problems.push({
        kind: 'error',
        code: 'OutputFailed',
        message: `The transcript could not be ${verb} into ${name ?? 'the focused app'} (${firstLine(error)}). It is in the history.`,
      });
      return done('history', name);
    }
    this.last = { appId: app?.id ?? null, at: this.now(), text };
    return done(how, name, text);
  }

  /** Why the app must not get the text (an exclusion, a terminal), or null. */
  private refusal(app: FocusedApp, options: OutputOptions): string | null {
    const name = appName(app);
    const rule = matchingExclusion(app, options.excludedApps);
    if (rule) return `Not typed into ${name}: it matches "${rule}" in the excluded apps. The text is in the history.`;
    if (isTerminal(app) && !options.typeIntoTerminals)
      return `Not typed into ${name}: it is a terminal, where typed text runs as a command. Allow terminals in the output settings to type there. The text is in the history.`;
    return null;
  }

  private joins(app: FocusedApp | null): boolean {
    const last = this.last;
    return (
      last !== null &&
      app !== null &&
      last.appId === app.id &&
      this.now() - last.at < JOIN_WINDOW_MS &&
      !last.text.endsWith('\n')
    );
  }

  /** Saves the clipboard, pastes the text, and puts the clipboard back once the app has read it. */
  private async paste(text: string, app: FocusedApp | null, problems: OutputProblem[]): Promise<OutputMode> {
    const { pasteClipboard: clipboard, keys } = this.desktop;
    if (!clipboard) {
      this.tellOnce(
        problems,
        'KeyInjectionUnavailable',
        `${this.desktop.pasteClipboardUnavailable ?? ''} Transcripts are copied to the clipboard instead.`,
      );
      return (await this.copy(text.trimStart(), problems)) ? 'clipboard' : 'history';
    }
    const saved = await clipboard.save();
    let read: boolean;
    try {
      const offered = await clipboard.offer(text);
      const shortcut = app && isTerminal(app) ? 'ctrl+shift+v' : this.desktop.pasteShortcut;
      read = await offered.readAfter(() => keys!.paste(shortcut), PASTE_READ_LIMIT_MS);
    } finally {
      await clipboard.restore(saved).catch((error: unknown) =>
        problems.push({
          kind: 'error',
          code: 'ClipboardUnavailable',
          message: `Your clipboard could not be put back after the paste (${firstLine(error)}): it holds the transcript.`,
        }),
      );
    }
    if (read) return 'paste';
    problems.push({
      kind: 'notice',
      code: 'OutputFailed',
      message: `${app ? appName(app) : 'The focused app'} did not take the pasted text within ${PASTE_READ_LIMIT_MS / 1000} s (it may not accept pasting there). The text is in the history.`,
    });
    return 'history';
  }

  private async copy(text: string, problems: OutputProblem[]): Promise<boolean> {
    try {
      if (!this.desktop.clipboard) throw new AppError('ClipboardUnavailable', 'This host has no clipboard.');
      await this.desktop.clipboard.writeText(text);
      return true;
    } catch (error) {
      problems.push({
        kind: 'error',
        code: 'ClipboardUnavailable',
        message:
          error instanceof AppError
            ? error.message
            : 'The transcript could not be copied to the clipboard. It is in the history.',
      });
      return false;
    }
  }

  private tellOnce(problems: OutputProblem[], code: ErrorCode, message: string): void {
    const text = message.trim().replace(/\s+/g, ' ');
    if (this.told.has(text)) return;
    this.told.add(text);
    problems.push({ kind: 'notice', code, message: text });
  }
}
