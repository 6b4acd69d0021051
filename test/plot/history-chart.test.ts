import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib';
import { History } from '../../lib/callbacks/history';
import { integerAxis, tickLabel, valueAxis } from '../../lib/plot/scale';
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

  it('throws ArgumentTypeError for a path that is not a string', async () => {
    let error: unknown;
    await new History().plot(42 as never).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(my.ArgumentTypeError);
  });
});
