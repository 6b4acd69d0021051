/**
 * Linear axes with "nice" ticks (1, 2 or 5 times a power of ten), after Heckbert's "Nice numbers
 * for graph labels" (Graphics Gems, 1990), logarithmic axes with ticks at powers of ten, and
 * tick labels with as many decimals as the step needs.
 */

export interface Axis {
  /** The data range the axis spans. */
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly number[];
  /** The tick step, which sets how many decimals a label shows (on a log axis: the smallest tick). */
  readonly step: number;
  /** A log axis places log10 of the values evenly: a loss falling from 1 to 0.001 takes three even steps. */
  readonly log?: boolean;
}

/** Where `value` sits on `axis`, from 0 (min) to 1 (max). */
export function axisFraction(axis: Axis, value: number): number {
  if (axis.log === true) return (Math.log10(value) - Math.log10(axis.min)) / (Math.log10(axis.max) - Math.log10(axis.min));
  return (value - axis.min) / (axis.max - axis.min);
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

/**
 * A value axis over finite [lo, hi], widened to whole ticks; a flat range is padded around its
 * value. The widening stops at 0 for values that are all >= 0 (a loss) and at 1 for values that
 * are all <= 1 (accuracies, AUC, precision): past them it would draw a scale no value reaches.
 */
export function valueAxis(lo: number, hi: number, targetTicks = 5): Axis {
  const axis = niceAxis(lo, hi, targetTicks);
  const min = lo >= 0 ? Math.max(0, axis.min) : axis.min;
  const max = hi <= 1 ? Math.min(1, axis.max) : axis.max;
  return { min, max, ticks: axis.ticks.filter((t) => t >= min - 1e-12 && t <= max + 1e-12), step: axis.step };
}

/**
 * A log axis over positive [lo, hi], from the power of ten at or below lo to the one at or above
 * hi, with a tick at each power (and at 2 and 5 times each when it spans one decade or less).
 */
export function logAxis(lo: number, hi: number): Axis {
  let first = Math.floor(Math.log10(lo) + 1e-9);
  let last = Math.ceil(Math.log10(hi) - 1e-9);
  if (first === last) [first, last] = [first, last + 1];
  // Parsed rather than computed: 10 ** -4 is 0.00009999999999999999.
  const powers = Array.from({ length: last - first + 1 }, (_, i) => Number(`1e${first + i}`));
  const ticks = last - first > 1 ? powers : powers.flatMap((p, i) => (i === powers.length - 1 ? [p] : [p, Number(`${2 * p}`), Number(`${5 * p}`)]));
  return { min: powers[0] as number, max: powers[powers.length - 1] as number, ticks, step: powers[0] as number, log: true };
}

function niceAxis(lo: number, hi: number, targetTicks: number): Axis {
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
