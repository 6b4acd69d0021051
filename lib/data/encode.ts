/** Class indices to one-hot rows (tf.oneHot). */
import { ArgumentRangeError, ShapeError } from '../errors';
import { Tensor, toLabels, type LabelsLike } from '../tensor';
import { describe, positiveInteger } from '../validate';

/** [n] or [n, 1] class indices in [0, numClasses) -> [n, numClasses] rows of zeros with a 1 at the class. */
export function oneHot(labels: LabelsLike, numClasses: number): Tensor {
  const t = toLabels(labels, 'labels');
  const classes = positiveInteger(numClasses, 'numClasses');
  if (t.shape[1] !== 1) {
    throw new ShapeError({ argument: 'labels', expected: 'one class index per sample (shape [n] or [n, 1])', received: `shape [${t.shape.join(', ')}]` });
  }
  const out = new Float32Array(t.size * classes);
  t.data.forEach((c, i) => {
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new ArgumentRangeError({ argument: `labels[${i}]`, expected: `a class index from 0 to ${classes - 1}`, received: describe(c) });
    }
    out[i * classes + c] = 1;
  });
  return new Tensor(out, [t.size, classes]);
}
