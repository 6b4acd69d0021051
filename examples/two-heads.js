// One network, two jobs, on the 8x8 digits that ship with myelin: a shared trunk reads the 64
// pixels, then a softmax head names the digit (sparse categorical cross-entropy) and a linear head
// rebuilds the 64 pixels (mean squared error). Both losses train the trunk at once, added with
// lossWeights; fit logs each head's loss and metrics under its output's name (class_loss,
// class_accuracy, reconstruction_loss, reconstruction_mae, and their val_ twins).
const my = require('myelin');

const EPOCHS = 40;
const LOSS_WEIGHTS = { class: 1, reconstruction: 10 };

function meanSquaredError(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / a.length;
}

function buildModel() {
  const pixels = my.input({ shape: [64], name: 'pixels' });
  let trunk = my.layers.dense({ units: 96, activation: 'relu', name: 'trunk_1' }).apply(pixels);
  trunk = my.layers.dense({ units: 48, activation: 'relu', name: 'trunk_2' }).apply(trunk);
  const digit = my.layers.dense({ units: 10, activation: 'softmax', name: 'class' }).apply(trunk);
  const rebuilt = my.layers.dense({ units: 64, name: 'reconstruction' }).apply(trunk);
  const model = my.model({ inputs: pixels, outputs: [digit, rebuilt], name: 'two_heads' });
  model.compile({
    optimizer: my.optimizers.adam({ learningRate: 2e-3 }),
    loss: { class: 'sparseCategoricalCrossentropy', reconstruction: 'meanSquaredError' },
    lossWeights: LOSS_WEIGHTS,
    metrics: { class: ['accuracy'], reconstruction: ['mae'] },
  });
  return model;
}

async function main({ log = console.log, verbose = 1 } = {}) {
  my.seed(7);
  const { x, y } = my.data.loadDigits();
  const { xTrain, yTrain, xTest, yTest } = my.data.trainTestSplit(x, y, { testSize: 0.2, stratify: true });

  const model = buildModel();
  if (verbose) model.summary(log);
  // Labels by output name: the digit for the class head, the image itself for the reconstruction.
  await model.fit(xTrain, { class: yTrain, reconstruction: xTrain }, { epochs: EPOCHS, batchSize: 32, validationSplit: 0.1, verbose });

  // evaluate() gives the same logs as fit: the weighted loss, then each head's loss and metrics.
  const held = model.evaluate(xTest, { class: yTest, reconstruction: xTest });
  log(`Held-out logs: ${Object.entries(held).map(([name, value]) => `${name} ${value.toFixed(4)}`).join(', ')}`);
  // Predicting the mean training image for every digit: the reconstruction error to beat.
  const meanImage = new Float32Array(64);
  for (let i = 0; i < xTrain.data.length; i++) meanImage[i % 64] += xTrain.data[i] / xTrain.shape[0];
  const meanImageError = meanSquaredError(xTest.data, xTest.data.map((_, i) => meanImage[i % 64]));
  // predict() gives one tensor per output, in the outputs' order.
  const [, rebuilt] = model.predict(xTest);

  const result = {
    accuracy: held['class_accuracy'],
    reconstructionError: meanSquaredError(rebuilt.data, xTest.data),
    meanImageError,
    logs: held,
    model,
  };
  log(`Held-out digits (${xTest.shape[0]}): class accuracy ${result.accuracy.toFixed(4)}, reconstruction MSE per pixel ` +
    `${result.reconstructionError.toFixed(4)} (predicting the mean image scores ${meanImageError.toFixed(4)})`);
  return result;
}

module.exports = { main };
if (require.main === module) {
  main().then(({ accuracy }) => { if (accuracy < 0.9) process.exitCode = 1; }, (error) => { console.error(error); process.exitCode = 1; });
}
