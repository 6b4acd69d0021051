/**
 * Whole-network gradient checks: for every activation in the hidden layers and every loss (on
 * the output activations it pairs with, fused or not), the model's float32 gradients match
 * central finite differences of a float64 reference of the same network.
 */
import * as my from '../../lib/index';
import { activationNames, type ActivationName } from '../../lib/activations';
import { expectClose, expectScalarClose, GRADIENTS, VALUES } from '../helpers/compare';
import { oneHot, randomArray, randomClasses } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';
import { mlpLossRef, type LossKind, type RefLayer } from '../helpers/reference';

const [N, IN, H1, H2, OUT] = [4, 3, 5, 4, 3];

/** [loss, output activation]: each loss with the activations it is used after. */
const pairings: [LossKind, ActivationName][] = [
  ['meanSquaredError', 'linear'],
  ['meanSquaredError', 'tanh'],
  ['binaryCrossentropy', 'sigmoid'], // fused from logits
  ['binaryCrossentropy', 'softmax'], // on probabilities
  ['categoricalCrossentropy', 'softmax'], // fused
  ['categoricalCrossentropy', 'sigmoid'], // on probabilities, renormalized
  ['sparseCategoricalCrossentropy', 'softmax'], // fused
  ['sparseCategoricalCrossentropy', 'sigmoid'],
];

function labelsFor(loss: LossKind): Float32Array {
  if (loss === 'sparseCategoricalCrossentropy') return randomClasses(N, OUT, 3);
  if (loss === 'categoricalCrossentropy') return oneHot(randomClasses(N, OUT, 3), OUT);
  if (loss === 'binaryCrossentropy') return randomClasses(N * OUT, 2, 3);
  return randomArray(N * OUT, 3);
}

describe('gradient check of a whole network (float64 finite differences)', () => {
  // sign's straight-through gradient is by design not the derivative (0) that differences see.
  for (const hidden of activationNames.filter((a) => a !== 'sign')) {
    for (const [loss, output] of pairings) {
      it(`hidden ${hidden}, output ${output}, loss ${loss}`, () => {
        my.seed(11);
        const model = my.sequential([
          my.layers.dense({ inputShape: [IN], units: H1, activation: hidden }),
          my.layers.dense({ units: H2, activation: hidden }),
          my.layers.dense({ units: OUT, activation: output }),
        ]);
        model.compile({ optimizer: 'sgd', loss });
        const x = randomArray(N * IN, 2, 2);
        const y = labelsFor(loss);
        const xs = my.tensor2d(x, [N, IN]);
        const ys = loss === 'sparseCategoricalCrossentropy' ? my.tensor2d(y, [N, 1]) : my.tensor2d(y, [N, OUT]);
        const { loss: value, grads } = model.computeGradients(xs, ys);

        // The reference network shares one float64 parameter vector laid out like the arena.
        const theta = Float64Array.from(model.getWeights().flatMap((w) => Array.from(w.data)));
        const dims: [number, number, ActivationName][] = [[IN, H1, hidden], [H1, H2, hidden], [H2, OUT, output]];
        let offset = 0;
        const layers: RefLayer[] = dims.map(([k, m, act]) => {
          const w = theta.subarray(offset, offset + k * m);
          const b = theta.subarray(offset + k * m, offset + k * m + m);
          offset += k * m + m;
          return { w, b, k, m, act };
        });
        const f = (): number => mlpLossRef(layers, x, y, N, loss);
        expectScalarClose(value, f(), VALUES, 'loss');
        expectClose(grads, finiteDifferences(f, theta), GRADIENTS, 'gradients');
      });
    }
  }
});
