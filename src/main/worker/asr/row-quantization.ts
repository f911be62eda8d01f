import onnxProto from 'onnx-proto';
import { AppError } from '../../../shared/errors';

/**
 * Makes the 8-bit Whisper decoder quantize each token's activations on their own.
 *
 * The export quantizes every layer's input with `DynamicQuantizeLinear`: one scale and zero point
 * for the whole tensor, that is for every token of a run together. So a token's logits depend on
 * which other tokens share its run: the start sequence fed in one run, or a draft checked in one
 * teacher-forced run, decoded differently from the same tokens fed one by one (measured: on 18 of
 * 37 clips the draft's argmax differed from incremental greedy decoding within the first tokens,
 * by 0.2–3 logits). Here every `DynamicQuantizeLinear` becomes a per-row symmetric quantization:
 *
 *   s = max(|x|, over the last axis) / 127;  q = uint8(clip(round(x / s) + 128, 0, 255));  zero point 128
 *
 * Rows (tokens) no longer see each other, so a run over many tokens gives each the logits it gets
 * alone, and a draft can be verified in one run (`decoding.ts`). The consumers need no change:
 * `MatMulInteger` takes the constant zero point, and the scale, now one per row, broadcasts in the
 * `Mul` that rescales its output. A `DequantizeLinear` of such a tensor (the decoder head's
 * residual pass) takes a scalar scale only, so it becomes `(q − 128) · s`.
 */

type GraphProto = onnxProto.onnx.IGraphProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const onnx = onnxProto.onnx;
const PREFIX = '/earshot/row_quantization';
const F32 = onnx.TensorProto.DataType.FLOAT;
const U8 = onnx.TensorProto.DataType.UINT8;
const C = {
  tiny: `${PREFIX}/tiny`,
  one: `${PREFIX}/1`,
  levels: `${PREFIX}/127`,
  zero: `${PREFIX}/128`,
  min: `${PREFIX}/0`,
  max: `${PREFIX}/255`,
  zeroPoint: `${PREFIX}/zero_point`,
};

export function rowQuantizedDecoderModel(model: Uint8Array): Uint8Array {
  let proto: onnxProto.onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(model);
  } catch (error) {
    throw notTheDecoder(`it does not decode as ONNX (${(error as Error).message})`);
  }
  const graph = proto.graph;
  if (!graph) throw notTheDecoder('it has no graph');
  const opset = proto.opsetImport?.find((o) => !o.domain)?.version;
  // ReduceMax takes its axes as an attribute up to opset 17; Clip its bounds as inputs from 11.
  if (opset === undefined || opset === null || Number(opset) < 11 || Number(opset) > 17)
    throw notTheDecoder(`its opset ${String(opset)} is not one this edit knows (11–17)`);

  // Outer values reach the If branches as implicit inputs: one table for every graph.
  const rows = new Map<string, Row>();
  const graphs = [graph, ...subgraphs(graph)];
  for (const g of graphs) collectRows(g, rows);
  for (const g of graphs) convertGraph(g, rows);
  // The zero point is now the constant 128, and the original scale 1 (see convertGraph): their
  // users, in any graph, read the constants.
  const renamed = new Map<string, string>();
  for (const [scale, row] of rows) renamed.set(scale, C.one).set(row.zeroPoint, C.zeroPoint);
  for (const g of graphs) for (const n of g.node ?? []) n.input = (n.input ?? []).map((i) => renamed.get(i) ?? i);
  if (rows.size === 0) throw notTheDecoder('it has no DynamicQuantizeLinear to convert');
  graph.initializer = [
    ...(graph.initializer ?? []),
    scalar(C.tiny, F32, 1e-12),
    scalar(C.one, F32, 1),
    scalar(C.levels, F32, 127),
    scalar(C.zero, F32, 128),
    scalar(C.min, F32, 0),
    scalar(C.max, F32, 255),
    scalar(C.zeroPoint, U8, 128),
  ];
  return onnx.ModelProto.encode(proto).finish();
}

function subgraphs(graph: GraphProto): GraphProto[] {
  const found: GraphProto[] = [];
  for (const n of graph.node ?? [])
    for (const a of n.attribute ?? [])
      if (a.g) {
        found.push(a.g, ...subgraphs(a.g));
      }
  return found;
}

/**
 * Replaces the graph's DynamicQuantizeLinear nodes in place; returns how many. The original scale
 * output becomes 1, so that ONNX Runtime's MatMulInteger → Cast → Mul fusion (which takes a
 * scalar scale, and would read only the first row's) still applies; each rescaling `Mul` it feeds
 * gets a second `Mul` by the per-row scale after it.
 */
function convertGraph(graph: GraphProto, rows: ReadonlyMap<string, Row>): void {
  const nodes = graph.node ?? [];
  /** Products of a converted scale with a weight scale (Mul(s, W_scale)) → the per-row scale. */
  const products = new Map<string, string>();
  for (const n of nodes) {
    const row = n.opType === 'Mul' ? (rows.get(n.input?.[0] ?? '') ?? rows.get(n.input?.[1] ?? '')) : undefined;
    if (row && n.output?.[0]) products.set(n.output[0], row.rowScale);
  }
  const out: NodeProto[] = [];
  for (const n of nodes) {
    if (n.opType === 'DynamicQuantizeLinear') {
      const [x] = n.input ?? [];
      const [q, s] = n.output ?? [];
      const t = (part: string) => `${PREFIX}/${q}/${part}`;
      const rowScale = rows.get(s!)!.rowScale;
      out.push(
        node('Abs', [x!], [t('abs')]),
        node('ReduceMax', [t('abs')], [t('absmax')], [ints('axes', [-1]), int('keepdims', 1)]),
        node('Max', [t('absmax'), C.tiny], [t('range')]),
        node('Div', [t('range'), C.levels], [rowScale]),
        node('Div', [x!, rowScale], [t('scaled')]),
        node('Round', [t('scaled')], [t('rounded')]),
        node('Add', [t('rounded'), C.zero], [t('shifted')]),
        node('Clip', [t('shifted'), C.min, C.max], [t('clipped')]),
        node('Cast', [t('clipped')], [q!], [int('to', U8)]),
      );
      continue;
    }
    const rescaledBy = n.opType === 'Mul' ? (n.input ?? []).map((i) => products.get(i)).find(Boolean) : undefined;
    if (rescaledBy && n.output?.[0]) {
      // Mul(Cast(MatMulInteger(q, …)), s · W_scale): now scaled by 1 · W_scale; the row scale after it.
      const y = n.output[0];
      const unscaled = `${PREFIX}/${y}/before_row_scale`;
      out.push(
        { ...n, name: `${n.name ?? 'Mul'}/before_row_scale`, output: [unscaled] },
        node('Mul', [unscaled, rescaledBy], [y]),
      );
      continue;
    }
    const dequantized = n.opType === 'DequantizeLinear' ? rows.get(n.input?.[1] ?? '') : undefined;
    if (dequantized) {
      // DequantizeLinear takes a scalar scale only: (q − 128) · row scale.
      const [y] = n.output ?? [];
      if (!y || n.input?.[0] !== dequantized.quantized)
        throw notTheDecoder('a DequantizeLinear mixes quantized tensors');
      const t = (part: string) => `${PREFIX}/${y}/${part}`;
      out.push(
        node('Cast', [dequantized.quantized], [t('float')], [int('to', F32)]),
        node('Sub', [t('float'), C.zero], [t('centred')]),
        node('Mul', [t('centred'), dequantized.rowScale], [y]),
      );
      continue;
    }
    out.push(n);
  }
  graph.node = out;
}

/** A converted DynamicQuantizeLinear, by its original scale output. */
interface Row {
  rowScale: string;
  quantized: string;
  zeroPoint: string;
}

function collectRows(graph: GraphProto, rows: Map<string, Row>): void {
  for (const n of graph.node ?? []) {
    if (n.opType !== 'DynamicQuantizeLinear') continue;
    const [q, s, zeroPoint] = n.output ?? [];
    if (!q || !s || !zeroPoint) throw notTheDecoder('a DynamicQuantizeLinear lacks an output');
    rows.set(s, { rowScale: `${PREFIX}/${q}/row_scale`, quantized: q, zeroPoint });
  }
}

function node(opType: string, input: string[], output: string[], attribute: onnxProto.onnx.IAttributeProto[] = []) {
  return onnx.NodeProto.create({ name: `${opType}:${output[0]}`, opType, input, output, attribute });
}

function int(name: string, i: number): onnxProto.onnx.IAttributeProto {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INT, i });
}

function ints(name: string, values: number[]): onnxProto.onnx.IAttributeProto {
  return onnx.AttributeProto.create({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
}

function scalar(name: string, dataType: number, value: number): TensorProto {
  const rawData =
    dataType === U8 ? Uint8Array.of(value) : new Uint8Array(Float32Array.of(value).buffer.slice(0) as ArrayBuffer);
  return onnx.TensorProto.create({ name, dims: [], dataType, rawData });
}

function notTheDecoder(reason: string): AppError {
  return new AppError(
    'ModelIntegrityError',
    `The Whisper decoder cannot be edited to quantize per token (${reason}); it still works unedited.`,
  );
}
