// Vitest setup file: ONNX Runtime's telemetry off in this test process and in everything it starts.
// The privacy test removes the switch again for the CLI it traces, to prove that Earshot sets it itself.
import { applyOnnxRuntimeEnv } from '../../src/main/worker/models/onnx-runtime-env';

applyOnnxRuntimeEnv();
