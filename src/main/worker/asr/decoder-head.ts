import onnxProto from 'onnx-proto';
import { AppError } from '../../../shared/errors';

/**
 * Makes the 8-bit merged Whisper decoder's output projection run on its 8-bit weights.
 *
 * The transformers.js export ties the projection to the token embedding and, in both branches
 * of its `If`, computes it on every step as
 *
 *   Transpose(W_q [vocab, d] uint8) → DequantizeLinear → MatMul(hidden, ·) → logits
 *
 * which dequantizes and transposes the whole table (20 M values, 80 MB of floats for tiny) per
 * token: it dominated the step's time and, through ONNX Runtime's memory arena, kept ~100 MiB
 * resident. The edit transposes the table once, here, as a new uint8 initializer, and replaces
 * those nodes with the same dynamic quantization every other layer of the model already uses:
 *
 *   DynamicQuantizeLinear(hidden) → MatMulInteger(·, W_qᵀ, zero points) → Cast → × (scale_h · scale_W)
 *
 * run twice: on the hidden state and on its quantization residual (see below). The embedding
 * lookup (Gather on W_q) is untouched. `npm run bench` compares transcripts and WER with
 * transformers.js, which runs the unedited graph.
 */

type ModelProto = onnxProto.onnx.ModelProto;
type GraphProto = onnxProto.onnx.IGraphProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;

const onnx = onnxProto.onnx;
const PREFIX = '/earshot/decoder_head';

export function quantizedHeadDecoderModel(model: Uint8Array): Uint8Array {
  let proto: ModelProto;
  try {
    proto = onnx.ModelProto.decode(model);
  } catch (error) {
    throw notTheDecoder(`it does not decode as ONNX (${(error as Error).message})`);
  }
  const graph = proto.graph;
  if (!graph) throw notTheDecoder('it has no graph');
  const branching = (graph.node ?? []).find((n) => n.opType === 'If');
  const branches = (branching?.attribute ?? []).map((a) => a.g).filter((g): g is GraphProto => Boolean(g));
  if (branches.length !== 2) throw notTheDecoder('it is not a merged decoder (no If with two branches)');

  let table: { quantized: TensorProto; scale: string; zeroPoint: string } | undefined;
  const transposedName = `${PREFIX}/weight_transposed_quantized`;
  for (const [b, branch] of branches.entries()) {
    const head = findHead(branch);
    if (table && head.quantized !== table.quantized.name)
      throw notTheDecoder('its branches project with different tables');
    if (!table) {
      const quantized = (graph.initializer ?? []).find((t) => t.name === head.quantized);
      if (!quantized || quantized.dims?.length !== 2 || quantized.dataType !== onnx.TensorProto.DataType.UINT8)
        throw notTheDecoder('the projection table is not a uint8 [vocab, d] initializer');
      table = { quantized, scale: head.scale, zeroPoint: head.zeroPoint };
    }
    const name = (part: string) => `${PREFIX}/${b}/${part}`;
    const f32 = [onnx.AttributeProto.create({ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: 1 })];
    // Two 8-bit passes: the hidden state, then what its quantization left over. The second pass
    // cuts the activation's rounding error ~256×, so the logits match the stock graph's closely
    // enough that greedy decoding picks the same tokens (a single pass flipped near-ties).
    const pass = (input: string, tag: string): NodeProto[] => [
      node('DynamicQuantizeLinear', [input], [name(`${tag}_q`), name(`${tag}_scale`), name(`${tag}_zero`)]),
      node(
        'MatMulInteger',
        [name(`${tag}_q`), transposedName, name(`${tag}_zero`), table!.zeroPoint],
        [name(`${tag}_int`)],
      ),
      node('Cast', [name(`${tag}_int`)], [name(`${tag}_float`)], f32),
      node('Mul', [name(`${tag}_scale`), table!.scale], [name(`${tag}_product_scale`)]),
      node('Mul', [name(`${tag}_float`), name(`${tag}_product_scale`)], [name(`${tag}_logits`)]),
    ];
    const replacement: NodeProto[] = [
      ...pass(head.hidden, 'coarse'),
      node('DequantizeLinear', [name('coarse_q'), name('coarse_scale'), name('coarse_zero')], [name('coarse_hidden')]),
      node('Sub', [head.hidden, name('coarse_hidden')], [name('residual')]),
      ...pass(name('residual'), 'fine'),
      node('Add', [name('coarse_logits'), name('fine_logits')], [head.logits]),
    ];
    const nodes = branch.node ?? [];
    const removed = new Set([head.transpose, head.dequantize, head.matMul]);
    const at = nodes.indexOf(head.matMul);
    branch.node = [...nodes.slice(0, at).filter((n) => !removed.has(n)), ...replacement, ...nodes.slice(at + 1)];
  }
  if (!table) throw notTheDecoder('no projection found');
  (graph.initializer ?? []).push(transposeUint8(table.quantized, transposedName));
  return onnx.ModelProto.encode(proto).finish();
}

interface Head {
  transpose: NodeProto;
  dequantize: NodeProto;
  matMul: NodeProto;
  quantized: string;
  scale: string;
  zeroPoint: string;
  hidden: string;
  logits: string;
}

/** The logits' MatMul whose weight is a DequantizeLinear of a Transpose of an outer initializer. */
function findHead(branch: GraphProto): Head {
  const nodes = branch.node ?? [];
  const producer = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  const logits = branch.output?.[0]?.name;
  const matMul = logits ? producer.get(logits) : undefined;
  if (!logits || matMul?.opType !== 'MatMul') throw notTheDecoder('its logits do not come from a MatMul');
  const [hidden, weight] = matMul.input ?? [];
  const dequantize = weight ? producer.get(weight) : undefined;
  if (!hidden || dequantize?.opType !== 'DequantizeLinear') throw notTheDecoder('its projection is not dequantized');
  const [transposed, scale, zeroPoint] = dequantize.input ?? [];
  const transpose = transposed ? producer.get(transposed) : undefined;
  const quantized = transpose?.input?.[0];
  if (transpose?.opType !== 'Transpose' || !quantized || !scale || !zeroPoint)
    throw notTheDecoder('its projection table is not transposed from the embedding');
  const perm = transpose.attribute?.find((a) => a.name === 'perm')?.ints?.map(Number);
  if (perm && !(perm[0] === 1 && perm[1] === 0)) throw notTheDecoder('its projection transpose is not [1, 0]');
  // The transposed or dequantized table must feed nothing else.
  const uses = (name: string) => nodes.filter((n) => (n.input ?? []).includes(name)).length;
  if (uses(transposed!) !== 1 || uses(weight!) !== 1) throw notTheDecoder('its projection table has other uses');
  return { transpose, dequantize, matMul, quantized, scale, zeroPoint, hidden, logits };
}

function transposeUint8(table: TensorProto, name: string): TensorProto {
  const rows = Number(table.dims![0]);
  const cols = Number(table.dims![1]);
  const source = table.rawData;
  if (!source || source.length !== rows * cols) throw notTheDecoder('its projection table has no raw data');
  const out = new Uint8Array(rows * cols);
  // Blocked, so both sides stay in cache (a plain double loop is ~5× slower on 20 MB).
  const block = 64;
  for (let r0 = 0; r0 < rows; r0 += block)
    for (let c0 = 0; c0 < cols; c0 += block)
      for (let r = r0; r < Math.min(rows, r0 + block); r++)
        for (let c = c0; c < Math.min(cols, c0 + block); c++) out[c * rows + r] = source[r * cols + c] as number;
  return onnx.TensorProto.create({ name, dims: [cols, rows], dataType: onnx.TensorProto.DataType.UINT8, rawData: out });
}

function node(opType: string, input: string[], output: string[], attribute: onnxProto.onnx.IAttributeProto[] = []) {
  return onnx.NodeProto.create({ name: `${opType}:${output[0]}`, opType, input, output, attribute });
}

function notTheDecoder(reason: string): AppError {
  return new AppError(
    'ModelIntegrityError',
    `The Whisper decoder is not the expected 8-bit merged export (${reason}); it still works unedited.`,
  );
}
