/**
 * The `myelin` command (bin/myelin.js): train, evaluate, predict, export-onnx and info, on
 * commander. Results go to stdout (JSON with --json), progress and notes to stderr; the exit
 * code is 0 on success, 1 on a failure while running, 2 on a usage error (see errors.ts).
 */
import { Command, Option } from 'commander';

import { version } from '../index';
import { EXIT_OK, outcomeOf } from './errors';
import { evaluate } from './evaluate';
import { exportOnnx } from './export-onnx';
import { info } from './info';
import { fraction, layerList, nameList, nonNegativeInteger, positiveInteger, positiveNumber } from './options';
import { output, type Output } from './output';
import { predict } from './predict';
import { DEFAULT_PATIENCE, train } from './train';

interface CommonOptions {
  json?: boolean;
  quiet?: boolean;
}

/** --json and --quiet, which every command takes. */
function withOutputOptions(command: Command): Command {
  return command.option('--json', 'print the result as JSON').option('-q, --quiet', 'print only the result: no progress or notes on stderr');
}

/** The options that say where the data and its labels are. */
function withDataOptions(command: Command, labels: 'required' | 'ignored'): Command {
  command
    .requiredOption('--data <file>', "CSV file (may be gzip-compressed; - reads standard input), IDX file ('idx' or 'ubyte' in its name), or a dataset myelin ships: digits, breast-cancer")
    .addOption(new Option('--header', "the CSV file's first line names the columns (default: told from that line)"))
    .addOption(new Option('--no-header', 'the CSV file has no header line'))
    .option('--skip-rows <n>', "lines to skip before the header or the data, e.g. 1 for scikit-learn's CSV exports (their first line holds rows, features and class names, which name the classes)", nonNegativeInteger);
  if (labels === 'required') {
    return command
      .option('--label-column <name|index>', 'the CSV column holding the labels, by header name or index from 0 (default: the last column)')
      .option('--labels <file>', 'IDX file of labels, one per sample of --data (for IDX data, or a CSV of features only)');
  }
  return command.option('--label-column <name|index>', 'a CSV column to ignore (the labels, if the file has them); otherwise every column is a feature');
}

function action<T>(run: (options: T, out: Output) => Promise<void>): (options: T & CommonOptions) => Promise<void> {
  return (options) => run(options, output(options.json === true, options.quiet === true));
}

function buildProgram(): Command {
  const program = new Command('myelin')
    .description('Train, evaluate and run myelin neural networks from the command line.')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');

  const trainCommand = withDataOptions(program.command('train').description('train an MLP on labelled data and save it'), 'required')
    .addOption(new Option('--layers <units>', 'hidden layer widths, comma-separated, or none').argParser(layerList).default([64], '64'))
    .option('--activation <name>', 'activation of the hidden layers', 'relu')
    .option('--loss <name>', 'loss (default: sparseCategoricalCrossentropy with a softmax output for class labels, meanSquaredError with a linear output otherwise)')
    .option('--metrics <names>', "metrics to report, comma-separated, or none (default: accuracy for class labels, mae otherwise)", nameList)
    .option('--optimizer <name>', 'optimizer: sgd, adagrad, adadelta, rmsprop, adam, adamax, nadam or adamw', 'adam')
    .option('--learning-rate <rate>', "the optimizer's learning rate (default: its Keras default)", positiveNumber)
    .option('--epochs <n>', 'epochs to train', positiveInteger, 10)
    .option('--batch-size <n>', 'samples per gradient step', positiveInteger, 32)
    .option('--validation-split <fraction>', 'fraction of the samples held out for validation, drawn at random (each class keeping its share for class labels)', fraction, 0)
    .option('--shuffle', 'reshuffle the training rows before each epoch (the default)')
    .option('--no-shuffle', "keep the training rows' order in every epoch")
    .option('--early-stopping [patience]', `stop when val_loss (loss without validation) has not improved for patience epochs (default ${DEFAULT_PATIENCE}), and keep the best epoch's weights`, positiveInteger)
    .option('--seed <n>', 'seed of the random generator (weights, validation split, shuffling), for a repeatable run', nonNegativeInteger)
    .option('--no-normalize', 'do not standardize the features (by default the model starts with a Normalization layer adapted to the training rows)')
    .option('--out <file>', 'where to save the trained model (required)')
    .option('--plot <file>', 'also draw the training curves: SVG, or PNG when the file ends in .png')
    .addHelpText('after', '\nExamples:\n  myelin train --data breast-cancer --layers 32 --epochs 50 --validation-split 0.2 --early-stopping --seed 1 --out cancer.myelin --plot cancer.svg\n  myelin train --data wine_data.csv --skip-rows 1 --layers 16 --epochs 40 --validation-split 0.2 --seed 1 --out wine.myelin');
  withOutputOptions(trainCommand).action(action(train));

  const evaluateCommand = withDataOptions(program.command('evaluate').description("a saved model's loss and metrics on labelled data"), 'required')
    .requiredOption('--model <file>', 'the saved model')
    .option('--batch-size <n>', 'samples per batch (memory, not the result)', positiveInteger, 256);
  withOutputOptions(evaluateCommand).action(action(evaluate));

  const predictCommand = withDataOptions(program.command('predict').description("a saved model's outputs for each sample, as CSV"), 'ignored')
    .requiredOption('--model <file>', 'the saved model')
    .option('--out <file>', 'write the predictions to this CSV file (default: stdout)')
    .option('--batch-size <n>', 'samples per batch (memory, not the result)', positiveInteger, 256);
  withOutputOptions(predictCommand).action(action(predict));

  const exportCommand = program
    .command('export-onnx')
    .description('write a saved model as an ONNX file')
    .requiredOption('--model <file>', 'the saved model')
    .requiredOption('--out <file>', 'the ONNX file to write');
  withOutputOptions(exportCommand).action(action(exportOnnx));

  const infoCommand = program.command('info').description("a saved model's topology, parameter count and format version").requiredOption('--model <file>', 'the saved model');
  withOutputOptions(infoCommand).action(action(info));

  return program;
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // `myelin predict ... | head` closes stdout early: that ends the output, not with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(EXIT_OK);
  });
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    const { code, message } = outcomeOf(error);
    if (message !== null) process.stderr.write(`error: ${message}\n`);
    return code;
  }
}
