import { expect } from 'chai';

import { oneHot } from '../../lib/data';
import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../../lib/errors';
import { Tensor } from '../../lib/tensor';

describe('data.oneHot()', () => {
  it('turns class indices into one-hot rows', () => {
    const t = oneHot([2, 0, 1, 2], 3);
    expect(t.shape).to.deep.equal([4, 3]);
    expect(t.toArray()).to.deep.equal([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(oneHot(new Tensor(Float32Array.of(1, 0), [2, 1]), 2).toArray()).to.deep.equal([[0, 1], [1, 0]]);
  });

  it('rejects labels outside [0, numClasses), non-integers and more than one column', () => {
    expect(() => oneHot([0, 3], 3)).to.throw(ArgumentRangeError, /class index from 0 to 2 for labels\[1\] but received 3/);
    expect(() => oneHot([0.5], 3)).to.throw(ArgumentRangeError, /labels\[0\]/);
    expect(() => oneHot([-1], 3)).to.throw(ArgumentRangeError, /labels\[0\]/);
    expect(() => oneHot([[0, 1]], 3)).to.throw(ShapeError, /one class index per sample/);
    expect(() => oneHot([0], 0)).to.throw(ArgumentRangeError, /numClasses/);
    expect(() => oneHot([0], '3' as never)).to.throw(ArgumentTypeError, /numClasses/);
  });
});
