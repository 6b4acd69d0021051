/**
 * Graph models, TensorFlow.js's functional API: input({ shape }) gives a symbolic tensor,
 * layer.apply(t) wires a layer in, and model({ inputs, outputs }) makes a model of any acyclic
 * graph between them: branches, merges, skip connections, several inputs and outputs, a layer
 * applied twice (its weights shared). A front end of the model core (lib/core/model.ts), like
 * Sequential: it only lays out the graph. A model cut from another's layers (an encoder out of a
 * trained autoencoder) shares their weights with it.
 */
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { foldBatchNorm } from '../core/fold-batch-norm';
import { Graph } from '../core/graph';
import { Model } from '../core/model';
import { registerGraphModelClass } from '../core/registry';
import { layerName } from '../layers/layer';
import { SymbolicTensor } from '../layers/symbolic';
import { knownOptions, plainObject, positiveInteger, describe } from '../validate';
import { tensorList, traceGraph, type TracedGraph } from './trace';

export interface InputConfig {
  /** Features per sample: [features]. */
  shape: readonly number[];
  name?: string;
}

/** A symbolic tensor standing for a model input of `shape` [features]. */
export function input(config: InputConfig): SymbolicTensor {
  const options = plainObject(config, 'config');
  knownOptions(options, 'config', ['shape', 'name', 'batchShape', 'dtype']);
  const shape = options['shape'];
  if (!Array.isArray(shape) || shape.length !== 1) {
    throw new ArgumentTypeError({ argument: 'shape', expected: '[features]: a sample is a row of features', received: describe(shape) });
  }
  const units = positiveInteger(shape[0], 'shape[0]');
  return new SymbolicTensor(units, null, [], 0, layerName(options['name'], 'input'));
}

export interface ModelConfig {
  inputs: SymbolicTensor | readonly SymbolicTensor[];
  outputs: SymbolicTensor | readonly SymbolicTensor[];
  name?: string;
}

export class Functional extends Model {
  readonly className = 'Functional';
  readonly name: string;
  private readonly traced: TracedGraph;

  constructor(config: ModelConfig) {
    super();
    const options = plainObject(config, 'config');
    knownOptions(options, 'config', ['inputs', 'outputs', 'name']);
    this.name = layerName(options['name'], 'model');
    this.traced = traceGraph(tensorList(options['inputs'], 'inputs'), tensorList(options['outputs'], 'outputs'));
    this.adoptLayers(this.traced.layers);
  }

  /** The model's inputs, as symbolic tensors, in order. */
  get inputs(): readonly SymbolicTensor[] {
    return this.traced.inputs;
  }

  /** The model's outputs, as symbolic tensors, in order. */
  get outputs(): readonly SymbolicTensor[] {
    return this.traced.outputs;
  }

  /** The graph's layout, for writers (lib/io, lib/onnx, summary). @internal */
  layout(): TracedGraph {
    return this.traced;
  }

  protected override makeGraph(): Graph {
    return Graph.of(this.traced.inputs.map((t) => t.units), this.traced.nodes, this.traced.outputIndices, this.traced.outputs.map((t) => t.name));
  }

  override inputSpecs(): { readonly name: string; readonly units: number }[] {
    return this.traced.inputs.map((t) => ({ name: t.name, units: t.units }));
  }

  /**
   * Applies the whole model to new tensors, like a layer: each of its layers is applied again
   * (sharing its weights) in the new graph. Its outputs: one tensor, or one per output.
   */
  apply(inputs: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor | SymbolicTensor[] {
    const given = tensorList(inputs, 'inputs');
    if (given.length !== this.traced.inputs.length) {
      throw new ArgumentRangeError({ argument: 'inputs', expected: `${this.traced.inputs.length} tensors, one per input of '${this.name}'`, received: `${given.length}` });
    }
    const mapped: SymbolicTensor[] = [...given];
    for (const node of this.traced.nodes) mapped.push(node.layer.apply(node.inputs.map((i) => mapped[i] as SymbolicTensor)));
    const outputs = this.traced.outputIndices.map((i) => mapped[i] as SymbolicTensor);
    return outputs.length === 1 ? (outputs[0] as SymbolicTensor) : outputs;
  }

  /**
   * A new graph model for inference in which each BatchNormalization that follows a Dense without
   * activation, and is all that reads it, is merged into that Dense (see fold-batch-norm.ts);
   * other layers are copied with their weights, a shared one still shared. Not compiled.
   */
  foldBatchNorm(): Functional {
    this.expectIdle('foldBatchNorm()');
    return foldBatchNorm(this, (replacement) => {
      const inputs = this.traced.inputs.map((t) => input({ shape: [t.units], name: t.name }));
      const mapped: SymbolicTensor[] = [...inputs];
      for (const node of this.traced.nodes) {
        const layer = replacement(node.layer);
        // A folded BatchNormalization's output is its Dense's.
        mapped.push(layer === null ? (mapped[node.inputs[0] as number] as SymbolicTensor) : layer.apply(node.inputs.map((i) => mapped[i] as SymbolicTensor)));
      }
      return new Functional({ inputs, outputs: this.traced.outputIndices.map((i) => mapped[i] as SymbolicTensor), name: this.name });
    }) as Functional;
  }
}

registerGraphModelClass('Functional', (parts) => new Functional({ inputs: [...parts.inputs], outputs: [...parts.outputs], name: parts.name }));

/** A graph model from its inputs to its outputs, as TensorFlow.js's tf.model({ inputs, outputs }). */
export function model(config: ModelConfig): Functional {
  return new Functional(config);
}
