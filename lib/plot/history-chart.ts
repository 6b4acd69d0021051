/**
 * Training curves as SVG: one panel per quantity (loss, each metric, lr when logged), the
 * training series solid and the validation series (val_ keys) dashed, per epoch, with axes,
 * ticks, labels and a legend. Non-finite values (a diverged loss) leave gaps; a single epoch
 * shows as markers. A quantity whose values all lie in [0, 1] (accuracy) gets an axis that stops
 * at 1; logScale puts the loss (or the quantities named) on a log axis, where a loss that falls
 * from 1 to 0.001 stays readable instead of flat against 0.
 */
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { boolean, describe, knownOptions, plainObject, positiveInteger } from '../validate';
import { axisFraction, integerAxis, logAxis, tickLabel, valueAxis, type Axis } from './scale';
import { element, num, svgDocument, text } from './svg';

export interface PlotOptions {
  /** A heading above the panels. */
  title?: string;
  /** The image's width in pixels (default 460 a panel, two panels a row); the panels share it. */
  width?: number;
  /** The image's height in pixels (default 300 a row of panels, and 34 for a title). */
  height?: number;
  /** true: the loss (and val_loss) on a log axis; or the names of the quantities to draw so (['loss', 'mse']). Default false. */
  logScale?: boolean | readonly string[];
}

/** What the chart reads: History's fields. */
export interface HistoryData {
  readonly epoch: readonly number[];
  readonly history: Readonly<Record<string, readonly number[]>>;
}

interface Series {
  /** The key in history, e.g. 'val_loss'. */
  readonly key: string;
  readonly label: 'training' | 'validation';
  readonly values: readonly number[];
}

interface Panel {
  readonly quantity: string;
  readonly series: readonly Series[];
  /** Drawn on a log axis, where values <= 0 cannot go. */
  readonly log: boolean;
}

/** The options, checked; sizes are checked once the panels are known (checkSize). */
interface Options {
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
  readonly logScale: readonly string[];
}

const PANEL_WIDTH = 460;
const PANEL_HEIGHT = 300;
/** The smallest panel that still holds its margins, ticks and legend. */
const MIN_PANEL = { width: 200, height: 150 };
const MAX_SIZE = 16384;
const MARGIN = { left: 66, right: 18, top: 36, bottom: 46 };
const COLUMNS = 2;
const TITLE_HEIGHT = 34;
/** Up to this many epochs every point gets a marker; beyond, only points without a neighbour. */
const MARKERS_UP_TO = 60;
const styles = {
  training: { stroke: '#1f77b4', dash: undefined },
  validation: { stroke: '#e3711b', dash: '6 4' },
} as const;

/** Quantities in the order they were logged; each val_ key joins the quantity it validates. */
function panels(history: HistoryData['history'], logScale: readonly string[]): Panel[] {
  const keys = Object.keys(history);
  const quantities = keys.filter((k) => !k.startsWith('val_') || !keys.includes(k.slice(4)));
  return quantities.map((quantity) => {
    const series: Series[] = [{ key: quantity, label: quantity.startsWith('val_') ? 'validation' : 'training', values: history[quantity] ?? [] }];
    const validation = history[`val_${quantity}`];
    if (validation !== undefined) series.push({ key: `val_${quantity}`, label: 'validation', values: validation });
    return { quantity, series, log: logScale.includes(quantity) };
  });
}

/** Whether a value can be drawn: finite, and positive on a log axis. */
function drawable(value: number, log: boolean): boolean {
  return Number.isFinite(value) && (!log || value > 0);
}

/** Runs of consecutive drawable points, as [epoch, value] pairs: any other value breaks the line. */
function segments(epochs: readonly number[], values: readonly number[], log: boolean): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  values.forEach((value, i) => {
    const epoch = epochs[i];
    if (epoch !== undefined && drawable(value, log)) {
      run.push([epoch, value]);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

function drawableRange(panel: Panel): [number, number] | null {
  const values = panel.series.flatMap((s) => s.values.filter((v) => drawable(v, panel.log)));
  return values.length === 0 ? null : [Math.min(...values), Math.max(...values)];
}

function renderPanel(panel: Panel, epochs: readonly number[], ox: number, oy: number, size: { width: number; height: number }): string {
  const w = size.width - MARGIN.left - MARGIN.right;
  const h = size.height - MARGIN.top - MARGIN.bottom;
  const left = ox + MARGIN.left;
  const top = oy + MARGIN.top;
  // Epochs are shown from 1, as fit's progress lines count them.
  const shown = epochs.map((e) => e + 1);
  const xAxis = integerAxis(shown[0] ?? 1, shown[shown.length - 1] ?? 1);
  const range = drawableRange(panel);
  const yAxis: Axis = panel.log ? logAxis(...(range ?? [1, 10])) : valueAxis(...(range ?? [0, 1]));
  const px = (x: number): number => left + axisFraction(xAxis, x) * w;
  const py = (y: number): number => top + h - axisFraction(yAxis, y) * h;

  const parts: string[] = [];
  parts.push(element('text', { x: left, y: oy + 22, 'font-size': 14, 'font-weight': 'bold' }, text(panel.log ? `${panel.quantity} (log scale)` : panel.quantity)));
  for (const tick of yAxis.ticks) {
    parts.push(element('line', { x1: left, y1: py(tick), x2: left + w, y2: py(tick), stroke: '#e4e4e4' }));
    parts.push(element('text', { x: left - 6, y: py(tick) + 4, 'text-anchor': 'end', fill: '#444' }, text(tickLabel(tick, yAxis.log === true ? tick : yAxis.step))));
  }
  for (const tick of xAxis.ticks) {
    parts.push(element('line', { x1: px(tick), y1: top + h, x2: px(tick), y2: top + h + 5, stroke: '#444' }));
    parts.push(element('text', { x: px(tick), y: top + h + 18, 'text-anchor': 'middle', fill: '#444' }, text(tickLabel(tick, xAxis.step))));
  }
  parts.push(element('path', { d: `M${num(left)},${num(top)}V${num(top + h)}H${num(left + w)}`, fill: 'none', stroke: '#444', class: 'axes' }));
  parts.push(element('text', { x: left + w / 2, y: top + h + 38, 'text-anchor': 'middle' }, text('epoch')));
  const yLabelX = ox + 16;
  const yLabelY = top + h / 2;
  parts.push(element('text', { x: yLabelX, y: yLabelY, 'text-anchor': 'middle', transform: `rotate(-90 ${num(yLabelX)} ${num(yLabelY)})` }, text(panel.quantity)));
  if (range === null) {
    parts.push(element('text', { x: left + w / 2, y: top + h / 2, 'text-anchor': 'middle', fill: '#a00' }, text(panel.log ? 'no finite values above 0' : 'no finite values')));
  }

  for (const series of panel.series) {
    const style = styles[series.label];
    const runs = segments(shown, series.values, panel.log);
    for (const run of runs) {
      if (run.length > 1) {
        const points = run.map(([x, y]) => `${num(px(x))},${num(py(y))}`).join(' ');
        parts.push(element('polyline', { points, fill: 'none', stroke: style.stroke, 'stroke-width': 2, 'stroke-dasharray': style.dash, 'data-series': series.key }));
      }
      if (run.length === 1 || series.values.length <= MARKERS_UP_TO) {
        for (const [x, y] of run) {
          parts.push(element('circle', { cx: px(x), cy: py(y), r: 3, fill: style.stroke, 'data-series': series.key }, element('title', {}, text(`${series.key} at epoch ${x}: ${y}`))));
        }
      }
    }
  }

  // The legend sits in the title row, right-aligned, so it never covers a curve.
  const legendWidth = (series: Series): number => 30 + series.label.length * 7 + 14;
  let lx = ox + size.width - MARGIN.right - panel.series.reduce((sum, s) => sum + legendWidth(s), 0);
  for (const series of panel.series) {
    const style = styles[series.label];
    parts.push(element('line', { x1: lx, y1: oy + 18, x2: lx + 24, y2: oy + 18, stroke: style.stroke, 'stroke-width': 2, 'stroke-dasharray': style.dash }));
    parts.push(element('text', { x: lx + 30, y: oy + 22, class: 'legend' }, text(series.label)));
    lx += legendWidth(series);
  }
  return element('g', { class: 'panel', 'data-quantity': panel.quantity }, ...parts);
}

/** logScale as the names of the quantities on a log axis. */
function logScaleOption(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return boolean(value, 'logScale') ? ['loss'] : [];
  return value.map((name: unknown, i) => {
    if (typeof name !== 'string') throw new ArgumentTypeError({ argument: `logScale[${i}]`, expected: 'the name of a logged quantity', received: describe(name) });
    return name;
  });
}

function plotOptions(value: unknown): Options {
  const options = value === undefined ? {} : plainObject(value, 'plot options');
  knownOptions(options, 'plot options', ['title', 'width', 'height', 'logScale']);
  const { title, width, height } = options;
  if (title !== undefined && typeof title !== 'string') throw new ArgumentTypeError({ argument: 'title', expected: 'a string', received: describe(title) });
  return {
    ...(title === undefined ? {} : { title }),
    ...(width === undefined ? {} : { width: positiveInteger(width, 'width') }),
    ...(height === undefined ? {} : { height: positiveInteger(height, 'height') }),
    logScale: logScaleOption(options['logScale']),
  };
}

/** A size given for `count` panels of at least `least` pixels (and `extra` besides), or the default. */
function checkSize(value: number | undefined, argument: string, count: number, least: number, extra: number, standard: number): number {
  if (value === undefined) return standard;
  const min = count * least + extra;
  if (value < min || value > MAX_SIZE) {
    const why = `${count} panel${count === 1 ? '' : 's'} of at least ${least}${extra > 0 ? ` and ${extra} for the title` : ''}`;
    throw new ArgumentRangeError({ argument, expected: `an integer from ${min} to ${MAX_SIZE} (${why})`, received: describe(value) });
  }
  return value;
}

/** The SVG document of a History's curves. */
export function historyToSvg(data: HistoryData, args?: PlotOptions): string {
  const options = plotOptions(args);
  const all = panels(data.history, options.logScale);
  const columns = Math.max(1, Math.min(COLUMNS, all.length));
  const rows = Math.max(1, Math.ceil(all.length / columns));
  const header = options.title === undefined ? 0 : TITLE_HEIGHT;
  const width = checkSize(options.width, 'width', columns, MIN_PANEL.width, 0, columns * PANEL_WIDTH);
  const height = checkSize(options.height, 'height', rows, MIN_PANEL.height, header, header + rows * PANEL_HEIGHT);
  const size = { width: width / columns, height: (height - header) / rows };
  const parts = [element('rect', { width, height, fill: 'white' })];
  if (options.title !== undefined) {
    parts.push(element('text', { x: width / 2, y: 24, 'text-anchor': 'middle', 'font-size': 16, 'font-weight': 'bold' }, text(options.title)));
  }
  if (all.length === 0) {
    parts.push(element('text', { x: width / 2, y: header + size.height / 2, 'text-anchor': 'middle' }, text('no epochs logged')));
  }
  all.forEach((panel, i) => {
    parts.push(renderPanel(panel, data.epoch, (i % columns) * size.width, header + Math.floor(i / columns) * size.height, size));
  });
  return svgDocument(width, height, ...parts);
}
