import { expect } from 'chai';

import * as my from '../../lib/index';
import { activationNames } from '../../lib/activations';
import { toOnnx } from '../../lib/onnx/export';
import { Doubling, expectOnnxMatchesPredict, randomizeWeights } from './helpers';

describe('ONNX operators, checked by onnxruntime', () => {
  describe('activations', () => {
    activationNames.forEach((activation, k) => {
      it(`${activation}: as an Activation layer on the inputs and inside a Dense`, async () => {
        my.seed(k + 1);
        const model = my.sequential([my.layers.activation({ inputShape: [9], activation }), my.layers.dense({ units: 6, activation })]);
        randomizeWeights(model, k + 1);
        // Inputs of +-8 reach both clips of relu6 and hardTanh and the tails of the others.
        await expectOnnxMatchesPredict(model, 100 + k, {}, 8);
      });
    });

    it('leakyRelu and elu with an alpha of their own (layers.leakyReLU, layers.elu, layers.activation)', async () => {
      my.seed(30);
      const model = my.sequential([
        my.layers.dense({ inputShape: [5], units: 8 }),
        my.layers.leakyReLU({ alpha: 0.05 }),
        my.layers.dense({ units: 8 }),
        my.layers.elu({ alpha: 0.4 }),
        my.layers.dense({ units: 4 }),
        my.layers.activation({ activation: 'leakyRelu', alpha: 0.7 }),
      ]);
      randomizeWeights(model, 30);
      await expectOnnxMatchesPredict(model, 31);
    });
  });

  describe('layers', () => {
    for (const useBias of [true, false]) {
      it(`Dense ${useBias ? 'with' : 'without'} bias (Gemm)`, async () => {
        my.seed(40);
        const model = my.sequential([my.layers.dense({ inputShape: [13], units: 7, useBias, activation: 'tanh' }), my.layers.dense({ units: 3, useBias })]);
        randomizeWeights(model, 40);
        await expectOnnxMatchesPredict(model, 41);
      });
    }

    it('PReLU (one slope per unit, broadcast over the batch)', async () => {
      my.seed(50);
      const model = my.sequential([my.layers.dense({ inputShape: [6], units: 10 }), my.layers.prelu(), my.layers.dense({ units: 3 })]);
      randomizeWeights(model, 50);
      await expectOnnxMatchesPredict(model, 51);
    });

    it('RReLU (LeakyRelu with the mean slope)', async () => {
      my.seed(60);
      const model = my.sequential([my.layers.rrelu({ inputShape: [8], lower: 0.1, upper: 0.5 }), my.layers.dense({ units: 4 }), my.layers.rrelu()]);
      randomizeWeights(model, 60);
      await expectOnnxMatchesPredict(model, 61);
    });

    for (const foldBatchNorm of [true, false]) {
      it(`BatchNormalization after a linear Dense, after an activated one and first, with foldBatchNorm ${foldBatchNorm}`, async () => {
        my.seed(70);
        const model = my.sequential([
          my.layers.batchNormalization({ inputShape: [6], center: false }),
          my.layers.dense({ units: 9 }),
          my.layers.batchNormalization({ epsilon: 0.01 }),
          my.layers.dense({ units: 7, activation: 'relu', useBias: false }),
          my.layers.batchNormalization({ scale: false }),
          my.layers.dense({ units: 3 }),
        ]);
        randomizeWeights(model, 70);
        await expectOnnxMatchesPredict(model, 71, { foldBatchNorm });
      });
    }

    it('Normalization (Sub, Div by the floored standard deviation), a zero-variance feature included', async () => {
      my.seed(80);
      const model = my.sequential([my.layers.normalization({ inputShape: [4], mean: [1, -2, 0.5, 3], variance: [4, 0.25, 0, 9] }), my.layers.dense({ units: 2 })]);
      await expectOnnxMatchesPredict(model, 81);
    });

    it('Dropout and GaussianNoise leave no operator; a model of them alone is the identity', async () => {
      my.seed(90);
      const model = my.sequential([my.layers.dense({ inputShape: [5], units: 6, activation: 'relu' }), my.layers.dropout({ rate: 0.5 }), my.layers.gaussianNoise({ stddev: 1 }), my.layers.dense({ units: 2 })]);
      randomizeWeights(model, 90);
      await expectOnnxMatchesPredict(model, 91);
      const identity = my.sequential([my.layers.dropout({ inputShape: [3], rate: 0.2 }), my.layers.gaussianNoise({ stddev: 0.1 })]);
      await expectOnnxMatchesPredict(identity, 92);
    });

    it('throws ArgumentRangeError naming a layer that has no ONNX equivalent', () => {
      const model = my.sequential([my.layers.dense({ inputShape: [3], units: 2 })]);
      model.add(new Doubling());
      expect(() => toOnnx(model)).to.throw(my.ArgumentRangeError, /ONNX equivalent \(Dense, .*received layer 'doubling_1' of class Doubling/);
      expect(() => toOnnx(model, { foldBatchNorm: false })).to.throw(my.ArgumentRangeError, /'doubling_1'/);
    });
  });

  describe('fused output activations', () => {
    const cases = [
      { loss: 'categoricalCrossentropy', activation: 'softmax' },
      { loss: 'sparseCategoricalCrossentropy', activation: 'softmax' },
      { loss: 'binaryCrossentropy', activation: 'sigmoid' },
    ] as const;
    for (const { loss, activation } of cases) {
      it(`outputs probabilities, as predict does, when ${loss} fuses the ${activation}`, async () => {
        my.seed(95);
        const model = my.sequential([my.layers.dense({ inputShape: [6], units: 8, activation: 'relu' }), my.layers.dense({ units: 4, activation })]);
        model.compile({ optimizer: 'sgd', loss });
        randomizeWeights(model, 95);
        await expectOnnxMatchesPredict(model, 96);
      });
    }
  });
});
