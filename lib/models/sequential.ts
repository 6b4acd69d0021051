/**
 * Sequential: a stack of layers, each fed by the one before, built as they are added. A front end
 * of the model core (lib/core/model.ts), which does everything else: it only grows and shrinks
 * the chain. TensorFlow.js's names: sequential([...]), add(layer), pop().
 */
import { ArgumentRangeError, ArgumentTypeError, ModelStateError, ShapeError } from '../errors';
import type { SymbolicTensor } from '../layers/symbolic';
import { tensorList } from './trace';
import { Layer } from '../layers/layer';
import { Model, type BatchArgs, type ModelInputs, type PredictAsyncArgs } from '../core/model';
import type { Tensor } from '../tensor';
import { registerModelClass } from '../core/registry';
import { describe } from '../validate';
import { foldBatchNorm } from '../core/fold-batch-norm';

export class Sequential extends Model {
  readonly className = 'Sequential';

  constructor(layers: readonly Layer[] = []) {
    super();
    if (!Array.isArray(layers)) {
      throw new ArgumentTypeError({ argument: 'layers', expected: 'an array of layers', received: describe(layers) });
    }
    // A plain loop, not forEach: a hole ([dense, , dense]) reaches add(), which refuses it.
    for (let i = 0; i < layers.length; i++) this.add(layers[i] as Layer);
  }

  /** Appends a layer and builds it; the first layer must declare its inputShape. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) {
      throw new ArgumentTypeError({ argument: 'layer', expected: 'a layer, e.g. layers.dense({ units: 10 })', received: describe(layer) });
    }
    if (layer.built) {
      // A layer's parameters are views of one model's arena; sharing it would tie two models.
      throw new ArgumentRangeError({ argument: 'layer', expected: 'a new layer, not one already in a model', received: `'${layer.name}', which is already built` });
    }
    const previous = this.layers[this.layers.length - 1];
    let inputUnits: number;
    if (previous === undefined) {
      if (layer.declaredInputUnits === undefined) {
        throw new ShapeError(
          { argument: 'inputShape', expected: 'an inputShape on the first layer of a Sequential model', received: 'none' },
          'Add it, e.g. layers.dense({ inputShape: [features], units }).',
        );
      }
      inputUnits = layer.declaredInputUnits;
    } else {
      inputUnits = previous.outputUnits;
      if (layer.declaredInputUnits !== undefined && layer.declaredInputUnits !== inputUnits) {
        throw new ShapeError({ argument: `inputShape of '${layer.name}'`, expected: `[${inputUnits}], the previous layer's output`, received: `[${layer.declaredInputUnits}]` });
      }
    }
    this.appendLayer(layer, inputUnits);
  }

  /** Outputs for a batch of samples, as a new [n, outputUnits] tensor; one sample (a flat array of inputUnits values) gives one row. */
  override predict(x: ModelInputs, args?: BatchArgs): Tensor {
    return super.predict(x, args) as Tensor;
  }

  /** predict() off the event loop: see Model.predictAsync. */
  override async predictAsync(x: ModelInputs, args?: PredictAsyncArgs): Promise<Tensor> {
    return (await super.predictAsync(x, args)) as Tensor;
  }

  /**
   * Applies the whole stack to a symbolic tensor, like a layer: each of its layers is applied again
   * (sharing its weights) in a graph model's graph. A model made from that graph then holds the
   * layers, and this one borrows their weights from it: it predicts with them but no longer adds,
   * pops or trains.
   */
  apply(input: SymbolicTensor): SymbolicTensor {
    const [t] = tensorList(input, 'inputs');
    if (this.layers.length === 0) throw new ModelStateError('apply(): the model has no layers: add one with model.add(layers.dense({ ... })).');
    return this.layers.reduce((tensor, layer) => layer.apply(tensor), t as SymbolicTensor);
  }

  /** Removes the last layer and returns it, as Keras's pop(); the others keep their weights. */
  pop(): Layer {
    return this.removeLastLayer('pop()');
  }

  /**
   * A new model for inference in which each BatchNormalization that follows a Dense without
   * activation is merged into that Dense (see fold-batch-norm.ts); other layers are copied. The
   * result is not compiled: predict() works at once, compile it to evaluate or train it.
   */
  foldBatchNorm(): Sequential {
    this.expectIdle('foldBatchNorm()');
    return foldBatchNorm(this) as Sequential;
  }
}

registerModelClass('Sequential', (layers) => new Sequential(layers));

/** A Sequential model, optionally with its layers. */
export function sequential(layers: readonly Layer[] = []): Sequential {
  return new Sequential(layers);
}
