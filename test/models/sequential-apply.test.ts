/**
 * A Sequential applied like a layer inside a graph model: the graph model takes its layers over
 * (their trained weights with them), and the Sequential borrows them from then on.
 */
import { expect } from 'chai';
import * as my from '../../lib/index';

function trainedStack(): my.Sequential {
  my.seed(11);
  const stack = my.sequential([my.layers.dense({ inputShape: [3], units: 4, activation: 'tanh' }), my.layers.dense({ units: 2 })]);
  stack.compile({ optimizer: 'sgd', loss: 'mse' });
  stack.trainOnBatch([[1, 0, -1], [0.5, 0.5, 0]], [[1, 0], [0, 1]]);
  return stack;
}

describe('Sequential.apply()', () => {
  it('nests the stack in a graph with its trained weights; training the graph changes what the stack predicts', async () => {
    const stack = trainedStack();
    const probe = [[0.2, -0.4, 0.9]];
    const before = Array.from(stack.predict(probe).data);
    const x = my.input({ shape: [3], name: 'x' });
    const graph = my.model({ inputs: x, outputs: my.layers.add().apply([stack.apply(x), my.layers.dense({ units: 2, kernelInitializer: 'zeros', name: 'zero' }).apply(x)]) });
    // The added branch starts at zero, so the graph first predicts what the stack did.
    expect(Array.from((graph.predict(probe) as my.Tensor).data)).to.deep.equal(before);
    graph.compile({ optimizer: 'sgd', loss: 'mse' });
    await graph.fit([[1, 2, 3], [3, 2, 1]], [[1, 1], [-1, -1]], { epochs: 3, verbose: 0 });
    const after = Array.from(stack.predict(probe).data);
    expect(after).to.not.deep.equal(before);
    expect(stack.getWeights().map((w) => Array.from(w.data))).to.deep.equal(graph.getWeights().slice(0, 4).map((w) => Array.from(w.data)));
  });

  it('leaves the stack unable to add, pop or train, naming why', () => {
    const stack = trainedStack();
    const x = my.input({ shape: [3] });
    // With a layer of its own, the graph model takes the stack's layers over (one made of the
    // stack's layers alone would borrow them instead, as a sub-model does).
    my.model({ inputs: x, outputs: my.layers.dense({ units: 1 }).apply(stack.apply(x)) });
    expect(() => stack.add(my.layers.dense({ units: 1 }))).to.throw(my.ModelStateError, 'belong to another model');
    expect(() => stack.pop()).to.throw(my.ModelStateError, 'belong to another model');
    expect(() => stack.trainOnBatch([[1, 2, 3]], [[1, 1]])).to.throw(my.ModelStateError, 'belong to another model');
  });

  it('refuses a tensor of another width, naming the layer', () => {
    const stack = trainedStack();
    expect(() => stack.apply(my.input({ shape: [5] }))).to.throw(my.ShapeError, 'dense');
  });
});
