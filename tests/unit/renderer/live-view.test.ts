// @vitest-environment happy-dom
// The Live view and its session store over the real services (a WAV microphone, the real worker): start and stop, session events, voice commands, push-to-talk keys, the cue, and errors.
import { createTestingPinia } from '@pinia/testing';
import { flushPromises, mount, type DOMWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FinalTranscript } from '../../../src/shared/session';
import LiveView from '../../../src/renderer/views/LiveView.vue';
import { MAX_FINALS, useSessionStore } from '../../../src/renderer/stores/session';
import { mountWithSession } from '../../support/session-view';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();

const mountLive = () => mountWithSession(LiveView, tempDir());

function final(overrides: Partial<FinalTranscript> = {}): FinalTranscript {
  return {
    historyId: 1,
    text: 'Turn on the kitchen lights.',
    language: 'en',
    trigger: 'wake',
    keyword: 'hey_jarvis',
    noSpeech: false,
    finalPass: 'full',
    recovered: false,
    output: { delivered: 'history', app: null },
    timings: {
      startedAt: Date.UTC(2026, 0, 5, 9, 30, 0),
      endedAt: Date.UTC(2026, 0, 5, 9, 30, 2),
      recordingMs: 2140.6,
      encoderMs: 182.4,
      decoderMs: 96.2,
      endToTextMs: 431.7,
    },
    ...overrides,
  };
}

const latencyOf = (card: DOMWrapper<Element>) =>
  Object.fromEntries(
    card
      .findAll('[data-latency]')
      .map((fact) => [fact.attributes('data-latency'), [fact.get('dt').text(), fact.get('dd').text()]]),
  );

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('LiveView with the real session', () => {
  it('starts listening for the wake word, meters the input, and stops', async () => {
    const live = await mountLive();
    try {
      const state = () => live.wrapper.get('[data-testid="session-state"]');
      const toggle = () => live.wrapper.get('[data-testid="session-toggle"]');
      expect(state().attributes('data-state')).toBe('idle');
      expect(state().text()).toBe('Idle: not listening');
      expect(toggle().text()).toBe('Start listening');
      expect(live.wrapper.find('[data-testid="level-meter"]').exists()).toBe(false);

      await toggle().trigger('click');
      expect(toggle().text()).toBe('Starting…');
      expect(toggle().attributes('disabled')).toBeDefined();
      await vi.waitFor(() => expect(live.store.running).toBe(true), { timeout: 20_000, interval: 50 });
      await flushPromises();
      expect(state().attributes('data-state')).toBe('armed');
      expect(state().text()).toBe('Listening for Hey Jarvis');
      expect(toggle().text()).toBe('Stop listening');
      expect(live.services.session.status().running).toBe(true);

      // jfk.wav is the microphone: it speaks within a quarter of a second.
      const meter = () => live.wrapper.get('[data-testid="level-meter"]');
      await vi.waitFor(() => expect(Number(meter().attributes('aria-valuenow'))).toBeGreaterThan(-40), {
        timeout: 2000,
        interval: 20,
      });
      const wake = live.wrapper.get('[role="meter"][aria-label="Wake word score"]');
      expect(wake.attributes()).toMatchObject({ 'aria-valuemin': '0', 'aria-valuemax': '1' });

      await toggle().trigger('click');
      await vi.waitFor(() => expect(live.store.running).toBe(false), { timeout: 10_000, interval: 50 });
      await flushPromises();
      expect(state().attributes('data-state')).toBe('idle');
      expect(state().text()).toBe('Idle: not listening');
      expect(live.wrapper.find('[data-testid="level-meter"]').exists()).toBe(false);
      expect(live.services.session.status().running).toBe(false);
    } finally {
      await live.dispose();
    }
  }, 30_000);

  it('renders finals newest first with their latency breakdown, trigger and notes, and the live partial', async () => {
    const live = await mountLive();
    try {
      const { events } = live.services;
      expect(live.wrapper.find('[data-testid="no-finals"]').exists()).toBe(true);

      events.emit('session:state', { state: 'armed', previous: 'idle', reason: 'wake word on' });
      events.emit('session:state', { state: 'recording', previous: 'armed', reason: 'wake word' });
      // Whisper has heard nothing yet: no empty box.
      events.emit('session:partial', { stable: '', unstable: '' });
      await flushPromises();
      expect(live.wrapper.find('[data-testid="partial"]').exists()).toBe(false);
      events.emit('session:partial', { stable: 'turn on the', unstable: 'kitchen' });
      await flushPromises();
      const state = live.wrapper.get('[data-testid="session-state"]');
      expect(state.attributes('data-state')).toBe('recording');
      expect(state.text()).toBe('Recording: speak now…');
      const partial = live.wrapper.get('[data-testid="partial"]');
      expect(partial.get('.stable').text()).toBe('turn on the');
      expect(partial.get('.unstable').text()).toBe('kitchen');

      events.emit('session:state', { state: 'transcribing', previous: 'recording', reason: 'speech ended' });
      await flushPromises();
      expect(live.wrapper.get('[data-testid="session-state"]').text()).toBe('Transcribing…');
      // The partial stays up until the text is final.
      expect(live.wrapper.find('[data-testid="partial"]').exists()).toBe(true);

      events.emit('session:final', final());
      events.emit('session:state', { state: 'armed', previous: 'transcribing', reason: 'transcript done' });
      events.emit(
        'session:final',
        final({
          historyId: 2,
          text: 'What time is it?',
          trigger: 'ptt',
          keyword: null,
          recovered: true,
          output: { delivered: 'paste', app: 'gedit' },
          finalPass: 'cached-encoder',
          timings: { ...final().timings, recordingMs: 840, encoderMs: 0, decoderMs: 55, endToTextMs: 1210 },
        }),
      );
      await flushPromises();
      expect(live.wrapper.find('[data-testid="partial"]').exists()).toBe(false);
      expect(live.wrapper.find('[data-testid="no-finals"]').exists()).toBe(false);

      const cards = live.wrapper.findAll('[data-testid="final"]');
      expect(cards.map((c) => c.get('[data-testid="final-text"]').text())).toEqual([
        'What time is it?',
        'Turn on the kitchen lights.',
      ]);
      const [ptt, wake] = cards;
      expect(latencyOf(wake!)).toEqual({
        recording: ['Recording', '2.1 s'],
        encoder: ['Encoder', '182 ms'],
        decoder: ['Decoder', '96 ms'],
        'end-to-text': ['End of speech → text', '432 ms'],
      });
      expect(wake!.get('[data-testid="final-trigger"]').text()).toBe('Wake word: Hey Jarvis');
      expect(wake!.find('[data-testid="final-recovered"]').exists()).toBe(false);
      expect(wake!.find('[data-testid="final-output"]').exists()).toBe(false);

      expect(latencyOf(ptt!)).toEqual({
        recording: ['Recording', '840 ms'],
        encoder: ['Encoder', 'cached'],
        decoder: ['Decoder', '55 ms'],
        'end-to-text': ['End of speech → text', '1210 ms'],
      });
      expect(ptt!.get('[data-testid="final-trigger"]').text()).toBe('Push-to-talk');
      expect(ptt!.get('[data-testid="final-recovered"]').text()).toBe("Recovered from the app's copy of the audio");
      expect(ptt!.get('[data-testid="final-output"]').text()).toBe('Pasted into gedit');
      expect(ptt!.get('time').attributes('datetime')).toBe('2026-01-05T09:30:02.000Z');

      // Voice commands: what ran and how it went, a failure said as such.
      events.emit('session:command', {
        command: 'switch-profile',
        slots: { profile: 'low-latency' },
        ok: true,
        message: 'Now using the Low latency profile.',
        score: 1,
        text: ' Switch to the low latency profile.',
        historyId: 5,
      });
      events.emit('session:command', {
        command: 'heater',
        slots: {},
        ok: false,
        message: 'http://127.0.0.1:8123/api/webhook/heater answered 403 Forbidden.',
        score: 0.9,
        text: 'Turn on the heater.',
        historyId: 6,
      });
      await flushPromises();
      expect(live.wrapper.findAll('[data-testid="voice-commands"] li').map((li) => li.text())).toEqual([
        'Command failed "Turn on the heater.": http://127.0.0.1:8123/api/webhook/heater answered 403 Forbidden.',
        'Command "Switch to the low latency profile.": Now using the Low latency profile.',
      ]);

      // Silence: said so, not shown as an empty line.
      events.emit('session:final', final({ historyId: null, text: '', noSpeech: true }));
      await flushPromises();
      expect(live.wrapper.get('[data-testid="final-text"]').text()).toBe('Nothing was said.');

      // The last partial became the final: no 0 ms stages, but where the work went.
      const reused = { ...final().timings, encoderMs: 0, decoderMs: 0, endToTextMs: 212 };
      events.emit('session:final', final({ historyId: 4, finalPass: 'reused-partial', timings: reused }));
      await flushPromises();
      expect(latencyOf(live.wrapper.findAll('[data-testid="final"]')[0]!)).toEqual({
        recording: ['Recording', '2.1 s'],
        'final-pass': ['Encoder and decoder', 'done during speech (the last partial)'],
        'end-to-text': ['End of speech → text', '212 ms'],
      });
    } finally {
      await live.dispose();
    }
  });

  it('keeps only the newest finals, and shows problems until they are dismissed', async () => {
    const live = await mountLive();
    try {
      for (let i = 1; i <= MAX_FINALS + 5; i++) {
        live.services.events.emit('session:final', final({ historyId: i, text: `Utterance ${i}` }));
      }
      live.services.events.emit('session:problem', {
        kind: 'error',
        code: 'DeviceLost',
        message: 'The microphone stopped delivering audio.',
      });
      live.services.events.emit('session:problem', {
        kind: 'queued',
        code: null,
        message: 'Still transcribing the last utterance; this one follows.',
      });
      await flushPromises();
      const texts = live.wrapper.findAll('[data-testid="final-text"]').map((t) => t.text());
      expect(texts).toHaveLength(MAX_FINALS);
      expect(texts[0]).toBe(`Utterance ${MAX_FINALS + 5}`);
      expect(texts.at(-1)).toBe('Utterance 6');

      const alerts = () => live.wrapper.findAll('[role="alert"]');
      expect(alerts().map((a) => [a.classes('error') ? 'error' : 'warning', a.get('span').text()])).toEqual([
        ['error', 'The microphone stopped delivering audio.'],
        ['warning', 'Still transcribing the last utterance; this one follows.'],
      ]);
      await alerts()[0]!.get('button').trigger('click');
      expect(alerts().map((a) => a.get('span').text())).toEqual([
        'Still transcribing the last utterance; this one follows.',
      ]);
    } finally {
      await live.dispose();
    }
  });

  it('plays the cue when the wake word is heard, only with the cue on, and never fails without Web Audio', async () => {
    const live = await mountLive();
    try {
      const wake = () => live.services.events.emit('session:wake', { keyword: 'hey_jarvis', score: 0.91 });
      // happy-dom has no Web Audio: the cue is skipped without an error.
      expect(typeof (globalThis as { AudioContext?: unknown }).AudioContext).toBe('undefined');
      wake();

      const started: number[] = [];
      class FakeAudioContext {
        state = 'running';
        currentTime = 3;
        destination = {};
        createOscillator() {
          return {
            type: '',
            frequency: { setValueAtTime: vi.fn(), exponentialRampToValueAtTime: vi.fn() },
            connect: (node: unknown) => node,
            start: (at: number) => started.push(at),
            stop: vi.fn(),
            onended: null,
          };
        }
        createGain() {
          return {
            gain: { setValueAtTime: vi.fn(), exponentialRampToValueAtTime: vi.fn() },
            connect: (node: unknown) => node,
            disconnect: vi.fn(),
          };
        }
        resume() {
          return Promise.resolve();
        }
      }
      vi.stubGlobal('AudioContext', FakeAudioContext);
      wake();
      expect(started).toEqual([3]);

      // Switched off (in Settings, or another window): the store follows.
      live.services.session.setOptions({ cueSound: false });
      await vi.waitFor(() => expect(live.store.options?.cueSound).toBe(false));
      wake();
      expect(started).toEqual([3]);
    } finally {
      await live.dispose();
    }
  });
});

describe('LiveView push-to-talk', () => {
  function mountStubbed() {
    const pinia = createTestingPinia({
      createSpy: vi.fn,
      initialState: {
        session: {
          loaded: true,
          state: 'armed',
          status: {
            state: 'armed',
            running: true,
            wakeEnabled: true,
            keywords: ['hey_jarvis', 'alexa'],
            pressed: false,
            options: { copyToClipboard: false, cueSound: true, retainAudio: false, toggleShortcut: null },
            shortcut: { accelerator: null, registered: false, problem: null },
          },
          scores: { hey_jarvis: 0.12, alexa: 0.64 },
        },
      },
    });
    const store = useSessionStore(pinia);
    vi.mocked(store.watchLevel).mockReturnValue(() => undefined);
    const wrapper = mount(LiveView, { global: { plugins: [pinia] }, attachTo: document.body });
    return { wrapper, store };
  }

  const key = (type: 'keydown' | 'keyup', init: KeyboardEventInit = {}, target: EventTarget = window) =>
    target.dispatchEvent(
      new KeyboardEvent(type, { code: 'Space', key: ' ', bubbles: true, cancelable: true, ...init }),
    );

  it('presses while Space or the button is held, ignoring key repeat and Space in fields and on other controls', async () => {
    const { wrapper, store } = mountStubbed();
    const button = wrapper.get('[data-testid="push-to-talk"]');
    expect(button.text()).toBe('Hold to talk (Space)');

    expect(key('keydown')).toBe(false); // default prevented: no scrolling
    key('keydown', { repeat: true });
    key('keydown', { repeat: true });
    expect(store.press).toHaveBeenCalledTimes(1);
    await wrapper.vm.$nextTick();
    expect(button.attributes('aria-pressed')).toBe('true');
    key('keyup');
    expect(store.release).toHaveBeenCalledTimes(1);

    // Space types a space in a field, and toggles a checkbox: not push-to-talk.
    const field = document.body.appendChild(document.createElement('input'));
    const box = document.body.appendChild(Object.assign(document.createElement('input'), { type: 'checkbox' }));
    key('keydown', {}, field);
    key('keyup', {}, field);
    key('keydown', {}, box);
    field.remove();
    box.remove();
    key('keydown', {}, wrapper.get('[data-testid="session-toggle"]').element);
    expect(store.press).toHaveBeenCalledTimes(1);
    expect(store.release).toHaveBeenCalledTimes(1);

    // The push-to-talk button itself takes Space, and the pointer; both held make one press.
    key('keydown', {}, button.element);
    await button.trigger('pointerdown', { button: 0 });
    expect(store.press).toHaveBeenCalledTimes(2);
    key('keyup', {}, button.element);
    expect(store.release).toHaveBeenCalledTimes(1);
    await button.trigger('pointerleave');
    expect(store.release).toHaveBeenCalledTimes(2);

    await button.trigger('pointerdown', { button: 2 });
    expect(store.press).toHaveBeenCalledTimes(2);
    await button.trigger('pointerdown', { button: 0 });
    await button.trigger('pointerup');
    expect(store.press).toHaveBeenCalledTimes(3);
    expect(store.release).toHaveBeenCalledTimes(3);

    // The window loses the focus mid-press: its key-up will never come.
    key('keydown');
    window.dispatchEvent(new Event('blur'));
    expect(store.release).toHaveBeenCalledTimes(4);
    key('keyup');
    expect(store.release).toHaveBeenCalledTimes(4);

    // Leaving the view while holding lets go too.
    key('keydown');
    wrapper.unmount();
    expect(store.release).toHaveBeenCalledTimes(5);
    key('keydown');
    expect(store.press).toHaveBeenCalledTimes(5);
  });

  it('names every active wake word and meters the highest score against the threshold', () => {
    const { wrapper } = mountStubbed();
    try {
      expect(wrapper.get('[data-testid="session-state"]').text()).toBe('Listening for Hey Jarvis or Alexa');
      const meter = wrapper.get('[role="meter"][aria-label="Wake word score"]');
      expect(meter.attributes('aria-valuenow')).toBe('0.64');
      expect(meter.attributes('aria-valuetext')).toBe('0.64 for Alexa (wakes at 0.50)');
      expect(wrapper.get('.wake-fill').classes()).toContain('above');
    } finally {
      wrapper.unmount();
    }
  });
});
