// What the numbers were measured on, for the header line: a figure without its CPU, Node
// version and myelin's ISA path and thread count cannot be compared with another run's.

import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { MyelinHandle } from './myelin';
import type { Header } from './report';

// The SIMD levels that decide which GEMM micro-kernel can run.
const interestingFlags = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512vl', 'avx512bw', 'asimd'];

function cpuModelAndFlags(): { model: string; flags: string[] } {
  let model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  let flags: string[] = [];
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const modelLine = /^model name\s*:\s*(.+)$/m.exec(info);
    if (modelLine?.[1] !== undefined) model = modelLine[1].trim();
    const flagLine = /^(?:flags|Features)\s*:\s*(.+)$/m.exec(info);
    const present = new Set((flagLine?.[1] ?? '').split(/\s+/));
    flags = interestingFlags.filter((f) => present.has(f));
  } catch {
    // Not Linux: os.cpus() still names the model; the flags stay unknown.
  }
  return { model, flags };
}

function packageVersion(name: string): string | null {
  try {
    const pkg: unknown = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
    const version = (pkg as { version?: unknown }).version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

export function describeMachine(myelin: MyelinHandle | string): Header {
  const { model, flags } = cpuModelAndFlags();
  return {
    kind: 'header',
    date: new Date().toISOString(),
    cpu: model,
    logicalCpus: cpus().length,
    cpuFlags: flags,
    node: process.version,
    myelin: typeof myelin === 'string' ? null : { ...myelin.my.backendInfo() },
    myelinError: typeof myelin === 'string' ? (myelin.split('\n')[0] ?? myelin) : null,
    tfjs: packageVersion('@tensorflow/tfjs'),
  };
}
