import { FramewireError } from '../../core/errors.ts';
import { parseInputRef, type TfGraph, type TfNode, type TfTensor } from './graph.ts';
import {
  type OpContext,
  type OpConverter,
  TO_NCHW,
  TO_NHWC,
  unsupported,
  type Value,
} from './context.ts';
import { OnnxGraphBuilder, type TensorDecl } from './onnx-writer.ts';
import { activationOps } from './ops-activation.ts';
import { convOps } from './ops-conv.ts';
import { tensorOps } from './ops-tensor.ts';

/**
 * TF.js graph → ONNX. Converts only the subgraph the requested outputs depend
 * on, so a model's own post-processing head (TopK, Gather…) can be cut off by
 * asking for the tensors before it. Inputs and outputs keep TF's NHWC layout;
 * a Transpose at each end lets everything in between run NCHW.
 */

export interface ConvertOptions {
  /** Tensors to expose as ONNX outputs; default: the model signature's outputs. */
  outputs?: string[];
  /** Fixed input shapes (NHWC) for placeholders whose shape has unknown dims. */
  inputShapes?: Record<string, number[]>;
  /** Stored in the ONNX model's doc_string. */
  doc?: string;
}

export interface ConvertResult {
  onnx: Uint8Array;
  inputs: TensorDecl[];
  outputs: TensorDecl[];
  /** TF ops converted, with counts — for logs and tests. */
  ops: Record<string, number>;
}

const CONVERTERS: Record<string, OpConverter> = { ...convOps, ...tensorOps, ...activationOps };

/** The TF ops this converter handles (besides Const, Placeholder). */
export const SUPPORTED_OPS = Object.keys(CONVERTERS).sort();

export function convertTfjsGraph(graph: TfGraph, options: ConvertOptions = {}): ConvertResult {
  const outputNames = options.outputs ?? graph.outputs;
  if (outputNames.length === 0) {
    throw new FramewireError('MODEL_INVALID', 'no outputs requested and none in the signature');
  }
  const b = new OnnxGraphBuilder();
  // Reserve the output names so no intermediate can take them.
  for (const name of outputNames) b.fresh(name);
  const values = new Map<string, Value>();
  const inputs: TensorDecl[] = [];
  const ops: Record<string, number> = {};
  const visiting = new Set<string>();

  const nodeOf = (name: string, from: string): TfNode => {
    const node = graph.nodes.get(name);
    if (!node) throw new FramewireError('MODEL_INVALID', `node "${from}" reads missing "${name}"`);
    return node;
  };

  const constantOf = (node: TfNode): TfTensor | undefined => {
    if (node.op !== 'Const') return undefined;
    const t = graph.weights.get(node.name);
    if (!t) throw unsupported(node, 'constant without weights in the manifest');
    return t;
  };

  // Depth-first from the outputs; the graph is a few hundred nodes deep at most.
  const computed = (name: string, from: string): Value => {
    const done = values.get(name);
    if (done) return done;
    const node = nodeOf(name, from);
    if (visiting.has(name)) throw unsupported(node, 'the graph has a cycle');
    visiting.add(name);
    const value = node.op === 'Placeholder' ? placeholder(node) : run(node);
    visiting.delete(name);
    values.set(name, value);
    ops[node.op] = (ops[node.op] ?? 0) + 1;
    return value;
  };

  const placeholder = (node: TfNode): Value => {
    const dims = (node.attr.shape as { shape?: { dim?: { size?: string }[] } } | undefined)?.shape
      ?.dim;
    const shape = options.inputShapes?.[node.name] ?? (dims ?? []).map((d) => Number(d.size ?? -1));
    if (shape.some((d) => !(d > 0))) {
      throw unsupported(node, `input shape [${shape}] has unknown dims; pass inputShapes`);
    }
    if (node.attr.dtype?.type !== 'DT_FLOAT') throw unsupported(node, 'input is not float32');
    inputs.push({ name: node.name, dims: shape });
    b.input({ name: node.name, dims: shape });
    if (shape.length !== 4) return { name: node.name, shape };
    const nchw = b.fresh(`${node.name}/nchw`);
    b.node('Transpose', [node.name], [nchw], { perm: TO_NCHW });
    return { name: nchw, shape };
  };

  const run = (node: TfNode): Value => {
    const converter = CONVERTERS[node.op];
    if (!converter) {
      throw unsupported(node, `unsupported op; supported: ${SUPPORTED_OPS.join(', ')}`);
    }
    const refs = node.input.map(parseInputRef).filter((r) => !r.control);
    const ref = (i: number) => {
      const r = refs[i];
      if (!r) throw unsupported(node, `missing input ${i}`);
      if (r.index !== 0) throw unsupported(node, `reads output ${r.index} of "${r.node}"`);
      return r;
    };
    const ctx: OpContext = {
      node,
      b,
      inputCount: refs.length,
      value: (i) => {
        const r = ref(i);
        const source = nodeOf(r.node, node.name);
        if (source.op === 'Const') throw unsupported(node, `input ${i} is a constant`);
        return computed(r.node, node.name);
      },
      constant: (i) => constantOf(nodeOf(ref(i).node, node.name)),
      requireConstant: (i, role) => {
        const t = ctx.constant(i);
        if (!t) throw unsupported(node, `${role} (input ${i}) must be a constant`);
        return t;
      },
      name: (suffix) => b.fresh(suffix ? `${node.name}/${suffix}` : node.name),
    };
    return converter(ctx);
  };

  const outputs: TensorDecl[] = outputNames.map((name) => {
    const v = computed(name, '(outputs)');
    const layoutOut = v.shape.length === 4;
    b.node(
      layoutOut ? 'Transpose' : 'Identity',
      [v.name],
      [name],
      layoutOut ? { perm: TO_NHWC } : {},
    );
    const decl = { name, dims: v.shape };
    b.output(decl);
    return decl;
  });
  return {
    onnx: b.encode({ graphName: 'tfjs', producer: 'framewire', doc: options.doc }),
    inputs,
    outputs,
    ops,
  };
}
