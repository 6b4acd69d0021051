// Trains an MLP on the 8x8 handwritten digits that ship with myelin and reports its accuracy on
// a held-out 20%. Run it with `npm run demo` (or `node examples/digits.js`).
const my = require('myelin');

async function main({ log = console.log, verbose = 1 } = {}) {
  my.seed(2024);
  const { x, y } = my.data.loadDigits();
  const { xTrain, yTrain, xTest, yTest } = my.data.trainTestSplit(x, y, { testSize: 0.2 });

  const model = my.sequential([
    my.layers.dense({ inputShape: [64], units: 128, activation: 'relu' }),
    my.layers.dense({ units: 64, activation: 'relu' }),
    my.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  if (verbose) model.summary(log);

  const info = my.backendInfo();
  log(`Training on ${xTrain.shape[0]} digits (${info.isa} kernels, ${info.threads} threads)`);
  const started = Date.now();
  await model.fit(xTrain, yTrain, { epochs: 40, batchSize: 32, validationSplit: 0.1, verbose });
  const seconds = (Date.now() - started) / 1000;

  const { loss, accuracy } = model.evaluate(xTest, yTest);
  log(`Held-out accuracy: ${accuracy.toFixed(4)} on ${xTest.shape[0]} digits (loss ${loss.toFixed(4)}), trained in ${seconds.toFixed(1)}s`);
  return { accuracy, loss };
}

module.exports = { main };
if (require.main === module) {
  main().then(({ accuracy }) => { if (accuracy < 0.95) process.exitCode = 1; }, (error) => { console.error(error); process.exitCode = 1; });
}
