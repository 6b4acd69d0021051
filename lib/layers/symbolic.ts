/**
 * Symbolic tensors: the edges of a graph model before it is a model. input({ shape }) makes one
 * that stands for a model input; layer.apply(t) makes one that stands for that layer's output at
 * that application; model({ inputs, outputs }) walks them back to lay out the graph.
 */
import type { Layer } from './layer';

export class SymbolicTensor {
  /** [batch, features], the batch size unknown: TensorFlow.js's shape of a symbolic tensor. */
  readonly shape: readonly [null, number];

  constructor(
    /** Values per sample. */
    readonly units: number,
    /** The layer whose output it is, or null for a model input. */
    readonly sourceLayer: Layer | null,
    /** The tensors the layer was applied to (none for an input). */
    readonly inputs: readonly SymbolicTensor[],
    /** Which application of the layer it is (0 for the first); 0 for an input. */
    readonly application: number,
    /** An input's name; a layer output's is its layer's. */
    private readonly inputName: string | null = null,
  ) {
    this.shape = [null, units];
  }

  /** The input's name, or the layer's (with its application after the first: dense_1/1). */
  get name(): string {
    if (this.sourceLayer === null) return this.inputName as string;
    return this.application === 0 ? this.sourceLayer.name : `${this.sourceLayer.name}/${this.application}`;
  }
}
