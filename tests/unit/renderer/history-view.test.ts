// @vitest-environment happy-dom
// The History view and its store over the real history (SQLite with full-text search) behind the loopback bridge: list, search with marked snippets, filter, delete, export, playback and errors.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryEntryInput } from '../../../src/main/history/history-store';
import HistoryView from '../../../src/renderer/views/HistoryView.vue';
import { installBridge } from '../../../src/renderer/bridge';
import { useHistoryStore } from '../../../src/renderer/stores/history';
import { decodeWavFile } from '../../../src/main/audio/wav';
import { loopbackBridge } from '../../support/loopback-bridge';
import { SHARED_AUDIO } from '../../support/shared-audio';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();

const KITCHEN: HistoryEntryInput = {
  createdAt: Date.UTC(2026, 0, 5, 9, 30),
  text: 'Turn on the kitchen lights.',
  language: 'en',
  trigger: 'wake',
  keyword: 'hey_jarvis',
  profile: 'balanced',
  device: 'USB Mic',
  durationMs: 1840,
  latency: { encoder_ms: 182, decoder_ms: 96, end_to_text_ms: 431 },
};
const TIMER: HistoryEntryInput = {
  createdAt: Date.UTC(2026, 0, 5, 10, 0),
  text: 'Set a timer for ten minutes.',
  language: 'en',
  trigger: 'ptt',
  keyword: null,
  profile: 'low-latency',
  device: null,
  durationMs: 920,
  latency: { encoder_ms: 75, decoder_ms: 40, end_to_text_ms: 210 },
};
/** Markup in a transcript must stay text: the snippet is built from nodes, never from HTML. */
const LAMP: HistoryEntryInput = {
  createdAt: Date.UTC(2026, 0, 5, 11, 0),
  text: 'Dim the <b>kitchen</b> lamp a little.',
  language: 'en',
  trigger: 'ptt',
  keyword: null,
  profile: 'balanced',
  device: 'USB Mic',
  durationMs: 1500,
  latency: { encoder_ms: 120, decoder_ms: 60, end_to_text_ms: 300 },
};

/** Half a second of a 440 Hz tone, kept as the entry's recording. */
const TONE = {
  samples: Float32Array.from({ length: 8000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000)),
  sampleRate: 16000,
};

async function mountHistory(seed: { input: HistoryEntryInput; audio?: typeof TONE }[] = []) {
  const { api, services } = await loopbackBridge(tempDir());
  const ids = seed.map(({ input, audio }) => services.history.add(input, audio).id);
  installBridge(api);
  const pinia = createPinia();
  setActivePinia(pinia);
  const store = useHistoryStore();
  const wrapper = mount(HistoryView, { global: { plugins: [pinia] } });
  await vi.waitFor(() => expect(store.loaded).toBe(true));
  await flushPromises();
  return {
    wrapper,
    store,
    services,
    ids,
    entries: () => wrapper.findAll('[data-testid="history-entry"]'),
    texts: () => wrapper.findAll('[data-testid="entry-text"]').map((e) => e.text()),
    async dispose() {
      wrapper.unmount();
      await services.dispose();
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('HistoryView with the real history', () => {
  it('lists entries newest first with their details', async () => {
    const view = await mountHistory([{ input: KITCHEN }, { input: TIMER }]);
    try {
      expect(view.texts()).toEqual(['Set a timer for ten minutes.', 'Turn on the kitchen lights.']);
      expect(view.wrapper.get('[data-testid="history-count"]').text()).toBe('2 transcripts');
      const [timer, kitchen] = view.entries();

      expect(kitchen!.get('time').attributes('datetime')).toBe('2026-01-05T09:30:00.000Z');
      expect(kitchen!.get('time').text()).toBe(new Date(KITCHEN.createdAt!).toLocaleString());
      expect(kitchen!.get('[data-testid="entry-trigger"]').text()).toBe('Wake word: Hey Jarvis');
      // The profile by name, once the view has the profiles.
      await vi.waitFor(() =>
        expect(kitchen!.get('[data-testid="entry-facts"]').text()).toMatch(
          /Profile: Balanced\s*Microphone: USB Mic\s*Language: en/,
        ),
      );
      const latency = kitchen!.findAll('[data-latency]').map((f) => `${f.get('dt').text()} ${f.get('dd').text()}`);
      expect(latency).toEqual(['Recording 1.8 s', 'Encoder 182 ms', 'Decoder 96 ms', 'End of speech → text 431 ms']);
      expect(kitchen!.find('[data-testid="entry-play"]').exists()).toBe(false);

      expect(timer!.get('[data-testid="entry-trigger"]').text()).toBe('Push-to-talk');
      expect(timer!.get('[data-testid="entry-facts"]').text()).toContain('Microphone: unknown');
      expect(timer!.find('mark').exists()).toBe(false);
    } finally {
      await view.dispose();
    }
  });

  it('searches after a pause, marks the matches in the snippet, and filters by trigger', async () => {
    const view = await mountHistory([{ input: KITCHEN }, { input: TIMER }, { input: LAMP }]);
    try {
      const search = view.wrapper.get('input[role="searchbox"]');
      expect(view.wrapper.get(`label[for="${search.attributes('id')}"]`).text()).toBe('Search transcripts');

      await search.setValue('kitchen');
      // Debounced: nothing is asked for while the user may still be typing.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(view.entries()).toHaveLength(3);
      await vi.waitFor(() => expect(view.entries()).toHaveLength(2), { timeout: 1000, interval: 20 });
      await flushPromises();

      const [lamp, kitchen] = view.entries();
      expect(kitchen!.get('[data-testid="snippet"]').text()).toBe('Turn on the kitchen lights.');
      expect(kitchen!.findAll('mark').map((m) => m.text())).toEqual(['kitchen']);
      // The transcript's own "<b>" is shown as text, not made into an element.
      expect(lamp!.get('[data-testid="snippet"]').text()).toBe('Dim the <b>kitchen</b> lamp a little.');
      expect(lamp!.find('b').exists()).toBe(false);
      expect(lamp!.findAll('mark').map((m) => m.text())).toEqual(['kitchen']);
      expect(view.wrapper.get('[data-testid="history-count"]').text()).toBe('2 shown of 3 transcripts');

      await view.wrapper.get('[data-testid="trigger-filter"]').setValue('ptt');
      await vi.waitFor(() => expect(view.entries()).toHaveLength(1));
      expect(view.texts()).toEqual(['Dim the <b>kitchen</b> lamp a little.']);
      await view.wrapper.get('[data-testid="trigger-filter"]').setValue('wake');
      await vi.waitFor(() => expect(view.texts()).toEqual(['Turn on the kitchen lights.']));

      await search.setValue('timer');
      await vi.waitFor(() => expect(view.entries()).toHaveLength(0), { timeout: 1000, interval: 20 });
      expect(view.wrapper.get('[data-testid="history-empty"]').text()).toMatch(/^Nothing matches/);

      await view.wrapper.get('[data-testid="trigger-filter"]').setValue('all');
      await vi.waitFor(() => expect(view.texts()).toEqual(['Set a timer for ten minutes.']));
      // Enter searches at once.
      await search.setValue('');
      await view.wrapper.get('form[role="search"]').trigger('submit');
      await vi.waitFor(() => expect(view.entries()).toHaveLength(3));
      expect(view.wrapper.get('[data-testid="history-count"]').text()).toBe('3 transcripts');
    } finally {
      await view.dispose();
    }
  });

  it('deletes an entry only after an inline confirmation, and follows changes made elsewhere', async () => {
    const view = await mountHistory([{ input: KITCHEN }, { input: TIMER }]);
    try {
      const [timer] = view.entries();
      await timer!.get('[data-testid="entry-delete"]').trigger('click');
      const confirm = timer!.get('[data-testid="entry-confirm"]');
      expect(confirm.attributes('role')).toBe('group');
      expect(confirm.text()).toContain('Delete this transcript?');
      await confirm
        .findAll('button')
        .find((b) => b.text() === 'Cancel')!
        .trigger('click');
      expect(timer!.find('[data-testid="entry-confirm"]').exists()).toBe(false);
      expect(view.services.history.count()).toBe(2);

      await timer!.get('[data-testid="entry-delete"]').trigger('click');
      await timer!.get('[data-testid="entry-confirm"] button.danger').trigger('click');
      await vi.waitFor(() => expect(view.texts()).toEqual(['Turn on the kitchen lights.']));
      expect(view.services.history.count()).toBe(1);
      expect(view.services.history.list().map((e) => e.text)).toEqual(['Turn on the kitchen lights.']);

      // A new transcript from the session: main announces it, the list reloads.
      view.services.history.add(LAMP);
      view.services.events.emit('history:changed', { count: view.services.history.count() });
      await vi.waitFor(() => expect(view.entries()).toHaveLength(2));
      expect(view.texts()[0]).toBe('Dim the <b>kitchen</b> lamp a little.');

      for (const id of view.services.history.list().map((e) => e.id)) {
        await view.wrapper.get(`[data-id="${id}"] [data-testid="entry-delete"]`).trigger('click');
        await view.wrapper.get(`[data-id="${id}"] button.danger`).trigger('click');
        await flushPromises();
      }
      await vi.waitFor(() => expect(view.entries()).toHaveLength(0));
      expect(view.wrapper.get('[data-testid="history-empty"]').text()).toMatch(/^No transcripts yet/);
      expect(view.wrapper.get('[data-testid="export-json"]').attributes('disabled')).toBeDefined();
    } finally {
      await view.dispose();
    }
  });

  it('exports the whole history as a TXT, JSON or SRT download', async () => {
    const view = await mountHistory([{ input: KITCHEN }, { input: TIMER }]);
    const blobs: Blob[] = [];
    const createObjectURL = URL.createObjectURL.bind(URL);
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return createObjectURL(blob);
    });
    const clicked: { download: string; href: string; attached: boolean }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ download: this.download, href: this.href, attached: this.isConnected });
    });
    try {
      await view.wrapper.get('[data-testid="export-json"]').trigger('click');
      await vi.waitFor(() => expect(clicked).toHaveLength(1));
      expect(clicked[0]).toMatchObject({ download: 'earshot-history.json', attached: true });
      expect(clicked[0]!.href).toMatch(/^blob:/);
      expect(blobs[0]!.type).toBe('application/json');
      const json = JSON.parse(await blobs[0]!.text()) as { text: string; trigger: string; created_at: string }[];
      // A document reads forward in time: oldest first.
      expect(json.map((e) => [e.text, e.trigger, e.created_at])).toEqual([
        ['Turn on the kitchen lights.', 'wake', '2026-01-05T09:30:00.000Z'],
        ['Set a timer for ten minutes.', 'ptt', '2026-01-05T10:00:00.000Z'],
      ]);
      expect(document.querySelector('a[download]')).toBeNull();

      await view.wrapper.get('[data-testid="export-srt"]').trigger('click');
      await vi.waitFor(() => expect(clicked).toHaveLength(2));
      expect(clicked[1]!.download).toBe('earshot-history.srt');
      const srt = await blobs[1]!.text();
      expect(srt).toMatch(/^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\r?\nTurn on the kitchen lights\./);
      expect(srt).toContain('Set a timer for ten minutes.');

      await view.wrapper.get('[data-testid="export-txt"]').trigger('click');
      await vi.waitFor(() => expect(clicked).toHaveLength(3));
      expect(clicked[2]!.download).toBe('earshot-history.txt');
      expect(blobs[2]!.type).toBe('text/plain');
      const txt = await blobs[2]!.text();
      expect(txt.indexOf('Turn on the kitchen lights.')).toBeLessThan(txt.indexOf('Set a timer for ten minutes.'));
      expect(txt).toContain('2026-01-05 09:30:00');
    } finally {
      await view.dispose();
    }
  });

  it('plays a kept recording through a Blob URL', async () => {
    const view = await mountHistory([{ input: KITCHEN, audio: TONE }, { input: TIMER }]);
    const blobs: Blob[] = [];
    const createObjectURL = URL.createObjectURL.bind(URL);
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return createObjectURL(blob);
    });
    try {
      const [timer, kitchen] = view.entries();
      expect(timer!.find('[data-testid="entry-play"]').exists()).toBe(false);
      await kitchen!.get('[data-testid="entry-play"]').trigger('click');
      await vi.waitFor(() => expect(kitchen!.find('audio').exists()).toBe(true));
      const audio = kitchen!.get('audio');
      expect(audio.attributes('src')).toMatch(/^blob:/);
      expect(audio.attributes('controls')).toBeDefined();
      expect(blobs[0]!.type).toBe('audio/wav');
      const bytes = new Uint8Array(await blobs[0]!.arrayBuffer());
      expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
      expect(new TextDecoder().decode(bytes.subarray(8, 12))).toBe('WAVE');
      // 16-bit or float PCM: at least half a second of 16 kHz audio.
      expect(bytes.length).toBeGreaterThan(16_000);
    } finally {
      await view.dispose();
    }
  });

  it('transcribes a kept recording again with another profile and shows both side by side', async () => {
    const jfk = await decodeWavFile(SHARED_AUDIO.jfk);
    const view = await mountHistory([{ input: KITCHEN, audio: { samples: jfk.samples, sampleRate: jfk.sampleRate } }]);
    try {
      const entry = view.entries()[0]!;
      await vi.waitFor(() => expect(entry.find('[data-testid="entry-retranscribe"]').exists()).toBe(true));
      expect(entry.get<HTMLSelectElement>('select').element.value).toBe('low-latency');
      await entry.get('[data-testid="entry-retranscribe"] form').trigger('submit');
      await vi.waitFor(() => expect(entry.find('[data-testid="entry-compare"]').exists()).toBe(true), {
        timeout: 60_000,
      });
      const recorded = entry.get('[data-profile="recorded"]');
      expect(recorded.text()).toContain('Balanced (live)');
      expect(recorded.text()).toContain('Turn on the kitchen lights.');
      expect(recorded.text()).toContain('431 ms');
      const retry = entry.get('[data-profile="low-latency"]');
      expect(retry.text()).toMatch(/^Low latency \(whisper-tiny\)/);
      expect(retry.text()).toMatch(/ask not what your country can do for you/i);
      expect(retry.text()).toMatch(/\d+ ms/);

      // Pruned meanwhile: the reason, and the earlier comparison stays.
      view.services.history.delete(view.ids[0]!);
      await entry.get('[data-testid="entry-retranscribe"] form').trigger('submit');
      await vi.waitFor(() => expect(view.wrapper.find('[role="alert"]').exists()).toBe(true));
      expect(view.wrapper.get('[role="alert"]').text()).toBe(
        `Entry ${view.ids[0]} has no recording (audio is not kept, or was pruned).`,
      );
      expect(entry.find('[data-profile="low-latency"]').exists()).toBe(true);
    } finally {
      await view.dispose();
    }
  }, 90_000);

  it('shows the error of a request main refuses, and of an entry that is gone', async () => {
    const view = await mountHistory([{ input: KITCHEN, audio: TONE }]);
    try {
      expect(view.wrapper.find('[role="alert"]').exists()).toBe(false);
      // Longer than the contract allows: the guarded router refuses it before the history is asked.
      await view.store.setQuery({ search: 'kitchen '.repeat(80) });
      await flushPromises();
      expect(view.wrapper.get('[role="alert"]').text()).toMatch(/^Malformed request for history:list: search /);
      expect(view.entries()).toHaveLength(1);

      await view.store.setQuery({ search: '' });
      await flushPromises();
      expect(view.wrapper.find('[role="alert"]').exists()).toBe(false);

      // The recording was pruned after the list was shown.
      const [id] = view.services.history.list().map((e) => e.id);
      view.services.history.delete(id!);
      await view.wrapper.get('[data-testid="entry-play"]').trigger('click');
      await vi.waitFor(() => expect(view.wrapper.find('[role="alert"]').exists()).toBe(true));
      expect(view.wrapper.get('[role="alert"]').text()).toBe(
        `Entry ${id} has no recording (audio is not kept, or was pruned).`,
      );
      expect(view.wrapper.find('audio').exists()).toBe(false);
    } finally {
      await view.dispose();
    }
  });
});
