// Printing only: a fixed-width table by default, one JSON object per line with --json.
// Rows are printed as soon as they are measured so a long run shows progress; the table and
// the JSON carry the same fields. In JSON mode notices go to stderr so stdout stays JSONL.

import type { Impl } from './trials';

/** What the run was measured on; the first line of output. */
export interface Header {
  readonly kind: 'header';
  readonly date: string;
  readonly cpu: string;
  readonly logicalCpus: number;
  readonly cpuFlags: readonly string[];
  readonly node: string;
  /** myelin's backendInfo(), or null when myelin could not be loaded (see myelinError). */
  readonly myelin: { isa: string; threads: number; maxThreads: number; supportedIsas: readonly string[]; version: string } | null;
  /** First line of the loader's error; the whole message is printed once as a notice. */
  readonly myelinError: string | null;
  readonly tfjs: string | null;
}

/** One measured figure; `vs` maps an earlier runner's label to value / that runner's value. */
export interface Row {
  readonly kind: 'gemm' | 'training' | 'step' | 'inference';
  readonly trial: string;
  readonly shape: string;
  /** A runner's implementation, or a peer of one suite (bench/peers/onnxruntime.ts, bench/peers/torch_mlp.py). */
  readonly impl: Impl | 'onnxruntime' | 'pytorch';
  readonly threads: number;
  readonly isa: string;
  readonly value: number;
  readonly unit: 'GFLOP/s' | 'samples/s' | 'us/step' | 'us';
  readonly vs: Readonly<Record<string, number>>;
  /** False when the sanity check failed (wrong GEMM entries, non-finite loss): the figure means nothing. */
  readonly ok: boolean;
  readonly note: string;
  /** Named figures behind the note, for tools reading --json. */
  readonly extra?: Readonly<Record<string, number>>;
}

const columns = [
  { title: 'trial', width: 19 },
  { title: 'shape', width: 30 },
  { title: 'impl', width: 10 },
  { title: 'thr', width: 4 },
  { title: 'isa', width: 10 },
  { title: 'value', width: 10, right: true },
  { title: 'unit', width: 10 },
  { title: 'ratio', width: 52 },
  { title: 'ok', width: 3 },
  { title: 'note', width: 0 },
] as const;

function cell(text: string, width: number, right = false): string {
  if (width === 0) return text;
  return right ? text.padStart(width) : text.padEnd(width);
}

function formatValue(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function formatRatios(vs: Readonly<Record<string, number>>): string {
  return Object.entries(vs)
    .map(([label, ratio]) => `${ratio.toFixed(2)}x ${label}`)
    .join(', ');
}

export class Reporter {
  private tableHeadPrinted = new Set<string>();
  /** Rows whose sanity check failed; run.ts turns this into the exit code. */
  failures = 0;

  constructor(private readonly json: boolean) {}

  header(h: Header): void {
    if (this.json) {
      console.log(JSON.stringify(h));
      return;
    }
    const flags = h.cpuFlags.length > 0 ? `, ${h.cpuFlags.join(' ')}` : '';
    const myelin = h.myelin
      ? `myelin ${h.myelin.version} isa=${h.myelin.isa} (of ${h.myelin.supportedIsas.join(',')}) threads=${h.myelin.threads}/${h.myelin.maxThreads}`
      : `myelin unavailable (${h.myelinError ?? 'unknown error'})`;
    const tfjs = h.tfjs === null ? '' : ` | tfjs ${h.tfjs}`;
    console.log(`# ${h.date} | ${h.cpu} (${h.logicalCpus} logical CPUs${flags}) | node ${h.node} | ${myelin}${tfjs}`);
  }

  row(r: Row): void {
    if (!r.ok) this.failures++;
    if (this.json) {
      console.log(JSON.stringify(r));
      return;
    }
    if (!this.tableHeadPrinted.has(r.kind)) {
      this.tableHeadPrinted.add(r.kind);
      console.log(`\n## ${r.kind}`);
      console.log(columns.map((c) => cell(c.title, c.width, 'right' in c)).join(' ').trimEnd());
    }
    const cells = [
      r.trial,
      r.shape,
      r.impl,
      String(r.threads),
      r.isa,
      formatValue(r.value),
      r.unit,
      formatRatios(r.vs),
      r.ok ? 'ok' : 'NO',
      r.note,
    ];
    console.log(
      columns
        .map((c, i) => cell(cells[i] ?? '', c.width, 'right' in c))
        .join(' ')
        .trimEnd(),
    );
  }

  /** Something skipped or worth knowing that is not a measurement. */
  notice(message: string): void {
    if (this.json) console.error(message);
    else console.log(`! ${message}`);
  }
}
