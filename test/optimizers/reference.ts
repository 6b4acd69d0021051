/**
 * Every optimizer's update written out in float64, literally as the Keras 3 source writes it
 * (keras/src/optimizers/*.py update_step), as the oracle for the native kernels. The kernels take
 * float32 hyperparameters, so the oracle starts from the same float32 values (1 - fround(0.999)
 * differs from 0.001 by 1e-5 relative, which the moments would show).
 */
export type OptimizerKind = 'sgd' | 'adagrad' | 'adadelta' | 'rmsprop' | 'adam' | 'adamax' | 'nadam' | 'adamw';

/** Every hyperparameter the kind needs, Keras defaults written out by the caller. */
export type Hyperparameters = Readonly<Record<string, number | boolean>>;

export class ReferenceOptimizer {
  private t = 0;
  private readonly slots: Float64Array[];
  private uProduct = 1;

  constructor(
    private readonly kind: OptimizerKind,
    private readonly hp: Hyperparameters,
    size: number,
  ) {
    const initial = kind === 'adagrad' ? this.num('initialAccumulatorValue') : 0;
    this.slots = [0, 1, 2].map(() => new Float64Array(size).fill(initial));
  }

  private num(name: string): number {
    const value = this.hp[name];
    if (typeof value !== 'number') throw new Error(`reference: no ${name} for ${this.kind}`);
    return Math.fround(value);
  }

  private flag(name: string): boolean {
    return this.hp[name] === true;
  }

  /** One update of p in place, with learning rate lr (from iterations = t before the step). */
  step(p: Float64Array, g: ArrayLike<number>, learningRate: number): void {
    this.t += 1;
    const t = this.t;
    const lr = Math.fround(learningRate);
    const [s0, s1, s2] = this.slots as [Float64Array, Float64Array, Float64Array];
    const n = p.length;
    const at = (a: Float64Array | ArrayLike<number>, i: number): number => a[i] as number;
    switch (this.kind) {
      case 'sgd': {
        const mu = this.num('momentum');
        for (let i = 0; i < n; i++) {
          const gi = at(g, i);
          if (mu === 0) {
            p[i] = at(p, i) - lr * gi;
            continue;
          }
          s0[i] = at(s0, i) * mu - gi * lr;
          p[i] = at(p, i) + (this.flag('nesterov') ? at(s0, i) * mu - gi * lr : at(s0, i));
        }
        return;
      }
      case 'adagrad': {
        const eps = this.num('epsilon');
        for (let i = 0; i < n; i++) {
          const gi = at(g, i);
          s0[i] = at(s0, i) + gi * gi;
          p[i] = at(p, i) - (lr * gi) / Math.sqrt(at(s0, i) + eps);
        }
        return;
      }
      case 'adadelta': {
        const [rho, eps] = [this.num('rho'), this.num('epsilon')];
        const rms = (x: number): number => Math.sqrt(x + eps);
        for (let i = 0; i < n; i++) {
          const gi = at(g, i);
          s0[i] = rho * at(s0, i) + (1 - rho) * gi * gi;
          const delta = -(rms(at(s1, i)) * gi) / rms(at(s0, i));
          s1[i] = rho * at(s1, i) + (1 - rho) * delta * delta;
          p[i] = at(p, i) + lr * delta;
        }
        return;
      }
      case 'rmsprop': {
        const [rho, mu, eps] = [this.num('rho'), this.num('momentum'), this.num('epsilon')];
        for (let i = 0; i < n; i++) {
          const gi = at(g, i);
          s0[i] = rho * at(s0, i) + (1 - rho) * gi * gi;
          let denominator = at(s0, i) + eps;
          if (this.flag('centered')) {
            s2[i] = rho * at(s2, i) + (1 - rho) * gi;
            denominator = at(s0, i) - at(s2, i) ** 2 + eps;
          }
          const increment = (lr * gi) / Math.sqrt(denominator);
          if (mu > 0) {
            s1[i] = mu * at(s1, i) + increment;
            p[i] = at(p, i) - at(s1, i);
          } else {
            p[i] = at(p, i) - increment;
          }
        }
        return;
      }
      case 'adam':
      case 'adamw': {
        const [b1, b2, eps] = [this.num('beta1'), this.num('beta2'), this.num('epsilon')];
        const wd = this.kind === 'adamw' ? this.num('weightDecay') : 0;
        const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
        for (let i = 0; i < n; i++) {
          const gi = at(g, i);
          p[i] = at(p, i) - at(p, i) * wd * lr;
          s0[i] = at(s0, i) + (gi - at(s0, i)) * (1 - b1);
          s1[i] = at(s1, i) + (gi * gi - at(s1, i)) * (1 - b2);
          let v = at(s1, i);
          if (this.flag('amsgrad')) {
            s2[i] = Math.max(at(s2, i), v);
            v = at(s2, i);
          }
          p[i] = at(p, i) - (at(s0, i) * alpha) / (Math.sqrt(v) + eps);
        }
        return;
      }
      case 'adamax': {
        const [b1, b2, eps] = [this.num('beta1'), this.num('beta2'), this.num('epsilon')];
        for (let i = 0; i < n; i++) {
          const gi = at(g, i);
          s0[i] = at(s0, i) + (gi - at(s0, i)) * (1 - b1);
          s1[i] = Math.max(b2 * at(s1, i), Math.abs(gi));
          p[i] = at(p, i) - (lr * at(s0, i)) / ((1 - b1 ** t) * (at(s1, i) + eps));
        }
        return;
      }
      case 'nadam': {
        const [b1, b2, eps] = [this.num('beta1'), this.num('beta2'), this.num('epsilon')];
        const uT = b1 * (1 - 0.5 * 0.96 ** t);
        const uNext = b1 * (1 - 0.5 * 0.96 ** (t + 1));
        this.uProduct *= uT;
        const uProductNext = this.uProduct * uNext;
        for (let i = 0; i < n; i++) {
          const gi = at(g, i);
          s0[i] = at(s0, i) + (gi - at(s0, i)) * (1 - b1);
          s1[i] = at(s1, i) + (gi * gi - at(s1, i)) * (1 - b2);
          const mHat = (uNext * at(s0, i)) / (1 - uProductNext) + ((1 - uT) * gi) / (1 - this.uProduct);
          const vHat = at(s1, i) / (1 - b2 ** t);
          p[i] = at(p, i) - (mHat * lr) / (Math.sqrt(vHat) + eps);
        }
        return;
      }
    }
  }
}
