/** The window that has the keyboard focus, as far as the platform tells. */
export interface FocusedApp {
  /** The window's id; the same id means the same window (for the joining space). */
  id: string;
  /** X11's WM_CLASS (instance and class), lower case; empty where the platform does not say. */
  classes: string[];
  title: string | null;
}

/**
 * Terminal emulators by WM_CLASS (instance or class, lower case). They paste with Ctrl+Shift+V
 * (Ctrl+V is a control character to the shell), and are excluded unless the user allows them:
 * typed text there runs as a command.
 */
const TERMINALS = new Set([
  'xterm',
  'uxterm',
  'urxvt',
  'rxvt',
  'gnome-terminal',
  'gnome-terminal-server',
  'org.gnome.console',
  'kgx',
  'org.gnome.ptyxis',
  'ptyxis',
  'konsole',
  'org.kde.konsole',
  'kitty',
  'alacritty',
  'terminator',
  'tilix',
  'com.gexperts.tilix',
  'xfce4-terminal',
  'lxterminal',
  'mate-terminal',
  'qterminal',
  'st',
  'st-256color',
  'wezterm',
  'org.wezfurlong.wezterm',
  'foot',
  'sakura',
  'terminology',
  'guake',
  'tilda',
  'yakuake',
  'ghostty',
  'com.mitchellh.ghostty',
  'blackbox',
  'com.raggesilver.blackbox',
  'cool-retro-term',
  'tabby',
  'hyper',
  'warp',
  'eterm',
  'aterm',
]);

export function isTerminal(app: FocusedApp): boolean {
  return app.classes.some((name) => TERMINALS.has(name));
}

/** The name to show for an app: its class as the window system has it, else its title. */
export function appName(app: FocusedApp): string {
  return app.classes.at(-1) ?? app.title ?? `window ${app.id}`;
}

/**
 * The exclusion rule that matches the app, or null. A rule is a WM_CLASS name (either part,
 * any case) or a word of the window's title: password managers name themselves in both.
 */
export function matchingExclusion(app: FocusedApp, excluded: readonly string[]): string | null {
  const title = app.title?.toLowerCase() ?? '';
  for (const rule of excluded) {
    const name = rule.trim().toLowerCase();
    if (!name) continue;
    if (app.classes.includes(name)) return rule;
    if (new RegExp(`(^|[^a-z0-9])${escapeRegExp(name)}($|[^a-z0-9])`).test(title)) return rule;
  }
  return null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
