// Logistic regression as a one-layer network: one sigmoid unit with binary cross-entropy, on the
// Breast Cancer Wisconsin data that ships with myelin (569 tumours, 30 measurements each).
// Features are standardized with the training set's statistics, then applied to the test set.
const path = require('node:path');
const my = require('myelin');

async function main({ log = console.log } = {}) {
  my.seed(12);
  const { x, y, classes } = my.data.loadCsv(path.join(__dirname, '..', 'data', 'breast-cancer.csv'), { labelColumn: 'diagnosis' });
  const { xTrain, yTrain, xTest, yTest } = my.data.trainTestSplit(x, y, { testSize: 0.25, stratify: true });
  const scaler = my.data.standardize(xTrain);

  const model = my.sequential([my.layers.dense({ inputShape: [30], units: 1, activation: 'sigmoid' })]);
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy', 'auc'] });
  await model.fit(scaler.transform(xTrain), yTrain, { epochs: 50, batchSize: 32, verbose: 0 });
  const { accuracy, auc } = model.evaluate(scaler.transform(xTest), yTest);
  log(`Logistic regression on ${xTest.shape[0]} held-out tumours (class 1 = ${classes[1]}): accuracy ${accuracy.toFixed(4)}, AUC ${auc.toFixed(4)}`);
  return { accuracy, auc };
}

module.exports = { main };
if (require.main === module) {
  main().then(({ accuracy }) => { if (accuracy < 0.93) process.exitCode = 1; }, (error) => { console.error(error); process.exitCode = 1; });
}
