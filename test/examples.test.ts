/**
 * Every example reaches its stated result with its fixed seed. The examples load myelin by its
 * package name, which resolves to the compiled dist/ (npm test builds it first), so this checks
 * what a user runs. The Fashion-MNIST ones (fashion-mnist.js, residual-mlp.js) are the exception:
 * they train on 60000 images from a Debian package, so they run in CI as `npm run
 * test:integration`, not here.
 */
import { expect } from 'chai';

type Main = (options: { log: (line: string) => void; verbose?: 0 }) => Promise<Record<string, unknown>>;

function example(name: string): Main {
  return (require(`../examples/${name}.js`) as { main: Main }).main;
}

const quiet = { log: (): void => {}, verbose: 0 as const };

describe('examples', function () {
  this.timeout(120_000);

  it('perceptron: a sign unit separates a linearly separable set without error', async () => {
    const { errors, epochs } = await example('perceptron')(quiet);
    expect(errors).to.equal(0);
    expect(epochs).to.be.below(100);
  });

  it('xor: a 2-2-1 sigmoid network learns XOR', async () => {
    const { predictions } = await example('xor')(quiet);
    expect(predictions).to.deep.equal([0, 1, 1, 0]);
  });

  it('half-adder: the 2-3-2 sigmoid network learns (0,0)->(0,0), (0,1)->(0,1), (1,0)->(0,1), (1,1)->(1,0)', async () => {
    const { correct } = await example('half-adder')(quiet);
    expect(correct).to.equal(true);
  });

  it('linear regression: one linear unit recovers y = 2 x1 - 3 x2 + 0.5 from noisy samples', async () => {
    const { weights, bias, mse } = (await example('linear-regression')(quiet)) as { weights: number[]; bias: number; mse: number };
    expect(weights[0]).to.be.closeTo(2, 0.05);
    expect(weights[1]).to.be.closeTo(-3, 0.05);
    expect(bias).to.be.closeTo(0.5, 0.05);
    expect(mse).to.be.below(0.02); // the noise's own variance is about 0.01
  });

  it('logistic regression: one sigmoid unit classifies held-out tumours with accuracy >= 0.93', async () => {
    const { accuracy, auc } = (await example('logistic-regression')(quiet)) as { accuracy: number; auc: number };
    expect(accuracy).to.be.at.least(0.93);
    expect(auc).to.be.at.least(0.97);
  });

  it('digits: the demo MLP reaches >= 0.95 held-out accuracy', async () => {
    const { accuracy } = (await example('digits')(quiet)) as { accuracy: number };
    expect(accuracy).to.be.at.least(0.95);
  });

  it('autoencoders: reconstructions beat the mean image, and the denoising one cleans noisy digits', async () => {
    const r = (await example('autoencoders')(quiet)) as Record<string, number>;
    expect(r['autoencoder']).to.be.below(0.5 * (r['baseline'] as number));
    expect(r['denoisingOnNoisy']).to.be.below(0.5 * (r['noisyInput'] as number));
    expect(r['denoisingOnNoisy']).to.be.below(r['autoencoderOnNoisy'] as number);
    // The encoder cut from the trained autoencoder: its codes classify the digits (about 0.94),
    // far better than the codes it gave before training (random weights: about 0.6-0.7).
    expect(r['codeAccuracy']).to.be.at.least(0.88);
    expect(r['codeAccuracy']).to.be.above((r['untrainedCodeAccuracy'] as number) + 0.1);
  });

  it('two heads: one trunk names the digit (accuracy >= 0.93) and rebuilds its pixels (a quarter of the mean image\'s error)', async () => {
    const r = (await example('two-heads')(quiet)) as { accuracy: number; reconstructionError: number; meanImageError: number; logs: Record<string, number> };
    expect(r.accuracy).to.be.at.least(0.93);
    expect(r.reconstructionError).to.be.below(0.25 * r.meanImageError);
    expect(Object.keys(r.logs)).to.have.members(['loss', 'class_loss', 'class_accuracy', 'reconstruction_loss', 'reconstruction_mae']);
    // The reconstruction head's loss is the MSE per pixel of what predict() gives for that output.
    expect(r.logs['reconstruction_loss']).to.be.closeTo(r.reconstructionError, 1e-5);
    // The logged loss is the weighted sum: class 1, reconstruction 10.
    expect(r.logs['loss']).to.be.closeTo((r.logs['class_loss'] as number) + 10 * (r.logs['reconstruction_loss'] as number), 1e-4);
  });

  it('wide and deep: raw features concatenated to a deep branch classify held-out tumours with accuracy >= 0.93', async () => {
    const r = (await example('wide-and-deep')(quiet)) as Record<string, number>;
    expect(r['accuracy']).to.be.at.least(0.93);
    expect(r['auc']).to.be.at.least(0.97);
    expect(r['deepAccuracy']).to.be.at.least(0.9);
  });
});
