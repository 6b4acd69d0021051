/**
 * fit()'s progress on stderr, so that stdout carries only results: the progress bar on a
 * terminal, a line per epoch otherwise (lib/progress.ts draws both; fit itself writes to stdout).
 */
import { Callback, type Logs } from '../callbacks/callback';
import { ProgressReporter } from '../progress';

export class StderrProgress extends Callback {
  private reporter: ProgressReporter | null = null;
  private epoch = 0;
  private began = 0n;

  override onTrainBegin(): void {
    this.reporter = new ProgressReporter(process.stderr, this.params.epochs, this.params.steps, 1);
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.began = process.hrtime.bigint();
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    const { batch: _, size: __, ...running } = logs;
    this.reporter?.batchEnd(this.epoch, batch + 1, running);
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.reporter?.epochEnd(epoch, logs, Number(process.hrtime.bigint() - this.began) / 1e9);
  }
}
