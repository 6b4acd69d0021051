import { expect } from 'chai';

import * as my from '../../lib/index';

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];

function xorModel(): my.Sequential {
  const model = my.sequential([
    my.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }),
    my.layers.dense({ units: 1, activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  return model;
}

describe('training', () => {
  it('learns XOR to 100% with a fixed seed', async () => {
    my.seed(42);
    const model = xorModel();
    const history = await model.fit(XOR_X, XOR_Y, { epochs: 300, batchSize: 4, verbose: 0 });
    const predictions = model.predict(XOR_X).toArray().map(([p]) => ((p as number) > 0.5 ? 1 : 0));
    expect(predictions).to.deep.equal([0, 1, 1, 0]);
    expect(history.history['accuracy']?.at(-1)).to.equal(1);
    expect(history.history['loss']?.at(-1)).to.be.below(history.history['loss']?.[0] as number);
  });

  it('reaches at least 0.95 accuracy on the shipped digits, on a held-out 20%', async () => {
    my.seed(7);
    const { x, y } = my.data.loadDigits();
    const { xTrain, yTrain, xTest, yTest } = my.data.trainTestSplit(x, y, 0.2);
    const model = my.sequential([
      my.layers.dense({ inputShape: [64], units: 64, activation: 'relu' }),
      my.layers.dense({ units: 10, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(xTrain, yTrain, { epochs: 30, batchSize: 32, verbose: 0 });
    const { accuracy } = model.evaluate(xTest, yTest);
    expect(xTest.shape[0]).to.equal(Math.round(1797 * 0.2));
    expect(accuracy).to.be.at.least(0.95);
  });

  it('seed(n) twice gives bit-identical weights after training', async () => {
    const run = async (): Promise<Float32Array[]> => {
      my.seed(123);
      const model = xorModel();
      await model.fit(XOR_X, XOR_Y, { epochs: 20, batchSize: 2, verbose: 0 });
      return model.getWeights().map((w) => w.data);
    };
    const [a, b] = [await run(), await run()];
    a.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from((b[i] as Float32Array).buffer)), `weight ${i}`).to.equal(true));
  });

  it('reports loss, metrics and their val_ versions per epoch, and calls the callbacks', async () => {
    my.seed(1);
    const model = xorModel();
    const events: string[] = [];
    const history = await model.fit([...XOR_X, ...XOR_X], [...XOR_Y, ...XOR_Y], {
      epochs: 3,
      batchSize: 3,
      validationSplit: 0.25,
      verbose: 0,
      callbacks: { onEpochEnd: (epoch) => void events.push(`epoch ${epoch}`), onBatchEnd: (batch) => void events.push(`batch ${batch}`) },
    });
    expect(Object.keys(history.history).sort()).to.deep.equal(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.epoch).to.deep.equal([0, 1, 2]);
    expect(history.params).to.deep.include({ samples: 6, steps: 2 });
    expect(events.slice(0, 3)).to.deep.equal(['batch 0', 'batch 1', 'epoch 0']);
  });

  it('uses validationData when given, and stops when a callback sets stopTraining', async () => {
    const model = xorModel();
    const history = await model.fit(XOR_X, XOR_Y, {
      epochs: 10,
      verbose: 0,
      validationData: [XOR_X, XOR_Y],
      callbacks: { onEpochEnd: (epoch) => { if (epoch === 1) model.stopTraining = true; } },
    });
    expect(history.epoch).to.deep.equal([0, 1]);
    expect(history.history['val_loss']).to.have.length(2);
  });

  it('trains with sgd with momentum, with categorical labels, and with mean squared error', async () => {
    my.seed(3);
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 2, activation: 'softmax' })]);
    model.compile({ optimizer: my.optimizers.sgd({ learningRate: 0.5, momentum: 0.9 }), loss: 'categoricalCrossentropy', metrics: 'accuracy' });
    const x = [[1, 0], [0, 1], [2, 0], [0, 2]];
    const y = [[1, 0], [0, 1], [1, 0], [0, 1]];
    const before = model.evaluate(x, y).loss as number;
    await model.fit(x, y, { epochs: 20, batchSize: 4, verbose: 0 });
    expect(model.evaluate(x, y)).to.deep.include({ accuracy: 1 });
    expect(model.evaluate(x, y).loss).to.be.below(before);

    const regression = my.sequential([my.layers.dense({ inputShape: [1], units: 1 })]);
    regression.compile({ optimizer: my.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    await regression.fit([[0], [1], [2], [3]], [[1], [3], [5], [7]], { epochs: 300, batchSize: 4, verbose: 0 });
    expect(regression.predict([[4]]).data[0]).to.be.closeTo(9, 0.05);
  });

  it('yields to the event loop while fit runs (a timer keeps firing)', async () => {
    const model = xorModel();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await model.fit(XOR_X, XOR_Y, { epochs: 200, batchSize: 1, verbose: 0 });
    clearInterval(timer);
    expect(ticks).to.be.greaterThan(10);
  });

  it('prints one plain line per epoch with verbose 2', async () => {
    const model = xorModel();
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => lines.push(chunk) > 0) as unknown as typeof process.stdout.write;
    try {
      await model.fit(XOR_X, XOR_Y, { epochs: 2, batchSize: 2, verbose: 2 });
    } finally {
      process.stdout.write = write;
    }
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(/^Epoch 1\/2 - 2 steps - [\d.]+s - loss: [\d.]+ - accuracy: [\d.]+\n$/);
  });

  it('keeps the trained weights of earlier layers when a layer is added', async () => {
    const model = xorModel();
    await model.fit(XOR_X, XOR_Y, { epochs: 5, verbose: 0 });
    const before = model.getWeights();
    model.add(my.layers.dense({ units: 3 }));
    const after = model.getWeights();
    expect(after).to.have.length(6);
    before.forEach((w, i) => expect(Array.from((after[i] as my.Tensor).data)).to.deep.equal(Array.from(w.data)));
    expect(model.predict(XOR_X).shape).to.deep.equal([4, 3]);
  });

  it('summary() lists layers, output shapes and parameter counts', () => {
    const model = my.sequential([
      my.layers.dense({ inputShape: [784], units: 256, activation: 'relu', name: 'hidden' }),
      my.layers.dense({ units: 10, activation: 'softmax', useBias: false, name: 'out' }),
    ]);
    const lines: string[] = [];
    model.summary((line) => lines.push(line));
    const text = lines.join('\n');
    expect(text).to.match(/hidden \(Dense\)\s+\[null, 256\]\s+200960/);
    expect(text).to.match(/out \(Dense\)\s+\[null, 10\]\s+2560/);
    expect(text).to.contain('Total params: 203520');
    expect(model.countParams()).to.equal(203520);
  });

  it('backendInfo() names the ISA path and thread count; setNumThreads changes it', () => {
    const info = my.backendInfo();
    expect(info.supportedIsas).to.include(info.isa);
    expect(info.threads).to.be.within(1, info.maxThreads);
    my.setNumThreads(1);
    expect(my.backendInfo().threads).to.equal(1);
    my.setNumThreads(info.threads);
  });
});
