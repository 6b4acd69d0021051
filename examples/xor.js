// The smallest problem that needs a hidden layer: XOR, learned by a 2-2-1 sigmoid network.
const my = require('myelin');

const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [[0], [1], [1], [0]];

async function main({ log = console.log } = {}) {
  my.seed(3);
  const model = my.sequential([
    my.layers.dense({ inputShape: [2], units: 2, activation: 'sigmoid' }),
    my.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.1 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await model.fit(x, y, { epochs: 1000, batchSize: 4, verbose: 0 });
  const predictions = model.predict(x).toArray().map(([p]) => (p > 0.5 ? 1 : 0));
  const correct = predictions.join('') === '0110';
  log(`XOR with a 2-2-1 sigmoid network: predictions ${predictions.join(' ')} (expected 0 1 1 0)`);
  return { correct, predictions };
}

module.exports = { main };
if (require.main === module) {
  main().then(({ correct }) => { if (!correct) process.exitCode = 1; }, (error) => { console.error(error); process.exitCode = 1; });
}
