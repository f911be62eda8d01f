import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { FocusedApp } from './focused-app';
import type { KeySender, OfferedText, PasteClipboard, PasteShortcut, SavedClipboard } from './desktop';
import { runForkingTool, runTool } from './run-tool';
import type { XselClipboard } from './xsel-clipboard';

/**
 * Keys through xdotool (XTEST). Chosen over the key libraries after trying them under Xvfb:
 * nut-js typed "ça va?" wrong (its keymap is US-only), uiohook-napi's keyTap sent nothing to a
 * GTK entry, and `xdotool type` was exact, non-Latin letters included (it maps a spare keycode
 * for a character the layout lacks). `--clearmodifiers` lifts a modifier still held (a hold key
 * of Right Ctrl) for the keystroke, and puts it back after.
 */
export class XdotoolKeys implements KeySender {
  readonly name = 'xdotool';

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async paste(shortcut: PasteShortcut): Promise<void> {
    await this.xdotool(['key', '--clearmodifiers', shortcut === 'cmd+v' ? 'super+v' : shortcut]);
  }

  async type(text: string): Promise<void> {
    for (const part of typingParts(text)) {
      // 6 ms between keys: xdotool's 12 ms default makes a long dictation slow to watch, and some
      // apps drop keys sent with no delay at all. xdotool types "\n" as Return.
      if (part.type === 'text')
        await this.xdotool(['type', '--clearmodifiers', '--delay', '6', '--', part.text], 60_000);
      else await this.xdotool(['key', '--clearmodifiers', `shift+${part.keysym}`]);
    }
  }

  async press(combo: string): Promise<void> {
    // xdotool's own names (ctrl, alt, shift, super, Return, F5…), joined by "+"; nothing else reaches it.
    if (!/^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$/.test(combo)) throw new Error(`"${combo}" is not a key combination`);
    await this.xdotool(['key', '--clearmodifiers', combo]);
  }

  async backspace(count: number): Promise<void> {
    if (count > 0)
      await this.xdotool(['key', '--clearmodifiers', '--repeat', String(count), '--delay', '4', 'BackSpace']);
  }

  private async xdotool(args: string[], timeoutMs = 10_000): Promise<void> {
    await runTool('xdotool', args, { timeoutMs, env: this.env });
  }
}

/**
 * Text split for xdotool 3.20160805 (Debian 13's): a capital that is not on the keyboard layout
 * ("Ñ", "Ç" on a US layout) comes out in lower case, because xdotool binds it to a spare key
 * whose unshifted level X fills with the lower case. Such a capital is sent as Shift plus its
 * Unicode keysym instead; everything else is typed as it is.
 */
export function typingParts(text: string): ({ type: 'text'; text: string } | { type: 'capital'; keysym: string })[] {
  const parts: ({ type: 'text'; text: string } | { type: 'capital'; keysym: string })[] = [];
  let run = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code > 0x7f && char !== char.toLowerCase()) {
      if (run) parts.push({ type: 'text', text: run });
      run = '';
      parts.push({ type: 'capital', keysym: `U${code.toString(16).toUpperCase().padStart(4, '0')}` });
    } else run += char;
  }
  if (run) parts.push({ type: 'text', text: run });
  return parts;
}

/**
 * The focused X11 window: its id from xdotool (the top-level window, not a widget inside it),
 * its WM_CLASS and title from xprop (xdotool of Debian 13 cannot print a window's class). Null
 * when nothing has the focus (the pointer root, as on a bare X server).
 */
export async function x11FocusedApp(env: NodeJS.ProcessEnv = process.env): Promise<FocusedApp | null> {
  let id: string;
  try {
    id = (await runTool('xdotool', ['getwindowfocus'], { timeoutMs: 2000, env })).toString().trim();
  } catch {
    return null;
  }
  if (!/^\d+$/.test(id)) return null;
  let properties = '';
  try {
    properties = (
      await runTool('xprop', ['-id', id, '-notype', 'WM_CLASS', '_NET_WM_NAME', 'WM_NAME'], { timeoutMs: 2000, env })
    ).toString();
  } catch {
    // Without xprop (x11-utils) the window is known only by its id: no class, no title.
  }
  return { id, ...parseXprop(properties) };
}

/** WM_CLASS and the title from xprop's `-notype` output (`WM_CLASS = "zenity", "Zenity"`). */
export function parseXprop(output: string): { classes: string[]; title: string | null } {
  const values = (name: string): string[] | null => {
    const line = output.split('\n').find((l) => l.startsWith(`${name} = `));
    if (!line) return null;
    return [...line.slice(name.length + 3).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1'));
  };
  const classes = (values('WM_CLASS') ?? []).map((c) => c.toLowerCase()).filter((c) => c !== '');
  const title = values('_NET_WM_NAME')?.[0] ?? values('WM_NAME')?.[0] ?? null;
  return { classes, title };
}

/** Clipboard formats that are about the selection, not its content. */
const META_TARGETS = new Set(['TARGETS', 'TIMESTAMP', 'MULTIPLE', 'SAVE_TARGETS', 'DELETE', 'INCR']);
/** Text targets, best first: restoring one of these gives every app back the same text. */
const TEXT_TARGETS = ['UTF8_STRING', 'text/plain;charset=utf-8', 'text/plain', 'STRING', 'TEXT'];

/** Which one target a restore serves: xclip serves one per process, and text is what most apps take. */
export function targetToKeep(targets: readonly string[]): string | null {
  const content = targets.filter((t) => !META_TARGETS.has(t));
  return (
    TEXT_TARGETS.find((t) => content.includes(t)) ?? content.find((t) => t.startsWith('image/')) ?? content[0] ?? null
  );
}

/**
 * The X11 clipboard for a paste, through xclip. It saves the clipboard's text (or, when it held
 * no text, its image or other single format: one xclip process serves one format), offers the
 * dictation, sees when the focused app has read it (xclip reports each request it serves), and
 * puts the saved content back, or leaves the clipboard empty if it was.
 */
export class XclipPasteClipboard implements PasteClipboard {
  constructor(
    private readonly xsel: XselClipboard,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async save(): Promise<SavedClipboard> {
    let targets: string[];
    try {
      targets = (await this.xclip(['-o', '-t', 'TARGETS'])).toString().split('\n').filter(Boolean);
    } catch (error) {
      // No owner: the clipboard is empty, which is what a restore must leave.
      if (/not available/.test(String(error))) return { formats: [] };
      throw error;
    }
    const type = targetToKeep(targets);
    if (!type) return { formats: [] };
    return { formats: [{ type, data: await this.xclip(['-o', '-t', type]) }] };
  }

  async offer(text: string): Promise<OfferedText> {
    // In the foreground with -verbose, xclip says (on stderr) when it owns the clipboard and when it served a
    // request; it exits when another program (the restore) takes the clipboard.
    const xclip = spawn('xclip', ['-selection', 'clipboard', '-i', '-verbose'], {
      env: this.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let served = 0;
    let onServed: (() => void) | undefined;
    const lines = createInterface({ input: xclip.stderr });
    const owning = new Promise<void>((resolve, reject) => {
      xclip.once('error', reject);
      xclip.once('close', (code) => reject(new Error(`xclip ended (exit ${code}) before it held the clipboard`)));
      lines.on('line', (line) => {
        if (line.startsWith('Waiting for selection requests')) resolve();
        const number = /request number (\d+)/.exec(line)?.[1];
        if (number && Number(number) > 1) {
          served = Number(number) - 1;
          onServed?.();
        }
      });
    });
    xclip.stdin.end(text);
    await owning;
    return {
      readAfter: (paste, maxMs) => {
        const before = served;
        const read = new Promise<boolean>((resolve) => {
          let settle: NodeJS.Timeout | undefined;
          const give = setTimeout(() => finish(false), maxMs);
          const finish = (ok: boolean): void => {
            clearTimeout(give);
            clearTimeout(settle);
            onServed = undefined;
            resolve(ok);
          };
          // An app may ask for the formats first and then the text: wait until it has been quiet a moment.
          onServed = () => {
            if (served <= before) return;
            clearTimeout(settle);
            settle = setTimeout(() => finish(true), SETTLE_MS);
          };
        });
        // The app may read before the key tool has even returned: the watch starts first.
        return paste().then(() => read);
      },
    };
  }

  async restore(saved: SavedClipboard): Promise<void> {
    const format = saved.formats[0];
    if (!format) return this.xsel.clear();
    // Without -verbose xclip forks once it owns the clipboard, and serves it until the next copy.
    await runForkingTool('xclip', ['-selection', 'clipboard', '-i', '-t', format.type], {
      input: format.data,
      timeoutMs: 3000,
      env: this.env,
    });
  }

  private xclip(args: string[]): Promise<Buffer> {
    return runTool('xclip', ['-selection', 'clipboard', ...args], { timeoutMs: 3000, env: this.env });
  }
}

/** Quiet time after the app's last request before the clipboard is restored. */
export const SETTLE_MS = 60;
