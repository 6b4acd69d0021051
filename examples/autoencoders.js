// An autoencoder and a denoising autoencoder on the 8x8 digits, built with the functional API
// (input, layer.apply, model). Both squeeze 64 pixels through a 12-unit code and rebuild them; the
// denoising one sees its inputs with Gaussian noise added while training (a gaussianNoise layer,
// active only in training) and learns to rebuild the clean image. Reconstruction error is the mean
// squared error per pixel on held-out digits.
//
// Then the trained encoder is cut out of the autoencoder, model({ inputs: x, outputs: code }): a
// model made of the autoencoder's own layers, sharing their trained weights. Its 12-number codes of
// the digits, learned without ever seeing a label, train a small classifier (a separate model),
// scored on the held-out digits beside the same classifier of the codes the encoder gave before
// the autoencoder was trained.
const my = require('myelin');

const NOISE = 0.3;
const CODE = 12;

/** Deterministic standard normals (mulberry32 + Box-Muller), for corrupting the test images. */
function normals(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function meanSquaredError(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / a.length;
}

/**
 * 64 pixels -> 48 -> 32 -> a 12-unit code -> 32 -> 64 pixels, optionally with Gaussian noise on
 * the input while training. Gives the compiled autoencoder, its input and its code (the tensor the
 * encoder is cut at).
 */
function buildAutoencoder({ noise = 0 } = {}) {
  const x = my.input({ shape: [64], name: 'pixels' });
  const seen = noise > 0 ? my.layers.gaussianNoise({ stddev: noise }).apply(x) : x;
  let h = my.layers.dense({ units: 48, activation: 'relu' }).apply(seen);
  h = my.layers.dense({ units: 32, activation: 'relu' }).apply(h);
  const code = my.layers.dense({ units: CODE, activation: 'relu', name: 'code' }).apply(h);
  h = my.layers.dense({ units: 32, activation: 'relu' }).apply(code);
  const rebuilt = my.layers.dense({ units: 64, activation: 'sigmoid' }).apply(h);
  const model = my.model({ inputs: x, outputs: rebuilt, name: noise > 0 ? 'denoising_autoencoder' : 'autoencoder' });
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 3e-3 }), loss: 'meanSquaredError' });
  return { model, x, code };
}

/** A small classifier of the codes: one hidden layer, trained on the training digits' codes and labels. */
async function classifyCodes(codesTrain, yTrain, codesTest, yTest) {
  const codes = my.input({ shape: [CODE], name: 'codes' });
  const hidden = my.layers.dense({ units: 32, activation: 'relu' }).apply(codes);
  const digit = my.layers.dense({ units: 10, activation: 'softmax', name: 'digit' }).apply(hidden);
  const classifier = my.model({ inputs: codes, outputs: digit, name: 'code_classifier' });
  classifier.compile({ optimizer: my.optimizers.adam({ learningRate: 3e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await classifier.fit(codesTrain, yTrain, { epochs: 60, batchSize: 32, verbose: 0 });
  return classifier.evaluate(codesTest, yTest).accuracy;
}

async function main({ log = console.log, verbose = 1 } = {}) {
  my.seed(21);
  const { x, y } = my.data.loadDigits();
  const { xTrain, yTrain, xTest, yTest } = my.data.trainTestSplit(x, y, { testSize: 0.2 });
  const clean = xTest.data;
  const next = normals(99);
  const noisy = my.tensor2d(clean.map((v) => v + NOISE * next()), xTest.shape);

  // Predicting the mean training image for every digit: the error to beat.
  const meanImage = new Float32Array(64);
  for (let i = 0; i < xTrain.data.length; i++) meanImage[i % 64] += xTrain.data[i] / xTrain.shape[0];
  const baseline = meanSquaredError(clean, clean.map((_, i) => meanImage[i % 64]));

  const plain = buildAutoencoder();
  if (verbose) plain.model.summary(log);
  // The encoder: the autoencoder's first three layers. It shares their weights, so before training
  // its codes are those of random weights, and after, those of the weights training gave them.
  const encoder = my.model({ inputs: plain.x, outputs: plain.code, name: 'encoder' });
  const untrainedCodeAccuracy = await classifyCodes(encoder.predict(xTrain), yTrain, encoder.predict(xTest), yTest);
  await plain.model.fit(xTrain, xTrain, { epochs: 60, batchSize: 32, verbose: 0 });
  const codeAccuracy = await classifyCodes(encoder.predict(xTrain), yTrain, encoder.predict(xTest), yTest);

  const denoising = buildAutoencoder({ noise: NOISE });
  await denoising.model.fit(xTrain, xTrain, { epochs: 60, batchSize: 32, verbose: 0 });

  const result = {
    baseline,
    autoencoder: meanSquaredError(plain.model.predict(xTest).data, clean),
    noisyInput: meanSquaredError(noisy.data, clean),
    autoencoderOnNoisy: meanSquaredError(plain.model.predict(noisy).data, clean),
    denoisingOnNoisy: meanSquaredError(denoising.model.predict(noisy).data, clean),
    untrainedCodeAccuracy,
    codeAccuracy,
    models: { autoencoder: plain.model, encoder, denoising: denoising.model },
  };
  log(`Reconstruction error (MSE per pixel, ${xTest.shape[0]} held-out digits):`);
  log(`  the mean image for every digit      ${result.baseline.toFixed(4)}`);
  log(`  autoencoder, clean inputs           ${result.autoencoder.toFixed(4)}`);
  log(`  the noisy inputs themselves         ${result.noisyInput.toFixed(4)}  (Gaussian noise, stddev ${NOISE})`);
  log(`  autoencoder, noisy inputs           ${result.autoencoderOnNoisy.toFixed(4)}`);
  log(`  denoising autoencoder, noisy inputs ${result.denoisingOnNoisy.toFixed(4)}`);
  log(`A classifier of the encoder's ${CODE}-number codes, held-out accuracy:`);
  log(`  the encoder before training         ${result.untrainedCodeAccuracy.toFixed(4)}`);
  log(`  the trained encoder                 ${result.codeAccuracy.toFixed(4)}`);
  return result;
}

module.exports = { main };
if (require.main === module) {
  main().catch((error) => { console.error(error); process.exitCode = 1; });
}
