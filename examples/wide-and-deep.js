// Wide and deep (Cheng et al., 2016) on the Breast Cancer Wisconsin CSV that ships with myelin
// (569 tumours, 30 measurements each): the standardized features go both through a deep branch
// (two ReLU Dense layers) and, as they are, straight to the output layer, concatenated beside the
// deep branch's features. The output unit can then use a linear rule on the raw measurements (the
// wide part, what logistic regression learns) and whatever the deep branch adds to it. Scored on
// a held-out quarter beside the deep branch alone, trained the same way. On 142 test tumours the
// two differ by a tumour or two, which is within what another seed changes: the data is nearly
// linearly separable, so the wide part's linear rule is most of what either model needs.
const path = require('node:path');
const my = require('myelin');

const EPOCHS = 30;

/** The deep branch: its own layers each call, so the two models share nothing. */
function deepBranch(x) {
  const h = my.layers.dense({ units: 32, activation: 'relu' }).apply(x);
  return my.layers.dense({ units: 16, activation: 'relu' }).apply(h);
}

function compiled(model) {
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 1e-3 }), loss: 'binaryCrossentropy', metrics: ['accuracy', 'auc'] });
  return model;
}

function wideAndDeep(features) {
  const x = my.input({ shape: [features], name: 'measurements' });
  const both = my.layers.concatenate({ name: 'wide_beside_deep' }).apply([x, deepBranch(x)]);
  const malignant = my.layers.dense({ units: 1, activation: 'sigmoid', name: 'diagnosis' }).apply(both);
  return compiled(my.model({ inputs: x, outputs: malignant, name: 'wide_and_deep' }));
}

function deepOnly(features) {
  const x = my.input({ shape: [features], name: 'measurements' });
  const malignant = my.layers.dense({ units: 1, activation: 'sigmoid', name: 'diagnosis' }).apply(deepBranch(x));
  return compiled(my.model({ inputs: x, outputs: malignant, name: 'deep' }));
}

async function main({ log = console.log, verbose = 1 } = {}) {
  my.seed(31);
  const { x, y, classes } = my.data.loadCsv(path.join(__dirname, '..', 'data', 'breast-cancer.csv'), { labelColumn: 'diagnosis' });
  const { xTrain, yTrain, xTest, yTest } = my.data.trainTestSplit(x, y, { testSize: 0.25, stratify: true });
  // Standardized with the training set's statistics only, then applied unchanged to the test set.
  const scaler = my.data.standardize(xTrain);
  const [train, test] = [scaler.transform(xTrain), scaler.transform(xTest)];
  const features = x.shape[1];

  const result = {};
  const models = { wideAndDeep: wideAndDeep(features), deep: deepOnly(features) };
  for (const [name, model] of Object.entries(models)) {
    if (verbose && name === 'wideAndDeep') model.summary(log);
    await model.fit(train, yTrain, { epochs: EPOCHS, batchSize: 32, verbose: 0 });
    const { accuracy, auc } = model.evaluate(test, yTest);
    result[name] = { accuracy, auc };
  }
  log(`${xTest.shape[0]} held-out tumours (class 1 = ${classes[1]}), after ${EPOCHS} epochs each:`);
  log(`  wide and deep: accuracy ${result.wideAndDeep.accuracy.toFixed(4)}, AUC ${result.wideAndDeep.auc.toFixed(4)}`);
  log(`  deep alone:    accuracy ${result.deep.accuracy.toFixed(4)}, AUC ${result.deep.auc.toFixed(4)}`);
  return { accuracy: result.wideAndDeep.accuracy, auc: result.wideAndDeep.auc, deepAccuracy: result.deep.accuracy, deepAuc: result.deep.auc, model: models.wideAndDeep };
}

module.exports = { main };
if (require.main === module) {
  main().then(({ accuracy }) => { if (accuracy < 0.93) process.exitCode = 1; }, (error) => { console.error(error); process.exitCode = 1; });
}
