/**
 * Issue 12, item 11: model.add() was not refused while a predictAsync call was pending, and the
 * result came back with the new shape ([8, 7]) around the old prediction's 24 values. Every call
 * that changes the model's shape is refused while runs on it are pending, and a run's
 * result shape is fixed when it is queued.
 */
import { expect } from 'chai';

import * as my from '../../lib/index';

describe('reliability: shape changes while runs are pending (item 11)', () => {
  it('add() is refused while predictAsync calls are pending, and their results keep the shape they were queued with', async () => {
    const model = my.sequential([my.layers.dense({ inputShape: [4], units: 3 })]);
    const x = my.tensor2d(new Float32Array(8 * 4).fill(1), [8, 4]);
    const pending = model.predictAsync(x);
    expect(() => model.add(my.layers.dense({ units: 7 }))).to.throw(my.ModelStateError, /add\(\) cannot run now: 1 predictAsync\(\) call\(s\) on this model are queued or running/);
    const result = await pending;
    expect(result.shape).to.deep.equal([8, 3]);
    expect(result.data.length).to.equal(24);
    model.add(my.layers.dense({ units: 7 }));
    expect((await model.predictAsync(x)).shape).to.deep.equal([8, 7]);
  });

  it('add() is refused while fit trains, from its callbacks too', async () => {
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 1 })]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const refused: unknown[] = [];
    await model.fit([[1, 2], [3, 4]], [[1], [2]], {
      verbose: 0,
      callbacks: {
        onBatchEnd: () => {
          try {
            model.add(my.layers.dense({ units: 2 }));
          } catch (error) {
            refused.push(error);
          }
        },
      },
    });
    expect(refused).to.have.length(1);
    expect(refused[0]).to.be.instanceOf(my.ModelStateError);
    expect(model.outputUnits).to.equal(1);
  });
});
