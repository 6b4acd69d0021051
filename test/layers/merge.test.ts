/**
 * Merge layers (add, subtract, multiply, average, maximum, minimum, concatenate) in small graph
 * models: each one's gradients against float64 central finite differences of the same graph, its
 * outputs against the float64 reference, the winner's rule of maximum and minimum on a tie, and
 * the errors of a merge given inputs it cannot take.
 */
import { expect } from 'chai';

import * as my from '../../lib/index';
import type { SymbolicTensor } from '../../lib/layers/symbolic';
import { expectClose, expectScalarClose, GRADIENTS, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';
import { forwardRef, graphLossRef, refWeights } from '../helpers/graph-reference';

// Awkward sizes: 5 samples of 3 features, branches 5 wide, 2 outputs.
const [N, IN, WIDTH, OUT] = [5, 3, 5, 2];
const xData = randomArray(N * IN, 101, 1.5);
const yData = randomArray(N * OUT, 102);

/** Branches dense(x) of the given widths, each with its own weights and activation, then `merge`, then a linear head. */
function mergeModel(merge: my.layers.Layer, widths: readonly number[], activations: readonly my.ActivationName[] = ['tanh', 'sigmoid', 'linear']): { model: my.Functional; x: SymbolicTensor; branches: SymbolicTensor[] } {
  my.seed(17);
  const x = my.input({ shape: [IN], name: 'x' });
  const branches = widths.map((units, i) => my.layers.dense({ units, activation: activations[i % activations.length] as my.ActivationName, biasInitializer: 'randomNormal', name: `branch${i}` }).apply(x));
  const merged = merge.apply(branches);
  const out = my.layers.dense({ units: OUT, name: 'out' }).apply(merged);
  const model = my.model({ inputs: x, outputs: out });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return { model, x, branches };
}

/** computeGradients of the model against finite differences of its float64 reference; predict against the reference's outputs. */
function checkGradients(model: my.Functional, x: SymbolicTensor): void {
  const w = refWeights(model);
  const given = new Map([[x, xData]]);
  const f = graphLossRef(model, given, N, w, [{ kind: 'meanSquaredError', weight: 1, labels: yData }]);
  const { loss, grads } = model.computeGradients(my.tensor2d(xData, [N, IN]), my.tensor2d(yData, [N, OUT]));
  expectScalarClose(loss, f(), VALUES, 'loss');
  expectClose(grads, finiteDifferences(f, w.theta), GRADIENTS, 'gradients');
  const predicted = model.predict(my.tensor2d(xData, [N, IN])) as my.Tensor;
  expectClose(predicted.data, forwardRef(model.outputs, given, N, w, false)[0] as Float64Array, VALUES, 'predictions');
}

/** The smallest |a - b| over every pair of branch values at the same place: how far the inputs are from a tie. */
function smallestGap(model: my.Functional, x: SymbolicTensor, branches: readonly SymbolicTensor[]): number {
  const values = forwardRef(branches, new Map([[x, xData]]), N, refWeights(model), true);
  let gap = Infinity;
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      (values[i] as Float64Array).forEach((v, k) => (gap = Math.min(gap, Math.abs(v - ((values[j] as Float64Array)[k] as number)))));
    }
  }
  return gap;
}

describe('merge layers: gradient checks (float64 finite differences)', () => {
  const cases: [string, () => my.layers.Layer, number[]][] = [
    ['add of 2', () => my.layers.add(), [WIDTH, WIDTH]],
    ['add of 3', () => my.layers.add(), [WIDTH, WIDTH, WIDTH]],
    ['subtract', () => my.layers.subtract(), [WIDTH, WIDTH]],
    ['multiply of 2', () => my.layers.multiply(), [WIDTH, WIDTH]],
    ['multiply of 3', () => my.layers.multiply(), [WIDTH, WIDTH, WIDTH]],
    ['average of 2', () => my.layers.average(), [WIDTH, WIDTH]],
    ['average of 3', () => my.layers.average(), [WIDTH, WIDTH, WIDTH]],
    ['concatenate of widths 1, 3, 7', () => my.layers.concatenate(), [1, 3, 7]],
    ['concatenate of widths 7, 1', () => my.layers.concatenate({ axis: 1 }), [7, 1]],
  ];
  for (const [name, make, widths] of cases) {
    it(name, () => {
      const { model, x } = mergeModel(make(), widths);
      checkGradients(model, x);
    });
  }

  for (const [name, make] of [['maximum', () => my.layers.maximum()], ['minimum', () => my.layers.minimum()]] as const) {
    for (const inputs of [2, 3]) {
      it(`${name} of ${inputs}, its inputs nowhere near a tie`, () => {
        // Linear branches of random weights and biases: the finite-difference step (1e-6) cannot swap a winner.
        const { model, x, branches } = mergeModel(make(), Array.from({ length: inputs }, () => WIDTH), ['linear']);
        expect(smallestGap(model, x, branches)).to.be.above(1e-3);
        checkGradients(model, x);
      });
    }
  }

  it('a merge reading the model input itself and a layer output (a skip connection from the input)', () => {
    my.seed(5);
    const x = my.input({ shape: [IN] });
    const h = my.layers.dense({ units: IN, activation: 'tanh' }).apply(x);
    const out = my.layers.dense({ units: OUT }).apply(my.layers.concatenate().apply([x, my.layers.multiply().apply([h, x]), my.layers.subtract().apply([x, h])]));
    const model = my.model({ inputs: x, outputs: out });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    checkGradients(model, x);
  });
});

describe('maximum and minimum on a tie', () => {
  /** Two branches of the same weights: every value ties. */
  function tiedModel(merge: my.layers.Layer, inputs: number): my.Functional {
    const { model } = mergeModel(merge, Array.from({ length: inputs }, () => WIDTH), ['tanh']);
    const first = model.getLayer('branch0').getWeights();
    for (let i = 1; i < inputs; i++) model.getLayer(`branch${i}`).setWeights(first);
    return model;
  }

  for (const [name, make] of [['maximum', () => my.layers.maximum()], ['minimum', () => my.layers.minimum()]] as const) {
    it(`${name} gives the whole gradient to the first of the tied inputs, none to the others`, () => {
      const model = tiedModel(make(), 3);
      const { grads } = model.computeGradients(my.tensor2d(xData, [N, IN]), my.tensor2d(yData, [N, OUT]));
      const slots = model.weightSlots();
      const gradOf = (layer: string): Float32Array => {
        const own = slots.filter((s) => s.layer.name === layer);
        const start = (own[0] as (typeof own)[number]).offset;
        const end = (own[own.length - 1] as (typeof own)[number]).offset + (own[own.length - 1] as (typeof own)[number]).size;
        return grads.subarray(start, end);
      };
      expect(gradOf('branch0').some((g) => g !== 0)).to.equal(true);
      expect(Array.from(gradOf('branch1')).every((g) => g === 0)).to.equal(true);
      expect(Array.from(gradOf('branch2')).every((g) => g === 0)).to.equal(true);
      // The first branch's gradient is what it would get with the merge away: out(branch0).
      my.seed(17);
      const x = my.input({ shape: [IN] });
      const alone = my.model({ inputs: x, outputs: my.layers.dense({ units: OUT, name: 'out' }).apply(my.layers.dense({ units: WIDTH, activation: 'tanh', name: 'branch0' }).apply(x)) });
      alone.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      alone.getLayer('branch0').setWeights(model.getLayer('branch0').getWeights());
      alone.getLayer('out').setWeights(model.getLayer('out').getWeights());
      const reference = alone.computeGradients(my.tensor2d(xData, [N, IN]), my.tensor2d(yData, [N, OUT])).grads;
      expect(Array.from(gradOf('branch0'))).to.deep.equal(Array.from(reference.subarray(0, gradOf('branch0').length)));
    });

    it(`${name} lets a first input that needs no gradient (the model input) keep its wins: the tied layer after it gets none`, () => {
      my.seed(8);
      const x = my.input({ shape: [IN] });
      // An identity layer: its output ties with x everywhere.
      const identity = my.layers.dense({ units: IN, name: 'identity' });
      const h = identity.apply(x);
      const out = my.layers.dense({ units: OUT, name: 'out' }).apply(make().apply([x, h]));
      const model = my.model({ inputs: x, outputs: out });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      identity.setWeights([my.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3]), my.tensor1d([0, 0, 0])]);
      const { grads } = model.computeGradients(my.tensor2d(xData, [N, IN]), my.tensor2d(yData, [N, OUT]));
      const identitySize = IN * IN + IN;
      expect(Array.from(grads.subarray(0, identitySize)).every((g) => g === 0)).to.equal(true);
      expect(Array.from(grads.subarray(identitySize)).some((g) => g !== 0)).to.equal(true);
    });
  }
});

describe('merge layers: config and errors', () => {
  it('have no weights, take name and trainable, and Concatenate axis -1 or 1', () => {
    const { model } = mergeModel(my.layers.concatenate({ name: 'joined' }), [2, 3]);
    const joined = model.getLayer('joined');
    expect(joined.className).to.equal('Concatenate');
    expect(joined.countParams()).to.equal(0);
    expect(joined.getWeights()).to.deep.equal([]);
    expect(joined.getConfig()).to.deep.equal({ name: 'joined', axis: -1 });
    expect(joined.output.shape).to.deep.equal([null, 5]);
    expect(my.layers.add({ name: 'sum', trainable: false }).getConfig()).to.deep.equal({ name: 'sum', trainable: false });
    expect(() => my.layers.concatenate({ axis: 0 })).to.throw(my.ArgumentRangeError, /Expected -1 or 1, the feature axis .* for axis but received 0/);
    expect(() => my.layers.add({ units: 3 } as never)).to.throw(my.ArgumentRangeError, /units/);
  });

  const x = my.input({ shape: [IN], name: 'x3' });
  const a = my.layers.dense({ units: 4, name: 'four' }).apply(x);
  const b = my.layers.dense({ units: 6, name: 'six' }).apply(x);
  const c = my.layers.dense({ units: 4, name: 'fourAgain' }).apply(x);

  for (const make of [my.layers.add, my.layers.subtract, my.layers.multiply, my.layers.average, my.layers.maximum, my.layers.minimum]) {
    it(`${make.name}() of inputs of two shapes names both shapes and the layer`, () => {
      const merge = make({ name: `bad_${make.name}` });
      expect(() => merge.apply([a, b])).to.throw(my.ShapeError, new RegExp(`inputs\\[0\\] is \\[null, 4\\].*for inputs of 'bad_${make.name}' but received inputs\\[1\\] of shape \\[null, 6\\]`));
      // The refused merge is not built: it takes good inputs after.
      expect(merge.apply([a, c]).shape).to.deep.equal([null, 4]);
    });

    it(`${make.name}() of one input is refused, naming the layer`, () => {
      expect(() => make({ name: 'lonely' }).apply([a])).to.throw(my.ArgumentRangeError, /Expected (at least|exactly) 2 tensors for \w+ for inputs of 'lonely' but received 1/);
      expect(() => make({ name: 'lonely2' }).apply(a)).to.throw(my.ArgumentRangeError, /for inputs of 'lonely2' but received 1/);
    });
  }

  it('subtract() of three inputs is refused: it takes exactly two', () => {
    const d = my.layers.dense({ units: 4 }).apply(x);
    expect(() => my.layers.subtract({ name: 'minus' }).apply([a, c, d])).to.throw(my.ArgumentRangeError, /Expected exactly 2 tensors for Subtract for inputs of 'minus' but received 3/);
  });

  it('a merge of one tensor twice is refused', () => {
    expect(() => my.layers.add({ name: 'twice' }).apply([a, a])).to.throw(my.ArgumentRangeError, /distinct tensors for 'twice'/);
  });

  it('a merge layer applied again must get inputs of its first shapes', () => {
    const merge = my.layers.concatenate({ name: 'joinTwice' });
    merge.apply([a, b]);
    expect(merge.apply([c, b]).shape).to.deep.equal([null, 10]);
    expect(() => merge.apply([b, a])).to.throw(my.ShapeError, /Expected \[null, 4\] and \[null, 6\], as it was first applied to .* for inputs of 'joinTwice' but received \[null, 6\] and \[null, 4\]/);
    expect(() => merge.apply([a, b, c])).to.throw(my.ShapeError, /'joinTwice'/);
  });
});
