/**
 * A small builder over the classes generated from ONNX's onnx.proto by protobufjs (./proto/):
 * nodes, float32 initializers and scalar constants, with names unique in the graph, and the
 * ModelProto around them. All encoding is protobufjs's; nothing here writes protobuf bytes.
 *
 * Opset 17 (ONNX 1.12, IR version 8) has every operator the exporter needs and loads in any
 * onnxruntime since 1.12. Its Gelu does not exist yet (opset 20), so gelu is written with Erf.
 */
import { onnx } from './proto/onnx';

export const OPSET = 17;
export const IR_VERSION = 8;

/** An attribute value: a number is a float unless named in `ints`. */
export type Attributes = Readonly<Record<string, number>>;

export class GraphBuilder {
  private readonly nodes: onnx.NodeProto[] = [];
  private readonly initializers: onnx.TensorProto[] = [];
  private readonly names = new Set<string>();
  /** Scalar constants by value, so each value is stored once. */
  private readonly scalars = new Map<number, string>();
  /** Layer weights by the name asked for, so a layer applied at several nodes stores them once. */
  private readonly weights = new Map<string, string>();

  /** `base`, or base_2, base_3, ... if taken. */
  private unique(base: string): string {
    let name = base;
    for (let k = 2; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  /** Reserves the name of a graph input or output, before any node can take it; returns it (base_2 if taken). */
  reserve(name: string): string {
    return this.unique(name);
  }

  /** A float32 initializer of the given shape; returns its name. */
  tensor(name: string, values: ArrayLike<number>, shape: readonly number[]): string {
    const unique = this.unique(name);
    this.initializers.push(
      onnx.TensorProto.create({ name: unique, dataType: onnx.TensorProto.DataType.FLOAT, dims: [...shape], rawData: littleEndianFloats(values) }),
    );
    return unique;
  }

  /**
   * A layer's weight as an initializer named `name` (layer/weight), made on the first request and
   * the same tensor for every later one: a shared layer's applications read one copy.
   */
  weight(name: string, shape: readonly number[], values: () => ArrayLike<number>): string {
    const known = this.weights.get(name);
    if (known !== undefined) return known;
    const made = this.tensor(name, values(), shape);
    this.weights.set(name, made);
    return made;
  }

  /** A rank-0 float32 constant, shared by every node that uses the same value. */
  scalar(value: number): string {
    const known = this.scalars.get(value);
    if (known !== undefined) return known;
    const name = this.tensor(`const_${value}`, [value], []);
    this.scalars.set(value, name);
    return name;
  }

  /**
   * Appends a node of operator `op` named after `scope`; returns its output's name. An input
   * given as '' is an omitted optional input. Attributes named in `ints` are integers.
   */
  node(scope: string, op: string, inputs: readonly string[], attributes: Attributes = {}, ints: readonly string[] = []): string {
    const name = this.unique(`${scope}/${op}`);
    const attribute = Object.entries(attributes).map(([key, value]) =>
      ints.includes(key)
        ? onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.INT, i: value })
        : onnx.AttributeProto.create({ name: key, type: onnx.AttributeProto.AttributeType.FLOAT, f: value }),
    );
    this.nodes.push(onnx.NodeProto.create({ name, opType: op, input: [...inputs], output: [name], attribute }));
    return name;
  }

  /**
   * The model: float32 inputs [N, width] and outputs [N, width] under the names reserve() gave,
   * each output holding the tensor `value` names. A value nothing else reads, made by a node, is
   * renamed in place; an input, a value other nodes read or one already given to an output is
   * passed through an Identity.
   */
  model(args: {
    graphName: string;
    inputs: readonly { name: string; width: number }[];
    outputs: readonly { name: string; width: number; value: string }[];
    producerVersion: string;
    docString: string;
  }): onnx.ModelProto {
    /** Values renamed in place, by their old name. */
    const renamed = new Map<string, string>();
    for (const output of args.outputs) {
      const earlier = renamed.get(output.value);
      const maker = this.nodes.find((node) => node.output[0] === output.value);
      if (earlier === undefined && maker !== undefined && !this.nodes.some((node) => node.input.includes(output.value))) {
        maker.output = [output.name];
        renamed.set(output.value, output.name);
      } else {
        this.nodes.push(onnx.NodeProto.create({ name: this.unique(`${output.name}/Identity`), opType: 'Identity', input: [earlier ?? output.value], output: [output.name] }));
      }
    }
    const graph = onnx.GraphProto.create({
      name: args.graphName,
      node: this.nodes,
      initializer: this.initializers,
      input: args.inputs.map((i) => valueInfo(i.name, i.width)),
      output: args.outputs.map((o) => valueInfo(o.name, o.width)),
    });
    return onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: OPSET })],
      producerName: 'myelin',
      producerVersion: args.producerVersion,
      docString: args.docString,
      graph,
    });
  }
}

/** A float32 tensor [N, width] with a symbolic batch dimension N. */
function valueInfo(name: string, width: number): onnx.ValueInfoProto {
  const shape = onnx.TensorShapeProto.create({ dim: [{ dimParam: 'N' }, { dimValue: width }] });
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape } } });
}

/** ONNX raw_data is little-endian whatever the host's byte order. */
function littleEndianFloats(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return bytes;
}
