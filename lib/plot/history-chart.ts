/**
 * Training curves as SVG: one panel per quantity (loss, each metric, lr when logged), the
 * training series solid and the validation series (val_ keys) dashed, per epoch, with axes,
 * ticks, labels and a legend. Non-finite values (a diverged loss) leave gaps; a single epoch
 * shows as markers.
 */
import { ArgumentTypeError } from '../errors';
import { describe, knownOptions, plainObject } from '../validate';
import { integerAxis, tickLabel, valueAxis, type Axis } from './scale';
import { element, num, svgDocument, text } from './svg';

export interface PlotOptions {
  /** A heading above the panels. */
  title?: string;
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
}

const PANEL_WIDTH = 460;
const PANEL_HEIGHT = 300;
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
function panels(history: HistoryData['history']): Panel[] {
  const keys = Object.keys(history);
  const quantities = keys.filter((k) => !k.startsWith('val_') || !keys.includes(k.slice(4)));
  return quantities.map((quantity) => {
    const series: Series[] = [{ key: quantity, label: quantity.startsWith('val_') ? 'validation' : 'training', values: history[quantity] ?? [] }];
    const validation = history[`val_${quantity}`];
    if (validation !== undefined) series.push({ key: `val_${quantity}`, label: 'validation', values: validation });
    return { quantity, series };
  });
}

/** Runs of consecutive finite points, as [epoch, value] pairs: a non-finite value breaks the line. */
function segments(epochs: readonly number[], values: readonly number[]): [number, number][][] {
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  values.forEach((value, i) => {
    const epoch = epochs[i];
    if (epoch !== undefined && Number.isFinite(value)) {
      run.push([epoch, value]);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

function finiteRange(panel: Panel): [number, number] | null {
  const finite = panel.series.flatMap((s) => s.values.filter(Number.isFinite));
  return finite.length === 0 ? null : [Math.min(...finite), Math.max(...finite)];
}

function renderPanel(panel: Panel, epochs: readonly number[], ox: number, oy: number): string {
  const w = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const h = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const left = ox + MARGIN.left;
  const top = oy + MARGIN.top;
  // Epochs are shown from 1, as fit's progress lines count them.
  const shown = epochs.map((e) => e + 1);
  const xAxis = integerAxis(shown[0] ?? 1, shown[shown.length - 1] ?? 1);
  const range = finiteRange(panel);
  const yAxis: Axis = range === null ? valueAxis(0, 1) : valueAxis(range[0], range[1]);
  const px = (x: number): number => left + ((x - xAxis.min) / (xAxis.max - xAxis.min)) * w;
  const py = (y: number): number => top + h - ((y - yAxis.min) / (yAxis.max - yAxis.min)) * h;

  const parts: string[] = [];
  parts.push(element('text', { x: left, y: oy + 22, 'font-size': 14, 'font-weight': 'bold' }, text(panel.quantity)));
  for (const tick of yAxis.ticks) {
    parts.push(element('line', { x1: left, y1: py(tick), x2: left + w, y2: py(tick), stroke: '#e4e4e4' }));
    parts.push(element('text', { x: left - 6, y: py(tick) + 4, 'text-anchor': 'end', fill: '#444' }, text(tickLabel(tick, yAxis.step))));
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
    parts.push(element('text', { x: left + w / 2, y: top + h / 2, 'text-anchor': 'middle', fill: '#a00' }, text('no finite values')));
  }

  for (const series of panel.series) {
    const style = styles[series.label];
    const runs = segments(shown, series.values);
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
  let lx = ox + PANEL_WIDTH - MARGIN.right - panel.series.reduce((sum, s) => sum + legendWidth(s), 0);
  for (const series of panel.series) {
    const style = styles[series.label];
    parts.push(element('line', { x1: lx, y1: oy + 18, x2: lx + 24, y2: oy + 18, stroke: style.stroke, 'stroke-width': 2, 'stroke-dasharray': style.dash }));
    parts.push(element('text', { x: lx + 30, y: oy + 22, class: 'legend' }, text(series.label)));
    lx += legendWidth(series);
  }
  return element('g', { class: 'panel', 'data-quantity': panel.quantity }, ...parts);
}

function plotOptions(value: unknown): PlotOptions {
  if (value === undefined) return {};
  const options = plainObject(value, 'plot options');
  knownOptions(options, 'plot options', ['title']);
  const title = options['title'];
  if (title === undefined) return {};
  if (typeof title !== 'string') throw new ArgumentTypeError({ argument: 'title', expected: 'a string', received: describe(title) });
  return { title };
}

/** The SVG document of a History's curves. */
export function historyToSvg(data: HistoryData, args?: PlotOptions): string {
  const options = plotOptions(args);
  const all = panels(data.history);
  const columns = Math.max(1, Math.min(COLUMNS, all.length));
  const rows = Math.max(1, Math.ceil(all.length / columns));
  const header = options.title === undefined ? 0 : TITLE_HEIGHT;
  const width = columns * PANEL_WIDTH;
  const height = header + rows * PANEL_HEIGHT;
  const parts = [element('rect', { width, height, fill: 'white' })];
  if (options.title !== undefined) {
    parts.push(element('text', { x: width / 2, y: 24, 'text-anchor': 'middle', 'font-size': 16, 'font-weight': 'bold' }, text(options.title)));
  }
  if (all.length === 0) {
    parts.push(element('text', { x: width / 2, y: header + PANEL_HEIGHT / 2, 'text-anchor': 'middle' }, text('no epochs logged')));
  }
  all.forEach((panel, i) => {
    parts.push(renderPanel(panel, data.epoch, (i % columns) * PANEL_WIDTH, header + Math.floor(i / columns) * PANEL_HEIGHT));
  });
  return svgDocument(width, height, ...parts);
}
