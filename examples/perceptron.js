// Rosenblatt's perceptron: one unit with a sign activation learns a linearly separable set.
// The sign has no useful derivative, so myelin passes the gradient straight through it (the
// straight-through estimator); plain SGD on the squared error, one sample at a time, is then
// exactly the perceptron rule: w += lr * (target - output) * x, and nothing moves when a point
// is already on its side.
const my = require('myelin');

/** A 10x10 grid of points in [-1, 1]^2, labelled +1 / -1 by the line x + 2y = 0.3. */
function separableSet() {
  const x = [];
  const y = [];
  for (let i = 0; i < 10; i++) {
    for (let j = 0; j < 10; j++) {
      const p = [(i - 4.5) / 4.5, (j - 4.5) / 4.5];
      const side = p[0] + 2 * p[1] - 0.3;
      if (Math.abs(side) < 0.05) continue; // keep a margin, so the rule converges (Novikoff)
      x.push(p);
      y.push([side > 0 ? 1 : -1]);
    }
  }
  return { x, y };
}

async function main({ log = console.log } = {}) {
  my.seed(7);
  const { x, y } = separableSet();
  const model = my.sequential([my.layers.dense({ inputShape: [2], units: 1, activation: 'sign' })]);
  model.compile({ optimizer: my.optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });

  let epochs = 0;
  let errors = x.length;
  while (errors > 0 && epochs < 100) {
    await model.fit(x, y, { epochs: 1, batchSize: 1, verbose: 0 });
    epochs += 1;
    const out = model.predict(x).toArray();
    errors = out.filter(([o], i) => o !== y[i][0]).length;
  }
  const [w, b] = model.getWeights().map((t) => Array.from(t.data));
  log(`Perceptron: ${errors} of ${x.length} points misclassified after ${epochs} epochs; ` +
    `boundary ${w[0].toFixed(3)} x + ${w[1].toFixed(3)} y + ${b[0].toFixed(3)} = 0 (the true one is x + 2y - 0.3 = 0)`);
  return { errors, epochs, samples: x.length };
}

module.exports = { main };
if (require.main === module) {
  main().then(({ errors }) => { if (errors > 0) process.exitCode = 1; }, (error) => { console.error(error); process.exitCode = 1; });
}
