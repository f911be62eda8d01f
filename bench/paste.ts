// Text where the cursor is, on X11 (Xvfb and a real GTK entry): how soon the app reads a paste
// (what the fixed restore delay of other platforms must cover), and a whole paste against typing
// the same sentence, idle and beside two busy processes.
import { systemDesktop } from '../src/main/actions/system-desktop';
import { TextOutput } from '../src/main/actions/text-output';
import { PASTE_READ_DELAY_MS } from '../src/main/actions/text-paste-clipboard';
import { SETTLE_MS, XclipPasteClipboard, XdotoolKeys } from '../src/main/actions/x11-desktop';
import { XselClipboard } from '../src/main/actions/xsel-clipboard';
import { DEFAULT_SESSION_OPTIONS } from '../src/shared/settings';
import { startBusyProcesses } from '../tests/support/busy-processes';
import { startXApp } from '../tests/support/x-apps';
import { startXvfb } from '../tests/support/xvfb';
import { percentile } from './stats';

const ROUNDS = 30;
const SENTENCE = 'Turn on the kitchen lights and set them to forty percent.';

export const pasteBench = {
  name: `Paste on X11 (Xvfb, GTK entry): the app's read after the keystroke, and paste against type, ${ROUNDS} rounds`,
  async run(): Promise<string[]> {
    const x = await startXvfb();
    const env = { ...process.env, DISPLAY: x.display, WAYLAND_DISPLAY: undefined };
    const entry = await startXApp(x.display, 'zenity', ['--entry', '--text', 'bench'], 'zenity');
    const lines: string[] = [];
    try {
      for (const busy of [0, 2]) {
        const hogs = startBusyProcesses(busy);
        try {
          const reads = await readDelays(env);
          const output = new TextOutput(systemDesktop(env, 'linux'));
          const paste = await timed(() => output.deliver(SENTENCE, 'paste', DEFAULT_SESSION_OPTIONS));
          const type = await timed(() => output.deliver(SENTENCE, 'type', DEFAULT_SESSION_OPTIONS));
          const where = busy ? `beside ${busy} busy processes` : 'idle';
          lines.push(
            `${where.padEnd(26)} read after keystroke p50 ${ms(percentile(reads, 50))}  p95 ${ms(percentile(reads, 95))}  max ${ms(reads.at(-1)!)}` +
              `  (fixed restore delay elsewhere: ${PASTE_READ_DELAY_MS} ms = ${(PASTE_READ_DELAY_MS / reads.at(-1)!).toFixed(1)}× the max)`,
            `${''.padEnd(26)} whole paste p50 ${ms(percentile(paste, 50))}  type p50 ${ms(percentile(type, 50))}` +
              `  paste/type ${(percentile(paste, 50) / percentile(type, 50)).toFixed(2)}× (${SENTENCE.length} characters)`,
          );
        } finally {
          await hogs.stop();
        }
      }
    } finally {
      entry.stop();
      await x.stop();
    }
    return lines;
  },
};

/** Keystroke → the entry's first request for the clipboard, in ms (xclip reports each request it serves). */
async function readDelays(env: NodeJS.ProcessEnv): Promise<number[]> {
  const clipboard = new XclipPasteClipboard(new XselClipboard('/tmp', env), env);
  const keys = new XdotoolKeys(env);
  const delays: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const offered = await clipboard.offer('x');
    let sent = 0;
    const begun = performance.now();
    const read = await offered.readAfter(async () => {
      sent = performance.now();
      await keys.paste('ctrl+v');
    }, 5000);
    // readAfter resolves once the app has been quiet for SETTLE_MS after its last request.
    if (read) delays.push(performance.now() - begun - SETTLE_MS - (sent - begun));
  }
  await keys.backspace(ROUNDS);
  return delays.sort((a, b) => a - b);
}

async function timed(run: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

const ms = (value: number) => `${value.toFixed(0).padStart(4)} ms`;
