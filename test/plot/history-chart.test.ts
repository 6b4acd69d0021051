import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib';
import { History } from '../../lib/callbacks/history';
import { axisFraction, integerAxis, logAxis, tickLabel, valueAxis } from '../../lib/plot/scale';
import { findAll, parseXml, type XmlElement } from './xml';

function historyOf(epochs: number[], values: Record<string, number[]>): History {
  const h = new History();
  h.epoch.push(...epochs);
  Object.assign(h.history, values);
  return h;
}

function panel(svg: XmlElement, quantity: string): XmlElement {
  const found = findAll(svg, 'g').find((g) => g.attrs['data-quantity'] === quantity);
  if (found === undefined) throw new Error(`no panel for ${quantity}`);
  return found;
}

/** Points of each polyline of a series, in order. */
function lines(g: XmlElement, series: string): number[][][] {
  return findAll(g, 'polyline')
    .filter((p) => p.attrs['data-series'] === series)
    .map((p) => (p.attrs['points'] as string).split(' ').map((pair) => pair.split(',').map(Number)));
}

function legend(g: XmlElement): string[] {
  return findAll(g, 'text')
    .filter((t) => t.attrs['class'] === 'legend')
    .map((t) => t.text);
}

describe('plot/scale', () => {
  it('valueAxis widens to nice ticks that cover the range', () => {
    const axis = valueAxis(0.13, 2.37);
    expect(axis.ticks).to.deep.equal([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(axis.min).to.equal(0);
    expect(axis.max).to.equal(2.5);
  });

  it('valueAxis pads a flat range around its value', () => {
    const axis = valueAxis(3, 3);
    expect(axis.min).to.be.below(3);
    expect(axis.max).to.be.above(3);
    expect(axis.ticks.length).to.be.at.least(2);
  });

  it('valueAxis stops at 0 for values >= 0 and at 1 for values <= 1, as accuracies are', () => {
    expect(valueAxis(0, 2).min).to.equal(0);
    expect(valueAxis(0.5, 1)).to.deep.include({ min: 0.4, max: 1 });
    expect(valueAxis(0.5, 1).ticks.at(-1)).to.equal(1);
    expect(valueAxis(1, 1).max).to.equal(1);
    expect(valueAxis(0, 0).min).to.equal(0);
    expect(valueAxis(0.5, 1.01).max).to.be.above(1);
    expect(valueAxis(-0.2, 0.5).min).to.be.below(0);
  });

  it('logAxis spans whole decades with a tick at each power of ten, and at 2 and 5 within one decade', () => {
    const axis = logAxis(0.0004, 1.3);
    expect(axis).to.deep.include({ min: 1e-4, max: 10, log: true });
    expect(axis.ticks).to.deep.equal([1e-4, 1e-3, 1e-2, 1e-1, 1, 10]);
    expect(logAxis(0.3, 0.8).ticks).to.deep.equal([0.1, 0.2, 0.5, 1]);
    expect(logAxis(5, 5)).to.deep.include({ min: 1, max: 10 });
    expect(axisFraction(axis, 1e-2)).to.be.closeTo(0.4, 1e-12);
    expect(axisFraction({ min: 0, max: 2, ticks: [], step: 1 }, 0.5)).to.equal(0.25);
    expect([1e-5, 1e-4, 1e-3, 0.02, 1].map((t) => tickLabel(t, t))).to.deep.equal(['1e-5', '0.0001', '0.001', '0.02', '1']);
  });

  it('integerAxis keeps whole-number ticks and centres a single epoch', () => {
    expect(integerAxis(1, 3).ticks).to.deep.equal([1, 2, 3]);
    expect(integerAxis(1, 100).ticks.every(Number.isInteger)).to.equal(true);
    expect(integerAxis(5, 5)).to.deep.include({ min: 4.5, max: 5.5, ticks: [5] });
  });

  it('tickLabel shows the decimals the step needs, and exponents for extreme values', () => {
    expect(tickLabel(0.30000000000000004, 0.1)).to.equal('0.3');
    expect(tickLabel(2, 0.5)).to.equal('2.0');
    expect(tickLabel(20, 10)).to.equal('20');
    expect(tickLabel(2e7, 1e7)).to.match(/^2(\.0)?e\+7$/);
  });
});

describe('History#toSvg()', () => {
  it('draws one panel per quantity with a training and a validation series of one point per epoch', () => {
    const h = historyOf([0, 1, 2, 3], {
      loss: [1.2, 0.8, 0.6, 0.5],
      accuracy: [0.5, 0.7, 0.8, 0.85],
      val_loss: [1.3, 0.9, 0.7, 0.65],
      val_accuracy: [0.45, 0.65, 0.75, 0.8],
    });
    const svg = parseXml(h.toSvg({ title: 'digits' }));
    expect(svg.name).to.equal('svg');
    expect(findAll(svg, 'g').map((g) => g.attrs['data-quantity'])).to.deep.equal(['loss', 'accuracy']);
    for (const quantity of ['loss', 'accuracy']) {
      const g = panel(svg, quantity);
      expect(lines(g, quantity).map((l) => l.length)).to.deep.equal([4]);
      expect(lines(g, `val_${quantity}`).map((l) => l.length)).to.deep.equal([4]);
      expect(legend(g)).to.deep.equal(['training', 'validation']);
    }
    expect(findAll(svg, 'text').some((t) => t.text === 'digits')).to.equal(true);
  });

  it('places later epochs to the right and lower losses lower', () => {
    const g = panel(parseXml(historyOf([0, 1, 2], { loss: [3, 2, 1] }).toSvg()), 'loss');
    const [line] = lines(g, 'loss');
    const xs = (line as number[][]).map((p) => p[0] as number);
    const ys = (line as number[][]).map((p) => p[1] as number);
    expect(xs[0]).to.be.below(xs[1] as number);
    expect(xs[1]).to.be.below(xs[2] as number);
    // SVG y grows downward: a falling loss climbs in y.
    expect(ys[0]).to.be.below(ys[1] as number);
    expect(ys[1]).to.be.below(ys[2] as number);
  });

  it('leaves a gap at NaN and Infinity and scales the axis to the finite values', () => {
    const h = historyOf([0, 1, 2, 3, 4, 5], { loss: [1, 0.9, NaN, 0.7, Infinity, 0.5] });
    const g = panel(parseXml(h.toSvg()), 'loss');
    expect(lines(g, 'loss').map((l) => l.length)).to.deep.equal([2]);
    // The isolated last point still shows, as a marker.
    expect(findAll(g, 'circle').filter((c) => c.attrs['data-series'] === 'loss')).to.have.length(4);
    const labels = findAll(g, 'text').map((t) => t.text);
    expect(labels).to.not.include('Infinity');
    expect(labels).to.not.include('NaN');
  });

  it('shows a single epoch as markers with one x tick', () => {
    const g = panel(parseXml(historyOf([0], { loss: [0.4], val_loss: [0.5] }).toSvg()), 'loss');
    expect(findAll(g, 'polyline')).to.have.length(0);
    expect(findAll(g, 'circle').map((c) => c.attrs['data-series'])).to.deep.equal(['loss', 'val_loss']);
    expect(findAll(g, 'text').filter((t) => t.text === '1')).to.have.length(1);
  });

  it('says so when a quantity has no finite value, and when nothing was logged', () => {
    const g = panel(parseXml(historyOf([0, 1], { loss: [NaN, NaN] }).toSvg()), 'loss');
    expect(findAll(g, 'text').some((t) => t.text === 'no finite values')).to.equal(true);
    expect(findAll(parseXml(new History().toSvg()), 'text').some((t) => t.text === 'no epochs logged')).to.equal(true);
  });

  it('escapes markup in the title and in metric names', () => {
    const svg = historyOf([0, 1], { 'a<b>&"c\'': [1, 2] }).toSvg({ title: '</svg><script>"x" & y' });
    const root = parseXml(svg);
    expect(findAll(root, 'script')).to.have.length(0);
    expect(findAll(root, 'text').some((t) => t.text === '</svg><script>"x" & y')).to.equal(true);
    expect(findAll(root, 'g')[0]?.attrs['data-quantity']).to.equal('a<b>&"c\'');
  });

  it('keeps a validation series whose training series was not logged', () => {
    const g = panel(parseXml(historyOf([0, 1], { val_auc: [0.6, 0.7] }).toSvg()), 'val_auc');
    expect(legend(g)).to.deep.equal(['validation']);
    expect(lines(g, 'val_auc').map((l) => l.length)).to.deep.equal([2]);
  });

  it('throws ArgumentRangeError for an unknown option and ArgumentTypeError for a title that is not a string', () => {
    const h = historyOf([0], { loss: [1] });
    expect(() => h.toSvg({ titel: 'x' } as never)).to.throw(my.ArgumentRangeError, /titel/);
    expect(() => h.toSvg({ title: 3 } as never)).to.throw(my.ArgumentTypeError, /title/);
    expect(() => h.toSvg({ logScale: 'loss' } as never)).to.throw(my.ArgumentTypeError, /boolean for logScale/);
    expect(() => h.toSvg({ logScale: [1] } as never)).to.throw(my.ArgumentTypeError, /logScale\[0\]/);
  });

  it('draws an accuracy that reaches 1 on an axis that stops at 1', () => {
    const g = panel(parseXml(historyOf([0, 1, 2], { accuracy: [0.6, 0.9, 1] }).toSvg()), 'accuracy');
    const ticks = findAll(g, 'text').filter((t) => t.attrs['text-anchor'] === 'end').map((t) => Number(t.text));
    expect(Math.max(...ticks)).to.equal(1);
    // The point at 1 sits on the top of the plot area (its grid line), not below a tick of 1.2.
    const [line] = lines(g, 'accuracy');
    const gridTop = Math.min(...findAll(g, 'line').filter((l) => l.attrs['stroke'] === '#e4e4e4').map((l) => Number(l.attrs['y1'])));
    expect(line?.[2]?.[1]).to.equal(gridTop);
  });

  it('logScale: true puts the loss on a log axis: each tenfold fall is the same step down', () => {
    const h = historyOf([0, 1, 2, 3], { loss: [1, 0.1, 0.01, 0.001], val_loss: [2, 0.2, 0.02, 0.002], accuracy: [0.5, 0.6, 0.7, 0.8] });
    const svg = parseXml(h.toSvg({ logScale: true }));
    const loss = panel(svg, 'loss');
    expect(findAll(loss, 'text').some((t) => t.text === 'loss (log scale)')).to.equal(true);
    const ys = (lines(loss, 'loss')[0] as number[][]).map((p) => p[1] as number);
    const steps = ys.slice(1).map((y, i) => y - (ys[i] as number));
    for (const step of steps) expect(step).to.be.closeTo(steps[0] as number, 0.02);
    expect(findAll(panel(svg, 'accuracy'), 'text').some((t) => t.text.includes('log scale'))).to.equal(false);
    // Linear, the last three losses would sit within 2% of the panel's height of each other.
    const linear = (lines(panel(parseXml(h.toSvg()), 'loss'), 'loss')[0] as number[][]).map((p) => p[1] as number);
    expect(Math.abs((linear[3] as number) - (linear[1] as number))).to.be.below(Math.abs((ys[3] as number) - (ys[1] as number)) / 5);
  });

  it('logScale names the quantities to draw so; a value <= 0 there is a gap', () => {
    const h = historyOf([0, 1, 2, 3], { loss: [1, 0.5, 0.2, 0.1], mse: [4, 0, 1, 0.5] });
    const svg = parseXml(h.toSvg({ logScale: ['mse'] }));
    expect(findAll(panel(svg, 'loss'), 'text').some((t) => t.text.includes('log scale'))).to.equal(false);
    expect(lines(panel(svg, 'mse'), 'mse').map((l) => l.length)).to.deep.equal([2]);
    const none = parseXml(historyOf([0, 1], { loss: [0, -1] }).toSvg({ logScale: true }));
    expect(findAll(panel(none, 'loss'), 'text').some((t) => t.text === 'no finite values above 0')).to.equal(true);
  });

  it('width and height size the image, the panels sharing it; too small a size is refused naming the least', () => {
    const h = historyOf([0, 1, 2], { loss: [1, 0.5, 0.2], accuracy: [0.5, 0.7, 0.9], lr: [0.1, 0.1, 0.05] });
    const svg = parseXml(h.toSvg({ title: 't', width: 1200, height: 634 }));
    expect([svg.attrs['width'], svg.attrs['height']]).to.deep.equal(['1200', '634']);
    const xs = findAll(svg, 'polyline').flatMap((p) => (p.attrs['points'] as string).split(' ').map((pair) => Number(pair.split(',')[0])));
    expect(Math.max(...xs)).to.be.within(1000, 1200);
    expect(() => h.toSvg({ width: 399 })).to.throw(my.ArgumentRangeError, /an integer from 400 to 16384 \(2 panels of at least 200\) for width but received 399/);
    expect(() => h.toSvg({ title: 't', height: 333 })).to.throw(my.ArgumentRangeError, /from 334 to 16384 \(2 panels of at least 150 and 34 for the title\) for height/);
    expect(() => h.toSvg({ width: 600.5 })).to.throw(my.ArgumentRangeError, /positive integer for width/);
  });
});

describe('History#plot()', () => {
  it('writes the SVG of a real training run', async () => {
    my.seed(3);
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 4, activation: 'tanh' }), my.layers.dense({ units: 1, activation: 'sigmoid' })]);
    model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.2], [0.1, 0.9]];
    const history = await model.fit(x, [0, 1, 1, 0, 1, 1], { epochs: 5, validationSplit: 0.34, verbose: 0 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-plot-')), 'curves.svg');
    await history.plot(file);
    const svg = parseXml(fs.readFileSync(file, 'utf8'));
    expect(findAll(svg, 'g').map((g) => g.attrs['data-quantity'])).to.deep.equal(['loss', 'accuracy']);
    expect(lines(panel(svg, 'loss'), 'val_loss')[0]).to.have.length(5);
  });

  it('writes a PNG when the path ends in .png, of the size asked for, through @resvg/resvg-js', async () => {
    const h = historyOf([0, 1, 2], { loss: [1, 0.1, 0.01], accuracy: [0.5, 0.8, 1] });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-plot-')), 'curves.PNG');
    await h.plot(file, { title: 'curves', width: 700, height: 334, logScale: true });
    const png = fs.readFileSync(file);
    expect(png.subarray(0, 8)).to.deep.equal(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).to.deep.equal([700, 334]);
  });

  it('without @resvg/resvg-js, a .png path is a MissingDependencyError naming the package, and nothing is written', async () => {
    const Module = require('node:module') as { _load: (request: string, ...rest: unknown[]) => unknown };
    const load = Module._load;
    Module._load = (request, ...rest) => {
      if (request === '@resvg/resvg-js') throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
      return load(request, ...rest);
    };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-plot-')), 'curves.png');
    let error: unknown;
    try {
      await historyOf([0], { loss: [1] }).plot(file).catch((e: unknown) => (error = e));
    } finally {
      Module._load = load;
    }
    expect(error).to.be.instanceOf(my.MissingDependencyError);
    expect((error as my.MissingDependencyError).packageName).to.equal('@resvg/resvg-js');
    expect((error as Error).message).to.match(/Writing a PNG needs the package @resvg\/resvg-js .*Cannot find module '@resvg\/resvg-js'\. Install it with 'npm install @resvg\/resvg-js', or write the chart as \.svg\./);
    expect(fs.existsSync(file)).to.equal(false);
  });

  it('throws ArgumentTypeError for a path that is not a string', async () => {
    let error: unknown;
    await new History().plot(42 as never).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(my.ArgumentTypeError);
  });
});
