// The 2-3-2 sigmoid network of the classic textbook exercise: two inputs, three hidden units,
// two outputs, learning (0,0)->(0,0), (0,1)->(0,1), (1,0)->(0,1), (1,1)->(1,0): the carry and
// the sum of a one-bit adder. The sum is XOR, so the hidden layer is needed.
const my = require('myelin');

const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const y = [[0, 0], [0, 1], [0, 1], [1, 0]];

async function main({ log = console.log } = {}) {
  my.seed(3);
  const model = my.sequential([
    my.layers.dense({ inputShape: [2], units: 3, activation: 'sigmoid' }),
    my.layers.dense({ units: 2, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy' });
  const history = await model.fit(x, y, { epochs: 1500, batchSize: 4, verbose: 0 });
  const outputs = model.predict(x).toArray();
  const rounded = outputs.map((row) => row.map((v) => (v > 0.5 ? 1 : 0)));
  const correct = rounded.every((row, i) => row[0] === y[i][0] && row[1] === y[i][1]);
  x.forEach((input, i) => log(`(${input}) -> (${outputs[i].map((v) => v.toFixed(3))}), rounded (${rounded[i]}), expected (${y[i]})`));
  const loss = history.history.loss[history.history.loss.length - 1];
  log(`2-3-2 network: ${correct ? 'all four patterns learned' : 'NOT learned'}, final loss ${loss.toFixed(4)}`);
  return { correct, loss };
}

module.exports = { main };
if (require.main === module) {
  main().then(({ correct }) => { if (!correct) process.exitCode = 1; }, (error) => { console.error(error); process.exitCode = 1; });
}
