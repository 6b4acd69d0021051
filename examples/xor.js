// The smallest network that needs a hidden layer: XOR.
const my = require('myelin');

async function main() {
  my.seed(42);
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const y = [[0], [1], [1], [0]];
  const model = my.sequential([
    my.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }),
    my.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.fit(x, y, { epochs: 300, batchSize: 4, verbose: 0 });
  const predictions = model.predict(x).toArray().map(([p]) => (p > 0.5 ? 1 : 0));
  console.log(`XOR predictions: ${predictions.join(' ')} (expected 0 1 1 0)`);
  if (predictions.join('') !== '0110') process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
