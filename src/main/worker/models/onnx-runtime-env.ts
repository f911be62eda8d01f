/**
 * The environment every process that can load ONNX Runtime starts with: telemetry off.
 *
 * Since early 2026 (microsoft/onnxruntime pull 27379) the official Linux and macOS builds run
 * 1DS telemetry by default: a persistent device id and an event database under
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime, and uploads to mobile.events.data.microsoft.com
 * (1.30 first looks that host up about 9 s after it starts). The runtime reads its switch once,
 * when it initialises, so the switch must be in the environment before then.
 * - `ORT_DISABLE_TELEMETRY`: the opt-out 1.30 reads. Any other value than "1" (a user's "0")
 *   leaves telemetry on, so Earshot always overrides it.
 * - `ORT_TELEMETRY_DISABLED`: the name upstream's current sources read
 *   (core/platform/telemetry_environment.h), on every platform, Windows included; set so that
 *   an update of onnxruntime-node stays quiet too.
 * There is deliberately no setting for this: Earshot sends nothing.
 */
export const ONNX_RUNTIME_ENV: Readonly<Record<string, string>> = Object.freeze({
  ORT_DISABLE_TELEMETRY: '1',
  ORT_TELEMETRY_DISABLED: '1',
});

/**
 * Puts `ONNX_RUNTIME_ENV` into this process's environment (Node writes `process.env` through to
 * the C environment that the runtime reads). Call it before anything loads onnxruntime-node.
 */
export function applyOnnxRuntimeEnv(env: NodeJS.ProcessEnv = process.env): void {
  Object.assign(env, ONNX_RUNTIME_ENV);
}
