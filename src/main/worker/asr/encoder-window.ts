import onnxProto from 'onnx-proto';
import { AppError } from '../../../shared/errors';

/**
 * Lets Whisper's stock ONNX encoder run on a window shorter than 30 s.
 *
 * The exported encoder's `input_features` [batch, 80, frames] has a dynamic frames axis; the
 * only thing pinning it to 3000 frames is the positional table [1500, d_model], added whole to
 * the convolutions' output. This edit makes that Add see only the table's first `time` rows:
 *
 *   Shape(x) → Slice [1:2] → Slice(table, starts=[0], ends=[time], axes=[0]) → Add(x, ·)
 *
 * where x is the conv output already transposed to [batch, time, d_model]. The table itself
 * stays as it was. On a full 3000-frame window the edited model computes the same thing.
 *
 * What the caller owns:
 * - Frames per window must be even (`encoderWindowFrames`): conv2 has stride 2, so the
 *   encoder gives frames/2 positions, as in training (3000 → 1500).
 * - Pad the audio with at least ~3 s of silence after the speech. With less, Whisper's decoder
 *   repeats the text and never emits end-of-text (shared/ENVIRONMENT.md); keep a repetition
 *   guard as well.
 * - Cost, once per model load: ~100 ms for the first edit in a process (tiny 10 MB or base
 *   23 MB, 2 cores; weights are not copied on decode, so size matters little), 15–50 ms after.
 *   Keep the session, not the edited bytes.
 */

type Onnx = typeof onnxProto.onnx;
type ModelProto = onnxProto.onnx.ModelProto;
type GraphProto = onnxProto.onnx.IGraphProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

// onnx-proto is CommonJS whose exports Node cannot name statically: take the namespace from
// the default import, which works under Node's ESM loader, vitest and the bundled worker.
const onnx: Onnx = onnxProto.onnx;

/** Whisper's fixed window: 30 s of 10 ms mel frames. */
export const WHISPER_WINDOW_FRAMES = 3000;

/** Prefix of every name the edit adds to the graph. */
const PREFIX = '/earshot/encoder_window';

/** Slice takes starts/ends/axes as inputs from opset 10 on (attributes before). */
const MIN_OPSET = 10;

/**
 * The smallest valid encoder window holding `frames` mel frames: rounded up to an even count
 * and at most Whisper's 3000. Longer audio needs more than one window.
 */
export function encoderWindowFrames(frames: number): number {
  if (!Number.isFinite(frames) || frames < 1) {
    throw new RangeError(`An encoder window needs at least one frame, got ${frames}`);
  }
  return Math.min(WHISPER_WINDOW_FRAMES, 2 * Math.ceil(frames / 2));
}

/** Fitted windows come in whole seconds, so that few shapes exist and each can be run warm. */
export const WINDOW_BUCKET_FRAMES = 100;

/**
 * The encoder window for `frames` of audio plus its silent tail, rounded up to a whole number of
 * seconds (at most 30). ONNX Runtime runs the first pass on each new input shape slowly (memory
 * planning; measured 150–450 ms against 40–70 ms warm for 12–24 s windows on 2 cores), and live,
 * every utterance has a length of its own: with buckets, the few shapes are warmed once.
 */
export function bucketedWindowFrames(frames: number): number {
  return encoderWindowFrames(Math.ceil(frames / WINDOW_BUCKET_FRAMES) * WINDOW_BUCKET_FRAMES);
}

/**
 * Returns a copy of a Whisper encoder ONNX model (bytes) that accepts any even number of
 * input frames up to 3000. Throws `ModelIntegrityError` when the graph is not the expected
 * Whisper encoder, so the caller can keep the original model and its full 30 s window.
 */
export function windowedEncoderModel(model: Uint8Array): Uint8Array {
  const proto = decodeModel(model);
  const graph = proto.graph;
  if (!graph) throw notAnEncoder('it has no graph');
  checkOpset(proto);
  checkDynamicFrames(graph);

  const { add, table, rows, activation } = positionalAdd(graph);
  const taken = new Set(tensorNames(graph));
  const name = (suffix: string): string => {
    const full = `${PREFIX}/${suffix}`;
    if (taken.has(full)) throw notAnEncoder(`it already holds a tensor named ${full}`);
    return full;
  };

  const zero = name('zero');
  const one = name('one');
  const two = name('two');
  const shape = name('Shape_output_0');
  const time = name('time');
  const positions = name('positions');
  const nodes: NodeProto[] = [
    onnx.NodeProto.create({ name: name('Shape'), opType: 'Shape', input: [activation], output: [shape] }),
    // Shape(x)[1:2] is already the 1-D [time] that Slice wants as `ends`: no Gather/Unsqueeze needed.
    onnx.NodeProto.create({
      name: name('Time'),
      opType: 'Slice',
      input: [shape, one, two, zero],
      output: [time],
    }),
    onnx.NodeProto.create({
      name: name('Positions'),
      opType: 'Slice',
      input: [table, zero, time, zero],
      output: [positions],
    }),
  ];

  (graph.initializer ??= []).push(int64Tensor(zero, 0), int64Tensor(one, 1), int64Tensor(two, 2));
  add.input = (add.input ?? []).map((input) => (input === table ? positions : input));
  // Nodes must stay in topological order: the new ones go right before the Add they feed.
  const nodeList = graph.node ?? [];
  nodeList.splice(nodeList.indexOf(add), 0, ...nodes);

  // The exporter recorded 30 s shapes (/Add_2_output_0 [batch, 1500, d_model], the attention
  // outputs [batch, heads, 1500, 1500]). Left fixed, they are wrong for shorter windows and ONNX
  // Runtime warns on every run that fetches an attention map ("Expected shape … does not match").
  // In Whisper no axis but time has the table's length (1500; d_model and heads are far smaller).
  for (const info of [...(graph.valueInfo ?? []), ...(graph.output ?? [])]) relaxDim(info, rows);

  return onnx.ModelProto.encode(proto).finish();
}

function decodeModel(model: Uint8Array): ModelProto {
  try {
    return onnx.ModelProto.decode(model);
  } catch (error) {
    throw notAnEncoder(`it is not a readable ONNX model (${(error as Error).message})`);
  }
}

function checkOpset(proto: ModelProto): void {
  const opset = proto.opsetImport.find((entry) => !entry.domain || entry.domain === 'ai.onnx');
  const version = Number(opset?.version ?? 0);
  if (version < MIN_OPSET) throw notAnEncoder(`its ONNX opset is ${version}; the edit needs ${MIN_OPSET} or later`);
}

/** The one input must be [batch, mel bins, frames] with frames left dynamic, or the edit is useless. */
function checkDynamicFrames(graph: GraphProto): void {
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? []).filter((input) => !initializers.has(input.name));
  const dims = inputs[0]?.type?.tensorType?.shape?.dim ?? [];
  if (inputs.length !== 1 || dims.length !== 3) {
    throw notAnEncoder('it does not take one [batch, mel bins, frames] input');
  }
  if (dims[2]?.dimValue != null && Number(dims[2].dimValue) > 0) {
    throw notAnEncoder(`its frames axis is fixed at ${Number(dims[2].dimValue)}`);
  }
}

interface PositionalAdd {
  add: NodeProto;
  /** The positional table's initializer name, and its row count (1500 positions). */
  table: string;
  rows: number;
  /** The conv output as the Add sees it, [batch, time, d_model]. */
  activation: string;
}

/**
 * Finds the Add of the positional table by its role, not its name (exports prefix it
 * differently): a rank-2 float initializer added to a Transpose(perm [0, 2, 1]) output, i.e.
 * the conv output [batch, d_model, time] turned to [batch, time, d_model], so the table's
 * axis 0 is time. The table must have no other consumer, in any subgraph.
 */
function positionalAdd(graph: GraphProto): PositionalAdd {
  const nodes = graph.node ?? [];
  const tables = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) {
    if (t.name && t.dataType === onnx.TensorProto.DataType.FLOAT && t.dims?.length === 2) tables.set(t.name, t);
  }
  const producer = new Map<string, NodeProto>();
  for (const node of nodes) for (const output of node.output ?? []) producer.set(output, node);

  const found: PositionalAdd[] = [];
  for (const node of nodes) {
    const inputs = node.input ?? [];
    if (node.opType !== 'Add' || inputs.length !== 2) continue;
    const tableIndex = inputs.findIndex((input) => tables.has(input));
    if (tableIndex < 0) continue;
    const table = inputs[tableIndex];
    const activation = inputs[1 - tableIndex];
    if (table === undefined || activation === undefined || !isTimeMajorTranspose(producer.get(activation))) continue;
    found.push({ add: node, table, rows: Number(tables.get(table)?.dims?.[0]), activation });
  }
  const [match, ...others] = found;
  if (!match) throw notAnEncoder('no positional-embedding table is added to the transposed conv output');
  if (others.length > 0) {
    throw notAnEncoder(`${found.length} Add nodes look like the positional embedding, expected one`);
  }

  const uses = countUses(graph, match.table);
  if (uses !== 1) throw notAnEncoder(`its positional table ${match.table} has ${uses} consumers, expected one`);
  if (!(match.rows > 0)) throw notAnEncoder(`its positional table ${match.table} is empty`);
  return match;
}

function isTimeMajorTranspose(node: NodeProto | undefined): boolean {
  if (node?.opType !== 'Transpose') return false;
  const perm = node.attribute?.find((a) => a.name === 'perm')?.ints?.map(Number) ?? [];
  return perm.length === 3 && perm[0] === 0 && perm[1] === 2 && perm[2] === 1;
}

/** Inputs named `name` across the graph and every subgraph (If/Loop bodies). */
function countUses(graph: GraphProto, name: string): number {
  let uses = 0;
  for (const node of graph.node ?? []) {
    uses += (node.input ?? []).filter((input) => input === name).length;
    for (const attribute of node.attribute ?? []) {
      for (const sub of [attribute.g, ...(attribute.graphs ?? [])]) if (sub) uses += countUses(sub, name);
    }
  }
  return uses;
}

function tensorNames(graph: GraphProto): string[] {
  const names = [
    ...(graph.initializer ?? []).map((t) => t.name),
    ...(graph.input ?? []).map((v) => v.name),
    ...(graph.node ?? []).flatMap((n) => [n.name, ...(n.output ?? [])]),
  ];
  return names.filter((n): n is string => typeof n === 'string');
}

function int64Tensor(name: string, value: number): TensorProto {
  return onnx.TensorProto.create({ name, dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [value] });
}

/** Replaces every fixed `rows`-sized axis of a declared shape with a named, dynamic one. */
function relaxDim(info: ValueInfoProto, rows: number): void {
  for (const dim of info.type?.tensorType?.shape?.dim ?? []) {
    if (dim.dimValue != null && Number(dim.dimValue) === rows) {
      dim.dimValue = null;
      dim.dimParam = 'encoder_sequence_length / 2';
    }
  }
}

function notAnEncoder(reason: string): AppError {
  return new AppError(
    'ModelIntegrityError',
    `The Whisper encoder cannot be shortened to the speech, because ${reason}. ` +
      'It still works with the full 30 s window; reinstall Earshot (npm ci) if this model came with it.',
  );
}
