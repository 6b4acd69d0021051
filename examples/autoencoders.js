// An autoencoder and a denoising autoencoder on the 8x8 digits. Both squeeze 64 pixels through
// a 12-unit code and rebuild them; the denoising one sees its inputs with Gaussian noise added
// while training (a gaussianNoise layer, active only in training) and learns to rebuild the
// clean image. Reconstruction error is the mean squared error per pixel on held-out digits.
const my = require('myelin');

const NOISE = 0.3;

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

function buildAutoencoder(first) {
  const model = my.sequential([
    ...first,
    my.layers.dense({ units: 32, activation: 'relu' }),
    my.layers.dense({ units: 12, activation: 'relu' }),
    my.layers.dense({ units: 32, activation: 'relu' }),
    my.layers.dense({ units: 64, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 3e-3 }), loss: 'meanSquaredError' });
  return model;
}

async function main({ log = console.log } = {}) {
  my.seed(21);
  const { x, y } = my.data.loadDigits();
  const { xTrain, xTest } = my.data.trainTestSplit(x, y, { testSize: 0.2 });
  const clean = xTest.data;
  const next = normals(99);
  const noisy = my.tensor2d(clean.map((v) => v + NOISE * next()), xTest.shape);

  // Predicting the mean training image for every digit: the error to beat.
  const meanImage = new Float32Array(64);
  for (let i = 0; i < xTrain.data.length; i++) meanImage[i % 64] += xTrain.data[i] / xTrain.shape[0];
  const baseline = meanSquaredError(clean, clean.map((_, i) => meanImage[i % 64]));

  const plain = buildAutoencoder([my.layers.dense({ inputShape: [64], units: 48, activation: 'relu' })]);
  await plain.fit(xTrain, xTrain, { epochs: 60, batchSize: 32, verbose: 0 });
  const denoising = buildAutoencoder([
    my.layers.gaussianNoise({ inputShape: [64], stddev: NOISE }),
    my.layers.dense({ units: 48, activation: 'relu' }),
  ]);
  await denoising.fit(xTrain, xTrain, { epochs: 60, batchSize: 32, verbose: 0 });

  const result = {
    baseline,
    autoencoder: meanSquaredError(plain.predict(xTest).data, clean),
    noisyInput: meanSquaredError(noisy.data, clean),
    autoencoderOnNoisy: meanSquaredError(plain.predict(noisy).data, clean),
    denoisingOnNoisy: meanSquaredError(denoising.predict(noisy).data, clean),
  };
  log(`Reconstruction error (MSE per pixel, ${xTest.shape[0]} held-out digits):`);
  log(`  the mean image for every digit     ${result.baseline.toFixed(4)}`);
  log(`  autoencoder, clean inputs          ${result.autoencoder.toFixed(4)}`);
  log(`  the noisy inputs themselves         ${result.noisyInput.toFixed(4)}  (Gaussian noise, stddev ${NOISE})`);
  log(`  autoencoder, noisy inputs          ${result.autoencoderOnNoisy.toFixed(4)}`);
  log(`  denoising autoencoder, noisy inputs ${result.denoisingOnNoisy.toFixed(4)}`);
  return result;
}

module.exports = { main };
if (require.main === module) {
  main().catch((error) => { console.error(error); process.exitCode = 1; });
}
