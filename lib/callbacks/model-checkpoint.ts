/**
 * modelCheckpoint, as keras.callbacks.ModelCheckpoint: saves the model at the end of every
 * `everyEpochs`-th epoch (or only when the monitored value improves, with saveBestOnly) to a
 * path that may name the epoch and logged values, e.g. 'ckpt-{epoch:03d}-{val_loss:.4f}.myelin'
 * ({epoch} counts from 1, as Keras's). A full checkpoint holds the optimizer's state, the global
 * random generator's state and the next epoch, so loadCheckpoint() resumes the run exactly;
 * saveWeightsOnly writes the topology and weights alone (loadModel gives an uncompiled model).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { atomicWrite } from '../io/atomic-write';
import { encodeModel } from '../io/model-file';
import { globalRandom } from '../random';
import { boolean, describe, knownOptions, plainObject, positiveInteger } from '../validate';
import { Callback, type Logs } from './callback';
import { monitoredValue, monitorOptions, say, verboseOption, type MonitorMode } from './monitor';

export interface ModelCheckpointConfig {
  /** Where to save; '{epoch}', '{name}' (a logged value) and formats such as '{epoch:02d}' or '{val_loss:.4f}' are filled in. */
  path: string;
  /** The logged value saveBestOnly watches (default 'val_loss'). */
  monitor?: string;
  /** 'min', 'max', or 'auto' (default): max for accuracy-like names, min otherwise. */
  mode?: MonitorMode;
  /** Save only when the monitored value is the best so far (default false). */
  saveBestOnly?: boolean;
  /** Save the topology and weights only: no compile config, optimizer or resume state (default false). */
  saveWeightsOnly?: boolean;
  /** Save after every n-th epoch, counting from the first of the run's epoch indices (default 1). */
  everyEpochs?: number;
  /** 1 prints a line for each save (default 0). */
  verbose?: 0 | 1;
}

const NAME = 'modelCheckpoint';

/** One '{name}' or '{name:format}' field of the path. */
const FIELD = /\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;
/** The formats understood: Python's '05d' / 'd' for integers, '.4f' and '.3e' for numbers. */
const FORMAT = /^(?:(0?)(\d*)d|\.(\d{1,2})([fe]))$/;

function checkTemplate(value: unknown): string {
  if (typeof value !== 'string') throw new ArgumentTypeError({ argument: `${NAME} path`, expected: 'a file path (string)', received: describe(value) });
  if (value.length === 0) throw new ArgumentRangeError({ argument: `${NAME} path`, expected: 'a non-empty file path', received: "'' (string)" });
  for (const [, , format] of value.matchAll(FIELD)) {
    if (format !== undefined && !FORMAT.test(format)) {
      throw new ArgumentRangeError({ argument: `${NAME} path`, expected: "fields such as '{epoch}', '{epoch:03d}' or '{val_loss:.4f}'", received: `the format ':${format}'` });
    }
  }
  return value;
}

function formatValue(value: number, format: string | undefined): string {
  const match = format === undefined ? null : FORMAT.exec(format);
  if (match === null) return String(value);
  const [, zero, width, digits, kind] = match;
  if (digits !== undefined) return kind === 'f' ? value.toFixed(Number(digits)) : value.toExponential(Number(digits));
  return String(Math.round(value)).padStart(Number(width || 0), zero === '0' ? '0' : ' ');
}

export class ModelCheckpoint extends Callback {
  readonly path: string;
  readonly monitor: string;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly everyEpochs: number;
  private readonly higherIsBetter: boolean;
  private readonly verbose: boolean;
  /** The best monitored value saved so far (saveBestOnly), or null before the first. */
  best: number | null = null;

  constructor(config: ModelCheckpointConfig) {
    super();
    const options = plainObject(config, `${NAME} config`);
    knownOptions(options, `${NAME} config`, ['path', 'monitor', 'mode', 'saveBestOnly', 'saveWeightsOnly', 'everyEpochs', 'verbose']);
    this.path = checkTemplate(options['path']);
    ({ monitor: this.monitor, higherIsBetter: this.higherIsBetter } = monitorOptions(options, NAME));
    this.saveBestOnly = boolean(options['saveBestOnly'] ?? false, `${NAME} saveBestOnly`);
    this.saveWeightsOnly = boolean(options['saveWeightsOnly'] ?? false, `${NAME} saveWeightsOnly`);
    this.everyEpochs = positiveInteger(options['everyEpochs'] ?? 1, `${NAME} everyEpochs`);
    this.verbose = verboseOption(options['verbose'], NAME);
  }

  /** The path for this epoch: fields filled from the 1-based epoch and the epoch's logs. */
  filePath(epoch: number, logs: Logs): string {
    return this.path.replace(FIELD, (_, name: string, format: string | undefined) => {
      const value = name === 'epoch' ? epoch + 1 : logs[name];
      if (value === undefined) {
        throw new ArgumentRangeError({ argument: `${NAME} path`, expected: `fields among 'epoch', ${Object.keys(logs).map((k) => `'${k}'`).join(', ')}`, received: `'{${name}}'` });
      }
      return formatValue(value, format);
    });
  }

  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if ((epoch + 1) % this.everyEpochs !== 0) return;
    if (this.saveBestOnly) {
      const value = monitoredValue(logs, this.monitor, NAME);
      const improved = this.best === null ? Number.isFinite(value) : this.higherIsBetter ? value > this.best : value < this.best;
      if (!improved) return;
      this.best = value;
    }
    const file = this.filePath(epoch, logs);
    await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
    // Taken now, between epochs: the next epoch's shuffle is the first draw a resumed run makes.
    const training = this.saveWeightsOnly ? null : { nextEpoch: epoch + 1, random: globalRandom.getState() };
    await atomicWrite(file, encodeModel(this.model, { includeOptimizer: !this.saveWeightsOnly, withCompile: !this.saveWeightsOnly }, training));
    say(this.verbose, `Epoch ${epoch + 1}: saved the model to ${file}`);
  }
}

export function modelCheckpoint(config: ModelCheckpointConfig): ModelCheckpoint {
  return new ModelCheckpoint(config);
}
