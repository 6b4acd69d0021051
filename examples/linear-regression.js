// Linear regression as a one-layer network: a Dense unit with no activation and the squared
// error is ordinary least squares, fitted here by gradient descent on noisy samples of
// y = 2 x1 - 3 x2 + 0.5. The learned weights should come back close to (2, -3) and 0.5.
const my = require('myelin');

const TRUE_WEIGHTS = [2, -3];
const TRUE_BIAS = 0.5;

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so the data is the same everywhere. */
function uniforms(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function noisyLine(samples) {
  const next = uniforms(11);
  const x = [];
  const y = [];
  for (let i = 0; i < samples; i++) {
    const p = [4 * next() - 2, 4 * next() - 2];
    const noise = 0.2 * (next() + next() + next() - 1.5);
    x.push(p);
    y.push([TRUE_WEIGHTS[0] * p[0] + TRUE_WEIGHTS[1] * p[1] + TRUE_BIAS + noise]);
  }
  return { x, y };
}

async function main({ log = console.log } = {}) {
  my.seed(5);
  const { x, y } = noisyLine(500);
  const model = my.sequential([my.layers.dense({ inputShape: [2], units: 1 })]);
  model.compile({ optimizer: my.optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError', metrics: ['mae'] });
  await model.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0 });
  const [w, b] = model.getWeights().map((t) => Array.from(t.data));
  const { loss, mae } = model.evaluate(x, y);
  log(`Linear regression: y = ${w[0].toFixed(3)} x1 + ${w[1].toFixed(3)} x2 + ${b[0].toFixed(3)} ` +
    `(true: 2 x1 - 3 x2 + 0.5); mse ${loss.toFixed(4)}, mae ${mae.toFixed(4)}`);
  return { weights: [w[0], w[1]], bias: b[0], mse: loss };
}

module.exports = { main, TRUE_WEIGHTS, TRUE_BIAS };
if (require.main === module) {
  main().catch((error) => { console.error(error); process.exitCode = 1; });
}
