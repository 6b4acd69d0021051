/**
 * Issue 12, item 10: holes in arrays became 0. predict([[1, , 5]]) equalled predict([[1, 0, 5]]),
 * sparse labels [2, , ] evaluated as class 0 and tensor1d([1, , 3]) was [1, 0, 3]. A hole is an
 * ArgumentTypeError naming its index.
 */
import { expect } from 'chai';

import * as my from '../../lib/index';

/* eslint-disable no-sparse-arrays */
const hole = /Expected a number for (.+) but received an empty slot \(a hole in the array\)/;

describe('reliability: holes in arrays (item 10)', () => {
  const model = my.sequential([my.layers.dense({ inputShape: [3], units: 3, activation: 'softmax' })]);
  model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });

  it('a hole in a row of x names x[row][column]', () => {
    expect(() => model.predict([[1, , 5]] as number[][])).to.throw(my.ArgumentTypeError, /Expected a number for x\[0\]\[1\] but received an empty slot \(a hole in the array\)/);
  });

  it('a missing row names x[row]', () => {
    expect(() => model.predict([[1, 2, 3], , [4, 5, 6]] as number[][])).to.throw(my.ArgumentTypeError, /Expected an array of numbers \(a row\) for x\[1\] but received an empty slot/);
  });

  it('a hole in sparse labels names y[index], in evaluate and in fit', async () => {
    const x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
    expect(() => model.evaluate(x, [2, , 1] as number[])).to.throw(my.ArgumentTypeError, /Expected a number for y\[1\] but received an empty slot/);
    const error = await model.fit(x, [2, , ,] as number[], { verbose: 0 }).then(() => null, (e: unknown) => e as Error);
    expect(error).to.be.instanceOf(my.ArgumentTypeError);
    expect(error?.message).to.match(hole);
  });

  it('tensor1d, tensor2d (flat and nested) and sampleWeight name the hole', async () => {
    expect(() => my.tensor1d([1, , 3] as number[])).to.throw(my.ArgumentTypeError, /for values\[1\]/);
    expect(() => my.tensor2d([1, 2, , 4] as number[], [2, 2])).to.throw(my.ArgumentTypeError, /for values\[2\]/);
    expect(() => my.tensor2d([[1, 2], [3, ,]] as number[][], [2, 2])).to.throw(my.ArgumentTypeError, /for values\[1\]\[1\]/);
    const error = await model.fit([[1, 2, 3], [4, 5, 6]], [0, 1], { verbose: 0, sampleWeight: [1, ,] as number[] }).then(() => null, (e: unknown) => e as Error);
    expect(error?.message).to.match(/for sampleWeight\[1\] but received an empty slot/);
  });

  it('a hole among fit\'s callbacks or sequential\'s layers is named, not skipped', async () => {
    const error = await model.fit([[1, 2, 3]], [0], { verbose: 0, callbacks: [{}, , {}] as never }).then(() => null, (e: unknown) => e as Error);
    expect(error).to.be.instanceOf(my.ArgumentTypeError);
    expect(error?.message).to.match(/for callbacks\[1\] but received undefined/);
    expect(() => my.sequential([my.layers.dense({ inputShape: [2], units: 2 }), , my.layers.dense({ units: 1 })] as never)).to.throw(my.ArgumentTypeError, /for layer but received undefined/);
  });

  it('an explicit undefined is refused as before, and a full array still works', () => {
    expect(() => model.predict([[1, undefined as unknown as number, 5]])).to.throw(my.ArgumentTypeError, /for x\[0\]\[1\] but received undefined/);
    expect(model.predict([[1, 0, 5]]).shape).to.deep.equal([1, 3]);
  });
});
