/**
 * Folding batch normalization into the Dense layer before it, for inference: at inference a
 * BatchNormalization is an affine map per unit, y = (z - mean) * s + beta with
 * s = gamma / sqrt(var + epsilon), so Dense (no activation) then BatchNormalization equals one
 * Dense with W' = W * s (each unit's column scaled) and b' = (b - mean) * s + beta. The folded
 * model runs one layer (and one native call) fewer per pair and predicts the same to float32
 * rounding.
 */
import { Dense } from '../layers/dense';
import { BatchNormalization } from '../layers/batch-normalization';
import type { Layer } from '../layers/layer';
import { globalRandom } from '../random';
import type { Model } from './model';
import { makeModel } from './registry';

/** A fresh, unbuilt copy of a layer from its config, as Keras's from_config(get_config()). */
function cloneLayer(layer: Layer, overrides: Record<string, unknown> = {}): Layer {
  const Ctor = layer.constructor as new (config: Record<string, unknown>) => Layer;
  return new Ctor({ ...layer.getConfig(), ...overrides });
}

/** Whether `layer` is a Dense whose output a following BatchNormalization can fold into. */
function foldable(layer: Layer | undefined, next: Layer | undefined): next is BatchNormalization {
  return layer instanceof Dense && layer.activation === 'linear' && next instanceof BatchNormalization;
}

export function foldBatchNorm(model: Model): Model {
  const source = model.layers;
  const layers: Layer[] = [];
  /** For each new layer, how to fill its weights by name. */
  const fills: ((weights: Map<string, Float32Array>) => void)[] = [];
  for (let i = 0; i < source.length; i++) {
    const layer = source[i] as Layer;
    const next = source[i + 1];
    const own = model.weightViews(layer);
    if (foldable(layer, next)) {
      layers.push(cloneLayer(layer, { useBias: true }));
      const stats = model.weightViews(next);
      const units = (layer as Dense).units;
      const mean = stats.get('movingMean') as Float32Array;
      const variance = stats.get('movingVariance') as Float32Array;
      const gamma = stats.get('gamma');
      const beta = stats.get('beta');
      const scale = Float64Array.from({ length: units }, (_, j) => (gamma?.[j] ?? 1) / Math.sqrt((variance[j] as number) + next.epsilon));
      fills.push((weights) => {
        const kernel = own.get('kernel') as Float32Array;
        const bias = own.get('bias');
        const foldedKernel = weights.get('kernel') as Float32Array;
        const foldedBias = weights.get('bias') as Float32Array;
        for (let r = 0; r < layer.inputUnits; r++) {
          for (let j = 0; j < units; j++) foldedKernel[r * units + j] = (kernel[r * units + j] as number) * (scale[j] as number);
        }
        for (let j = 0; j < units; j++) {
          foldedBias[j] = ((bias?.[j] ?? 0) - (mean[j] as number)) * (scale[j] as number) + (beta?.[j] ?? 0);
        }
      });
      i += 1; // the BatchNormalization is now inside the Dense
    } else {
      layers.push(cloneLayer(layer));
      fills.push((weights) => {
        for (const [name, values] of own) (weights.get(name) as Float32Array).set(values);
      });
    }
  }
  const folded = makeModel('Sequential', layers) as Model;
  folded.classNames = model.classNames;
  // The copy's arena draws initial values before they are overwritten: put the generator back,
  // so folding (or exporting) never changes what the next fit() draws.
  const state = globalRandom.getState();
  try {
    layers.forEach((layer, i) => (fills[i] as (w: Map<string, Float32Array>) => void)(folded.weightViews(layer)));
  } finally {
    globalRandom.setState(state);
  }
  return folded;
}
