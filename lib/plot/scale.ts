/**
 * Linear axes with "nice" ticks (1, 2 or 5 times a power of ten), after Heckbert's "Nice numbers
 * for graph labels" (Graphics Gems, 1990), and tick labels with as many decimals as the step needs.
 */

export interface Axis {
  /** The data range the axis spans. */
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  /** The tick step, which sets how many decimals a label shows. */
  readonly step: number;
}

/** The nice number (1, 2, 5 x 10^k) nearest above `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Multiples of step in [min, max], computed from integers so 0.1 + 0.2 drift never shows. */
function multiples(min: number, max: number, step: number): number[] {
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => (first + i) * step);
}

/** A value axis over finite [lo, hi], widened to whole ticks; a flat range is padded around its value. */
export function valueAxis(lo: number, hi: number, targetTicks = 5): Axis {
  let [min, max] = [lo, hi];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    [min, max] = [min - pad, max + pad];
  }
  const step = niceStep((max - min) / targetTicks);
  const niceMin = Math.floor(min / step - 1e-9) * step;
  const niceMax = Math.ceil(max / step + 1e-9) * step;
  return { min: niceMin, max: niceMax, ticks: multiples(niceMin, niceMax, step), step };
}

/** An axis of whole numbers (epochs) spanning exactly [first, last]; a single value is centred. */
export function integerAxis(first: number, last: number, targetTicks = 8): Axis {
  if (first === last) return { min: first - 0.5, max: last + 0.5, ticks: [first], step: 1 };
  const step = Math.max(1, niceStep((last - first) / targetTicks));
  return { min: first, max: last, ticks: multiples(first, last, step), step };
}

/** A tick label: fixed decimals enough for the step, exponent notation for very large or small values. */
export function tickLabel(value: number, step: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || step < 1e-4) return value.toExponential(Math.max(0, Math.min(6, Math.ceil(Math.log10(magnitude / step)))));
  return value.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
}
