// Entry point of `npm run bench`: parses flags, loads myelin, runs the selected suites and
// prints a table (or JSON lines). Exits 1 when myelin could not be loaded or a sanity check
// failed (the peers' rows are still printed), 2 on a usage error.
//
//   npm run bench                      both suites, table
//   npm run bench -- --json            one JSON object per line: the header, then each row
//   npm run bench -- --only step       one suite (gemm | training | step | inference)

import { runGemmSuite } from './gemm';
import { runOverheadSuite } from './overhead';
import { runInferenceSuite } from './inference';
import { startBench } from './start';
import { runStepSuite } from './step';
import { runTrainingSuite } from './training';
import { gemmRunners, gemmTrials, overheadTrials, stepThreads, stepTrial, trainingRunners, trainingTrials } from './trials';

const suites = ['gemm', 'training', 'step', 'inference'] as const;
type Suite = (typeof suites)[number];

interface Options {
  readonly json: boolean;
  readonly only: readonly Suite[];
}

const usage = 'Usage: npm run bench -- [--json] [--only gemm|training|step|inference]';

function isSuite(s: string): s is Suite {
  return (suites as readonly string[]).includes(s);
}

function parseArgs(argv: readonly string[]): Options {
  let json = false;
  let only: Suite[] = [...suites];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--json') {
      json = true;
    } else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (value === undefined || !isSuite(value)) {
        throw new RangeError(`Expected gemm, training, step or inference for --only but received ${value ?? 'nothing'}. ${usage}`);
      }
      only = [value];
    } else if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else {
      throw new RangeError(`Unknown option "${arg}". ${usage}`);
    }
  }
  return { json, only };
}

async function main(): Promise<void> {
  const started = startBench(parseArgs);
  if (started === null) return;
  const { options, reporter, myelin } = started;
  if (typeof myelin === 'string') reporter.notice(`myelin's rows are skipped:\n${myelin}`);

  if (options.only.includes('gemm')) runGemmSuite(gemmTrials, gemmRunners, myelin, reporter);
  if (options.only.includes('training')) await runTrainingSuite(trainingTrials, trainingRunners, myelin, reporter);
  if (options.only.includes('step')) {
    await runStepSuite(stepTrial, stepThreads, myelin, reporter);
    if (typeof myelin !== 'string') await runOverheadSuite(overheadTrials, stepThreads, myelin, reporter);
  }
  if (options.only.includes('inference')) await runInferenceSuite(stepTrial, stepThreads, myelin, reporter);
  // A bench that could not measure myelin, or measured a wrong result, must not look green.
  if (reporter.failures > 0 || typeof myelin === 'string') process.exitCode = 1;
}

// `npm run bench -- --json | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
